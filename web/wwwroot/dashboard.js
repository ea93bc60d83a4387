// The console's dashboard (经营决策看板, DB-1..DB-7) for the tenant's admins: a period and an account picked, the
// figures of /dashboard as cards, its daily series and funnels as charts, the skill groups' service figures with the
// Erlang-C staffing suggestion, the per-agent table, and the period's conversation records with a record's detail
// (records.js). Agents and visitors who are not signed in get no figures:
// the page asks who is signed in first, and an API's 401 brings the sign-in back, its 403 says whom the page is for.
import { h, fill } from "/dom.js";
import { api, describe } from "/api.js";
import { signedIn, showSignIn, showPasswordChange, signOutButton } from "/signin.js";
import { none, count, percent, decimal, duration, table } from "/figures.js";
import { seriesChart, funnelChart } from "/charts.js";
import { showRecords } from "/records.js";

const $ = (id) => document.getElementById(id);
const forAdmins = "经营看板只对租户管理员开放。 The dashboard is for the tenant's admins.";

/** DB-1's figures, in the API's names. */
const cards = [
  { key: "visits", label: "访问次数 Visits", show: count },
  { key: "visitors", label: "访问人数 Visitors", show: count },
  { key: "conversations", label: "会话次数 Conversations", show: count },
  { key: "consultingVisitors", label: "咨询会话人数 Consulting visitors", show: count },
  { key: "visitorMessages", label: "咨询消息总数 Visitor messages", show: count },
  { key: "replyRate", label: "回复率 Reply rate", show: percent },
  { key: "averageFirstResponseSeconds", label: "平均首次响应 First response", show: duration },
  { key: "friendsAdded", label: "加好友 Friends added", show: count },
];

const steps = { visitors: "访问人数 Visitors", consultingVisitors: "咨询人数 Consulting", friendsAdded: "加好友 Friends added",
  interrupted: "中断 Interrupted", woken: "唤醒 Woken" };

let tenantBase = "";
let accounts = [];
let asked = 0;
const picker = {};

function notice(text) {
  const box = $("notice");
  box.hidden = !text;
  box.textContent = text || "";
}

// ---- Who may see it --------------------------------------------------------------------------------------------------

async function start() {
  notice("");
  const me = await signedIn();
  if (!me) return signIn();
  fill($("controls"), signOutButton());
  if (me.mustChangePassword) return showPasswordChange($("main"), start);
  $("who").textContent = me.name;
  if (me.role !== "admin" || !me.tenantId) return forbidden();
  tenantBase = `/api/v1/tenants/${encodeURIComponent(me.tenantId)}`;
  try {
    accounts = await api("GET", `${tenantBase}/marketing-accounts`);
  } catch (e) {
    return failed(e);
  }
  openDashboard();
}

function signIn(reason) {
  $("who").textContent = "";
  fill($("controls"));
  showSignIn($("main"), start, reason);
}

function forbidden() {
  fill($("main"), h("p", { class: "error", id: "forbidden" }, forAdmins));
}

/** An API's refusal: signed out (401) signs in again, not an admin (403) says so; anything else is shown above the page. */
function failed(error) {
  if (error?.status === 401) return signIn("请重新登录 Your session has ended: sign in again.");
  if (error?.status === 403) return forbidden();
  notice(describe(error));
  $("main").dataset.state = "error";
}

// ---- The page ----------------------------------------------------------------------------------------------------------

function openDashboard() {
  picker.period = h("select", { id: "period", "aria-label": "时间 Period" },
    [["today", "今天 Today"], ["week", "本周 This week"], ["month", "本月 This month"], ["year", "今年 This year"], ["custom", "自定义 Custom"]]
      .map(([value, label]) => h("option", { value }, label)));
  picker.from = h("input", { type: "date", id: "from", "aria-label": "从 From" });
  picker.to = h("input", { type: "date", id: "to", "aria-label": "到 To" });
  picker.dates = h("span", { class: "row", hidden: true }, picker.from, "–", picker.to);
  picker.account = h("select", { id: "account", "aria-label": "账号 Account" },
    h("option", { value: "" }, "全部账号 All accounts"), accounts.map((a) => h("option", { value: a.id }, a.name)));
  picker.period.addEventListener("change", () => {
    picker.dates.hidden = picker.period.value !== "custom";
    load();
  });
  for (const input of [picker.from, picker.to, picker.account]) input.addEventListener("change", load);

  fill($("main"),
    h("section", { class: "filters row", "aria-label": "查询 Query" }, picker.period, picker.dates, picker.account,
      h("button", { type: "button", id: "refresh", onclick: load }, "刷新 Refresh")),
    h("p", { id: "caption", class: "muted" }),
    h("section", { id: "figures", class: "cards", "aria-label": "指标 Figures" }),
    h("section", { class: "charts" },
      chartFigure("series-chart", "每日趋势 Daily", "wide"),
      chartFigure("conversion-chart", "转化漏斗 Conversion funnel"),
      chartFigure("wake-up-chart", "唤醒漏斗 Wake-up funnel")),
    h("section", { id: "groups", class: "records", "aria-label": "技能组 Skill groups" }),
    h("section", { id: "agents", class: "records", "aria-label": "坐席 Agents" }),
    h("section", { id: "records", class: "records", "aria-label": "会话记录 Records" }));
  load();
}

function chartFigure(id, title, wide) {
  return h("figure", { class: wide ? "chart wide" : "chart" }, h("figcaption", {}, title), h("div", { class: "chart-box" }, h("canvas", { id, role: "img", "aria-label": title })));
}

