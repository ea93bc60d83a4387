// DB-6, DB-7 in the console: the conversation records of the dashboard's period and account (and one agent, when
// picked), newest first, a page at a time (keyset: each page's `next`), and a record's detail with its messages in a
// panel beside the list. Times are the tenant's (its zone, as the dashboard's days). Everything is shown as text.
import { h, fill } from "/dom.js";
import { api } from "/api.js";
import { none, duration, table } from "/figures.js";
import { cardElement } from "/card.js";

const pageSize = 20;

/** The zone's wall time of an instant as [year, month, day, hour, minute, second]. */
function wallTime(at, timeZone) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(at);
  const part = (type) => Number(parts.find((p) => p.type === type).value);
  return [part("year"), part("month"), part("day"), part("hour"), part("minute"), part("second")];
}

/** An instant as the zone's "yyyy-MM-dd HH:mm:ss". */
export function zoned(iso, timeZone) {
  if (!iso) return none;
  const [y, mo, d, hh, mi, ss] = wallTime(new Date(iso), timeZone).map((n) => String(n).padStart(2, "0"));
  return `${y}-${mo}-${d} ${hh}:${mi}:${ss}`;
}

/** The instant a natural day (yyyy-MM-dd) of the zone begins, as ISO: the zone's offset read twice, for a day it changes. */
export function dayStart(day, timeZone) {
  const [y, m, d] = day.split("-").map(Number);
  const wanted = Date.UTC(y, m - 1, d);
  const offset = (at) => {
    const [wy, wm, wd, wh, wmi, ws] = wallTime(new Date(at), timeZone);
    return Date.UTC(wy, wm - 1, wd, wh, wmi, ws) - at;
  };
  const first = wanted - offset(wanted);
  return new Date(wanted - offset(first)).toISOString();
}

/** The day after a yyyy-MM-dd. */
const nextDay = (day) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const lastMessage = (m) => (!m ? none : m.kind === "image" ? "[图片 image]" : m.kind === "card" ? "[名片 card]" : m.preview);

/**
 * The records of the period (its days in `period.timeZone`) and account shown, in `section`, with `agents` (the
 * dashboard's rows) to pick one from; `failed(error)` takes what the API refused.
 */
export function showRecords(section, tenantBase, { period, accountId, agents }, failed) {
  const agent = h("select", { id: "record-agent", "aria-label": "坐席 Agent" },
    h("option", { value: "" }, "全部坐席 All agents"), agents.map((a) => h("option", { value: a.agentId }, a.name)));
  const exported = h("a", { id: "export-records", download: "" }, "导出 Excel · Export");
  const body = h("div", { class: "record-list" });
  const more = h("button", { type: "button", id: "more-records", hidden: true }, "更多 More");
  const panel = h("aside", { id: "record", class: "record-detail", "aria-label": "会话详情 Record", hidden: true });
  const columns = [
    { head: "客户 Customer", cell: (r) => r.customer },
    { head: "账号或技能组 Account or group", cell: (r) => r.account?.name ?? r.skillGroup?.name ?? none },
    { head: "坐席 Agent", cell: (r) => (r.agent ? r.agent.name ?? r.agent.id : none) },
    { head: `开始时间 Started (${period.timeZone})`, cell: (r) => zoned(r.startedAt, period.timeZone) },
    { head: "最后消息 Last message", cell: (r) => lastMessage(r.lastMessage) },
    { head: "渠道 Channel", cell: (r) => (r.channel ? r.channel.name ?? r.channel.kind ?? r.channel.id : none) },
    { head: "地区 Region", cell: (r) => r.region ?? none },
    { head: "", cell: (r) => h("button", { type: "button", class: "open-record", onclick: () => openRecord(panel, tenantBase, r.conversationId, period.timeZone, failed) }, "详情 Detail") },
  ];
  let shown = null;
  let asked = 0;
  // The records created in the period's days, of the account and agent picked; the export takes the same filters.
  const filters = () => {
    const q = new URLSearchParams({ from: dayStart(period.from, period.timeZone), to: dayStart(nextDay(period.to), period.timeZone) });
    if (accountId) q.set("accountId", accountId);
    if (agent.value) q.set("agentId", agent.value);
    return q;
  };
  const load = async (after) => {
    const mine = after ? asked : ++asked;
    const q = filters();
    exported.href = `${tenantBase}/records/export.xlsx?${q}`;
    q.set("limit", String(pageSize));
    if (after) q.set("after", after);
    try {
      const page = await api("GET", `${tenantBase}/records?${q}`);
      if (mine !== asked) return;
      if (!after || !shown) {
        shown = table(columns, page.items, (r) => r.conversationId);
        fill(body, page.items.length ? shown : h("p", { class: "muted" }, "这段时间没有会话记录 No records in this period"));
      } else {
        shown.tBodies[0].append(...table(columns, page.items, (r) => r.conversationId).tBodies[0].rows);
      }
      more.hidden = !page.next;
      more.onclick = () => load(page.next);
    } catch (e) {
      if (mine === asked) failed(e);
    }
  };
  agent.addEventListener("change", () => load(null));
  fill(section, h("h3", {}, "会话记录 Records"), h("div", { class: "row" }, agent, exported), h("div", { class: "record-pane" }, h("div", {}, body, more), panel));
  return load(null);
}

/** DB-7: a record's detail and its messages, a page at a time. */
async function openRecord(panel, tenantBase, id, timeZone, failed) {
  const base = `${tenantBase}/records/${encodeURIComponent(id)}`;
  try {
    const record = await api("GET", base);
    const list = h("ol", { class: "transcript" });
    const more = h("button", { type: "button", class: "more-messages", hidden: true }, "更多消息 More messages");
    const fields = [
      ["坐席 Agent", record.agent ? record.agent.name ?? record.agent.id : none],
      ["账号 Account", record.account?.name ?? none],
      ["技能组 Group", record.skillGroup?.name ?? none],
      ["地区 Region", record.region ?? none],
      ["来源 Source", record.source ? record.source.name ?? record.source.kind ?? record.source.id : none],
      ["开始时间 Started", zoned(record.startedAt, timeZone)],
      ["首次响应 First response", duration(record.firstResponseSeconds)],
      ["状态 Status", record.endReason ? `${record.status} (${record.endReason})` : record.status],
    ];
    fill(panel, h("h4", {}, `客户 ${record.customer}`),
      h("dl", {}, fields.flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value)])),
      list, more,
      h("button", { type: "button", class: "close-record", onclick: () => { panel.hidden = true; fill(panel); } }, "关闭 Close"));
    panel.hidden = false;
    panel.dataset.conversation = id;
    const page = async (after) => {
      const messages = await api("GET", `${base}/messages?after=${after}`);
      list.append(...messages.items.map((m) => h("li", { class: m.sender, "data-seq": m.seq, title: zoned(m.sentAt, timeZone) },
        m.kind === "image" ? h("img", { src: m.content, alt: "图片 image" }) : m.kind === "card" ? cardElement(m.content) : m.content)));
      more.hidden = messages.next === null || messages.next === undefined;
      more.onclick = () => page(messages.next).catch(failed);
    };
    await page(0);
  } catch (e) {
    failed(e);
  }
}