/** The query of the period and account picked (the skill groups' figures are of every account). */
function query(withAccount) {
  const q = new URLSearchParams({ period: picker.period.value });
  if (picker.period.value === "custom") {
    q.set("from", picker.from.value);
    q.set("to", picker.to.value);
  }
  if (withAccount && picker.account.value) q.set("accountId", picker.account.value);
  return q;
}

/** Reads the four answers of the query picked and shows them together; only the latest query shows, however they arrive. */
async function load() {
  const mine = ++asked;
  if (picker.period.value === "custom" && !(picker.from.value && picker.to.value)) {
    $("caption").textContent = "选择起止日期 Choose both dates";
    return;
  }
  $("main").dataset.state = "loading";
  const [withAccount, ofGroups] = [query(true), query(false)];
  try {
    const [report, agents, groups] = await Promise.all([
      api("GET", `${tenantBase}/dashboard?${withAccount}`),
      api("GET", `${tenantBase}/dashboard/agents?${withAccount}`),
      api("GET", `${tenantBase}/dashboard/groups?${ofGroups}`),
    ]);
    if (mine !== asked) return;
    notice("");
    show(report, agents, groups, withAccount);
    $("main").dataset.state = "ready";
  } catch (e) {
    if (mine === asked) failed(e);
  }
}

function show(report, agents, groups, withAccount) {
  const { period } = report;
  const account = accounts.find((a) => a.id === report.accountId);
  $("caption").textContent = `${period.from} – ${period.to} · ${account ? account.name : "全部账号 All accounts"} · ${period.timeZone}`;
  if (picker.period.value !== "custom") [picker.from.value, picker.to.value] = [period.from, period.to];
  fill($("figures"), cards.map((c) => h("div", { class: "card", "data-figure": c.key },
    h("span", { class: "label" }, c.label), h("strong", { class: "value" }, c.show(report.figures[c.key])))));
  seriesChart($("series-chart"), report.series, cards.filter((c) => c.show === count).map(({ key, label }) => ({ key, label })));
  funnelChart($("conversion-chart"), report.funnels.conversion, steps, "#1f6feb");
  funnelChart($("wake-up-chart"), report.funnels.wakeUp, steps, "#8250df");
  showGroups(groups);
  showAgents(agents, withAccount);
  showRecords($("records"), tenantBase, { period, accountId: report.accountId, agents: agents.rows }, failed);
}

/** The skill groups' service figures, and beside them the Erlang-C suggestion with the inputs it was computed from. */
function showGroups(groups) {
  const staffed = (pick) => (g) => (g.staffing ? pick(g.staffing) : none);
  const columns = [
    { head: "技能组 Group", cell: (g) => g.name },
    { head: "进线 Arrivals", cell: (g) => count(g.arrivals) },
    { head: "接起 Answered", cell: (g) => count(g.answered) },
    { head: "放弃 Abandoned", cell: (g) => count(g.abandoned) },
    { head: `服务水平 Service level (${groups.answerWithinSeconds} s)`, cell: (g) => percent(g.serviceLevel) },
    { head: "平均应答 Speed of answer", cell: (g) => duration(g.averageSpeedOfAnswerSeconds) },
    { head: "放弃率 Abandonment", cell: (g) => percent(g.abandonmentRate) },
    { head: "近一小时进线 Arrivals last hour", cell: (g) => count(g.arrivalsLastHour) },
    { head: "平均处理 AHT", cell: staffed((s) => duration(s.ahtSeconds)) },
    { head: "话务量 Erlangs", cell: staffed((s) => decimal(s.trafficErlangs)) },
    { head: "目标 Target", cell: staffed((s) => `${percent(s.targetServiceLevel)} / ${s.answerWithinSeconds} s`) },
    { head: "建议坐席 Suggested agents", cell: staffed((s) => (s.targetMet ? String(s.agents) : `${s.agents} (未达标 target not met)`)) },
    { head: "该人数服务水平 Service level at that number", cell: staffed((s) => percent(s.serviceLevel)) },
  ];
  fill($("groups"), h("h3", {}, "技能组 Skill groups · Erlang C"),
    groups.rows.length ? table(columns, groups.rows, (g) => g.groupId) : h("p", { class: "muted" }, "这段时间没有进线 No arrivals in this period"));
}

/** DB-5: the agents' figures, and their export to Excel for the same query. */
function showAgents(agents, withAccount) {
  const columns = [
    { head: "坐席 Agent", cell: (a) => a.name },
    { head: "咨询人数 Consulting visitors", cell: (a) => count(a.consultingVisitors) },
    { head: "会话 Conversations", cell: (a) => count(a.conversations) },
    { head: "访客消息 Visitor messages", cell: (a) => count(a.visitorMessages) },
    { head: "坐席消息 Agent messages", cell: (a) => count(a.agentMessages) },
    { head: "回复率 Reply rate", cell: (a) => percent(a.replyRate) },
    { head: "平均首次响应 First response", cell: (a) => duration(a.averageFirstResponseSeconds) },
    { head: "加好友 Friends added", cell: (a) => count(a.friendsAdded) },
  ];
  fill($("agents"), h("div", { class: "row" }, h("h3", {}, "坐席 Agents"),
    h("a", { id: "export-agents", href: `${tenantBase}/dashboard/agents.xlsx?${withAccount}`, download: "" }, "导出 Excel · Export")),
    agents.rows.length ? table(columns, agents.rows, (a) => a.agentId) : h("p", { class: "muted" }, "这段时间没有坐席数据 No agent figures in this period"));
}

start();
