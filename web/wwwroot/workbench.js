// The agent workbench: sign in, presence, offers that ring, chats side by side, calls with AS-6's controls, own records,
// the phrase library (MK-7) in each chat and the agent's own phrases.
// The hub (/hubs/agent) pushes; the workbench acts through the hub's methods. Every message shows once, by its number.
import { h, fill, clock, Numbered, placeBySeq } from "/dom.js";
import { api, upload, csrfToken, describe } from "/api.js";
import { cardElement, defaultInvitation, shownName } from "/card.js";
import { phraseBox, phraseManager } from "/phrases.js";
import { signedIn, showSignIn as signInForm, showPasswordChange, signOutButton } from "/signin.js";

const statusNames = { Idle: "空闲中", Busy: "忙碌中", WrapUp: "话后整理", Break: "小休中", Offline: "下线" };
const reasonNotices = {
  "missed-offer": "你没有及时接听，会话已转给其他客服，你已被置为小休。 You missed an offer: it went to another agent and you are on break.",
  "connection-lost": "连接中断超过宽限时间，你已下线，会话已退回队列。 Your connection was away too long: you went offline and your chats went back to the queue.",
};
const $ = (id) => document.getElementById(id);

let me = null;
let tenantBase = "";
let hub = null;
let pops = [];
let quickReplies = [];
let colleagues = null; // MK-8: whose business card an agent may send, read once
let snapshot = null;
const offers = new Map(); // conversationId -> { groupId, deadline, card }
const chats = new Map(); // conversationId -> chat state
let ringing = null;
let signedOut = false;

function notice(text) {
  const box = $("notice");
  box.hidden = !text;
  box.textContent = text || "";
}

// ---- Sign-in -------------------------------------------------------------------------------------------------------

async function start() {
  me = await signedIn();
  if (!me) return showSignIn();
  if (me.mustChangePassword) return showPasswordChange($("main"), start);
  if (!me.tenantId) return fill($("main"), h("p", { class: "error" }, "工作台只对租户的坐席开放。 The workbench is for a tenant's agents."));
  tenantBase = `/api/v1/tenants/${encodeURIComponent(me.tenantId)}`;
  $("who").textContent = me.name;
  await openWorkbench();
}

const showSignIn = (error) => signInForm($("main"), start, error);

// ---- The hub ---------------------------------------------------------------------------------------------------------

async function openWorkbench() {
  const [popList, replyList] = await Promise.all([
    api("GET", `${tenantBase}/screen-pops`).catch(() => []),
    api("GET", `${tenantBase}/quick-replies?limit=200`).catch(() => ({ items: [] })),
  ]);
  pops = popList.filter((p) => p.enabled).sort((a, b) => a.position - b.position);
  quickReplies = replyList.items;
  fill($("main"),
    h("section", { id: "offers", class: "offers", "aria-label": "来电 Offers" }),
    h("section", { id: "chats", class: "chats", "aria-label": "会话 Chats" }),
    h("section", { id: "phrases", class: "records my-phrases", "aria-label": "我的话术 My phrases" }),
    h("section", { id: "records", class: "records" }));
  renderControls();
  hub = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/agent", { headers: { "X-CSRF-TOKEN": csrfToken() ?? "" } })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (retry) => Math.min(10000, 500 * 2 ** retry.previousRetryCount) })
    .withStatefulReconnect()
    .build();
  hub.on("status", onStatus);
  hub.on("offerRinging", onOfferRinging);
  hub.on("offerWithdrawn", (p) => dropOffer(p.conversationId));
  hub.on("conversation", onConversation);
  hub.on("message", onMessage);
  hub.on("signedOut", (push) => {
    signedOut = true;
    hub.stop();
    stopRing();
    showSignIn(push.reason === "deleted" ? "你的账号已被删除。 Your account was deleted." : "你的密码已被重置，请重新登录。 Your password was reset: sign in again.");
  });
  hub.onreconnecting(() => connectionState("重新连接中… reconnecting"));
  hub.onreconnected(() => resync().catch((e) => connectionState(`同步失败 resync failed: ${describe(e)}`)));
  hub.onclose(() => {
    connectionState("已断开 disconnected");
    if (!signedOut) setTimeout(connect, 3000);
  });
  await connect();
}

async function connect() {
  try {
    await hub.start();
    await resync();
  } catch (e) {
    connectionState(`连接失败 ${describe(e)}`);
    setTimeout(connect, 5000);
  }
}

function connectionState(text) {
  $("connection").textContent = text;
  $("connection").dataset.state = hub?.state ?? "";
}

/** (Re)connected: the agent as they are now, every offer and chat they hold, and the messages each chat missed. */
async function resync() {
  connectionState("已连接 connected");
  snapshot = await hub.invoke("Snapshot");
  showStatus(snapshot.status);
  const held = new Set(snapshot.work.map((w) => w.conversationId));
  for (const id of [...offers.keys()]) if (!held.has(id) || snapshot.work.find((w) => w.conversationId === id).stage !== "Reserved") dropOffer(id);
  for (const id of [...chats.keys()]) if (!held.has(id)) closeChat(id);
  for (const work of snapshot.work) {
    if (work.stage === "Reserved") {
      if (!offers.has(work.conversationId)) {
        const conversation = await hub.invoke("Conversation", work.conversationId).catch(() => null);
        addOffer(work.conversationId, work.groupId, conversation?.offerDeadline ?? null, conversation);
      }
    } else {
      await openChat(work.conversationId, work.stage);
    }
  }
}

// ---- Presence --------------------------------------------------------------------------------------------------------

function renderControls() {
  const online = h("button", { class: "primary", id: "go-online", onclick: () => presence("online") }, "现在上线");
  const menu = h("select", { id: "status-menu", "aria-label": "状态 Status" },
    h("option", { value: "" }, "状态…"),
    h("option", { value: "break" }, "小休 Break"),
    h("option", { value: "online" }, "结束小休 End break"),
    h("option", { value: "offline" }, "下线 Offline"));
  menu.addEventListener("change", () => {
    const wanted = menu.value;
    menu.value = "";
    if (wanted) presence(wanted);
  });
  const records = h("button", { id: "show-records", onclick: showRecords }, "服务记录");
  const phrases = h("button", { id: "show-phrases", "aria-controls": "phrases", "aria-expanded": "false", onclick: showPhrases }, "我的话术");
  // Admins (admin-role agents) read the tenant's figures in the console.
  const dashboard = me.role === "admin" ? h("a", { href: "/console/dashboard", id: "open-dashboard" }, "经营看板 Dashboard") : null;
  fill($("controls"), online, menu, records, phrases, dashboard, signOutButton());
}

async function presence(wanted) {
  if (wanted === "online" && "Notification" in window && Notification.permission === "default") Notification.requestPermission();
  try {
    snapshot = await hub.invoke("SetPresence", wanted, false);
    showStatus(snapshot.status);
    notice("");
  } catch (e) {
    if (wanted === "offline" && confirm(`${describe(e)}\n\n仍然下线？会话将退回队列。 Go offline anyway? Your chats go back to their queues.`)) {
      snapshot = await hub.invoke("SetPresence", "offline", true);
      showStatus(snapshot.status);
    } else {
      notice(describe(e));
    }
  }
}

function showStatus(status) {
  const badge = $("badge");
  badge.dataset.status = status;
  badge.textContent = statusNames[status] ?? status;
  $("go-online").disabled = status !== "Offline";
}

function onStatus(push) {
  showStatus(push.status);
  // Offline (from another tab, or after the grace): what the agent still holds is read again; the rest leaves.
  if (push.status === "Offline") resync().catch((e) => notice(describe(e)));
  if (reasonNotices[push.reason]) notice(reasonNotices[push.reason]);
}

// ---- Offers ----------------------------------------------------------------------------------------------------------

async function onOfferRinging(push) {
  const conversation = await hub.invoke("Conversation", push.conversationId).catch(() => null);
  addOffer(push.conversationId, push.groupId, push.deadline, conversation);
  if ("Notification" in window && Notification.permission === "granted" && document.hidden) {
    new Notification("新会话 New conversation", { body: conversation?.visitorId ?? push.conversationId, tag: push.conversationId });
  }
}

function popLinks(customerId) {
  if (!pops.length) return null;
  return h("div", { class: "pops" }, pops.map((p) =>
    h("a", { href: p.url.replaceAll("{customerId}", encodeURIComponent(customerId ?? "")), target: "_blank", rel: "noopener noreferrer" }, p.name)));
}

function addOffer(conversationId, groupId, deadline, conversation) {
  if (offers.has(conversationId)) return;
  const countdown = h("span", { class: "countdown" });
  const answer = h("button", { class: "primary answer", onclick: async () => {
    answer.disabled = true;
    try {
      await hub.invoke("Answer", conversationId);
      dropOffer(conversationId);
      await openChat(conversationId, "Active");
    } catch (e) {
      answer.disabled = false;
      notice(describe(e));
    }
  } }, "接听 Answer");
  const card = h("div", { class: "offer", "data-conversation": conversationId },
    h("strong", {}, "来电 · 新会话"),
    h("span", { class: "customer", title: conversation?.visitorId ?? "" }, customerLabel(conversation?.visitorId) || conversationId),
    h("span", { class: "muted" }, modeName(conversation?.mode)),
    deadline ? countdown : null,
    popLinks(conversation?.visitorId),
    answer);
  $("offers").append(card);
  const offer = { groupId, deadline, card, countdown };
  offers.set(conversationId, offer);
  tick(offer);
  ring();
}

function tick(offer) {
  if (!offer.deadline) return;
  const left = Math.max(0, Math.ceil((new Date(offer.deadline) - Date.now()) / 1000));
  offer.countdown.textContent = `${left} 秒后转接 · ${left}s left`;
}

function dropOffer(conversationId) {
  const offer = offers.get(conversationId);
  if (!offer) return;
  offer.card.remove();
  offers.delete(conversationId);
  if (!offers.size) stopRing();
}

setInterval(() => offers.forEach(tick), 500);

/** A two-tone ring, every two seconds while offers ring (the browser may hold sound until the page was clicked once). */
function ring() {
  if (ringing) return;
  const play = () => {
    try {
      const audio = new AudioContext();
      for (const [i, frequency] of [[0, 880], [1, 660]]) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = frequency;
        gain.gain.value = 0.08;
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + i * 0.25);
        tone.stop(audio.currentTime + i * 0.25 + 0.2);
      }
      setTimeout(() => audio.close(), 800);
    } catch {
      // No sound device: the card still blinks.
    }
  };
  play();
  ringing = setInterval(play, 2000);
}

function stopRing() {
  clearInterval(ringing);
  ringing = null;
}

/** A customer as the agent reads them: a web chat visitor by the end of their browser's id, others by their id in the channel. */
function customerLabel(visitorId) {
  if (!visitorId) return "";
  const web = visitorId.indexOf(":web:");
  if (web >= 0) return `网页访客 Web visitor ${visitorId.slice(-6)}`;
  const colon = visitorId.indexOf(":");
  return colon >= 0 ? visitorId.slice(colon + 1) : visitorId;
}

function modeName(mode) {
  return { Online: "在线 Online", Phone: "电话 Phone", OmniMedia: "全媒体 Omni-media" }[mode] ?? "";
}

// ---- Chats -----------------------------------------------------------------------------------------------------------

/** Chats being opened: an answer here and its push from another tab open one panel, not two. */
const opening = new Map();

async function openChat(conversationId, stage) {
  let chat = chats.get(conversationId);
  if (!chat) {
    if (!opening.has(conversationId)) {
      opening.set(conversationId, hub.invoke("Conversation", conversationId).catch(() => null).then((conversation) => {
        const built = buildChat(conversationId, conversation);
        chats.set(conversationId, built);
        $("chats").append(built.panel);
        opening.delete(conversationId);
        return built;
      }));
    }
    chat = await opening.get(conversationId);
  }
  chat.stage = stage ?? chat.stage;
  renderChatControls(chat);
  await catchUp(chat);
}

function buildChat(conversationId, conversation) {
  const phone = conversation?.mode === "Phone" || conversation?.mode === "OmniMedia";
  const list = h("ol", { "aria-live": "polite" });
  const unread = h("span", { class: "unread", hidden: true });
  const status = h("span", { class: "muted chat-status" });
  const controls = h("div", { class: "row controls" });
  const text = h("textarea", { placeholder: "输入消息，Enter 发送 · Enter to send", "aria-label": "消息 Message" });
  const quick = h("select", { "aria-label": "快捷回复 Quick replies" }, h("option", { value: "" }, "快捷回复…"),
    quickReplies.map((r) => h("option", { value: r.id }, r.title)));
  const send = h("button", { class: "primary send" }, "发送");
  const picture = h("input", { type: "file", accept: "image/jpeg,image/png,image/gif", class: "image-file", "aria-label": "发送图片 Send an image" });
  picture.addEventListener("change", async () => {
    const file = picture.files[0];
    picture.value = "";
    if (!file) return;
    try {
      const ack = await upload(`${tenantBase}/conversations/${encodeURIComponent(conversationId)}/images`, file);
      if (chat.numbers.skips(ack.seq)) await catchUp(chat);
      else showMessage(chat, { seq: ack.seq, sender: "agent", messageKind: "image", content: ack.url, at: new Date().toISOString() });
    } catch (e) {
      notice(describe(e));
    }
  });
  const card = cardForm(conversationId, () => chat);
  // MK-7: a phrase picked fills the message box as a quick reply does; the agent edits it and sends it.
  const phrases = phraseBox(tenantBase, (picked) => {
    text.value = picked;
    text.focus();
  });
  const cardButton = h("button", { type: "button", class: "send-card", onclick: card.toggle }, "发名片");
  const panel = h("article", { class: "chat", "data-conversation": conversationId },
    h("header", {}, h("strong", { class: "customer", title: conversation?.visitorId ?? "" }, customerLabel(conversation?.visitorId) || conversationId), unread, status, popLinks(conversation?.visitorId)),
    list,
    h("footer", {}, phone ? null : h("div", { class: "row" }, quick, h("label", { class: "muted" }, "图片 ", picture), cardButton), phone ? null : phrases.box, phone ? null : card.slot,
      phone ? null : text, h("div", { class: "row" }, phone ? null : send, controls)));
  const chat = { conversationId, panel, list, unread, status, controls, text, cardButton, phrases, phone, numbers: new Numbered(), unreadCount: 0, stage: "Active" };
  const submit = async () => {
    const body = text.value.trim();
    if (!body) return;
    const clientMessageId = crypto.randomUUID();
    send.disabled = true;
    try {
      const ack = await hub.invoke("Send", conversationId, body, clientMessageId);
      text.value = "";
      if (chat.numbers.skips(ack.seq)) await catchUp(chat);
      else showMessage(chat, { seq: ack.seq, sender: "agent", messageKind: "text", content: body, at: new Date().toISOString() });
    } catch (e) {
      notice(describe(e));
    } finally {
      send.disabled = false;
    }
  };
  send.addEventListener("click", submit);
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      submit();
    }
  });
  quick.addEventListener("change", () => {
    const reply = quickReplies.find((r) => r.id === quick.value);
    quick.value = "";
    if (reply) {
      text.value = reply.body;
      text.focus();
    }
  });
  panel.addEventListener("click", () => markRead(chat));
  return chat;
}

// ---- Business cards (MK-8) ----------------------------------------------------------------------------------------------

async function loadColleagues() {
  colleagues ??= (await api("GET", `${tenantBase}/me/colleagues?limit=200`)).items;
  if (!colleagues.some((c) => c.id === me.id)) colleagues = [{ id: me.id, name: me.name, nickname: null, staffNo: null }, ...colleagues];
  return colleagues;
}

const personLabel = (p) => `${p.name}${p.nickname ? `（${p.nickname}）` : ""}${p.staffNo ? ` · ${p.staffNo}` : ""}`;

/**
 * 发名片: the agent's own card (the default) or a colleague's, with an invitation they may edit, sent into the chat.
 * The form is in the page only while open, so that the chat's own message box and menus stay the only ones.
 */
function cardForm(conversationId, chatOf) {
  const slot = h("div", { class: "card-slot" });
  const person = h("select", { class: "card-person", "aria-label": "谁的名片 Whose card" });
  const words = h("textarea", { class: "card-words", "aria-label": "邀请语 Invitation (at most 200 characters)" });
  const send = h("button", { class: "primary card-send", type: "submit" }, "发送名片");
  const close = () => fill(slot);
  const form = h("form", { class: "card-form" },
    h("label", { class: "muted" }, "名片 ", person), words,
    h("div", { class: "row" }, send, h("button", { type: "button", class: "card-cancel", onclick: close }, "取消")));
  // The text follows the chosen person while the agent has not edited it.
  let suggested = "";
  const suggest = () => {
    const next = defaultInvitation(shownName(colleagues.find((c) => c.id === person.value)));
    if (!words.value || words.value === suggested) words.value = next;
    suggested = next;
  };
  person.addEventListener("change", suggest);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    send.disabled = true;
    try {
      const body = { personId: person.value };
      if (words.value.trim()) body.text = words.value;
      const ack = await api("POST", `${tenantBase}/conversations/${encodeURIComponent(conversationId)}/business-card`, body);
      close();
      const chat = chatOf();
      if (chat.numbers.skips(ack.seq)) await catchUp(chat);
      else showMessage(chat, { seq: ack.seq, sender: "agent", messageKind: "card", content: JSON.stringify(ack.card), at: new Date().toISOString() });
    } catch (e) {
      notice(describe(e));
    } finally {
      send.disabled = false;
    }
  });
  const toggle = async () => {
    if (form.isConnected) return close();
    try {
      const people = await loadColleagues();
      fill(person, people.map((p) => h("option", { value: p.id }, p.id === me.id ? `我 · ${personLabel(p)}` : personLabel(p))));
      person.value = me.id;
      words.value = "";
      suggested = "";
      suggest();
      fill(slot, form);
      words.focus();
    } catch (e) {
      notice(describe(e));
    }
  };
  return { slot, toggle };
}

function renderChatControls(chat) {
  const act = (label, method, className) => h("button", { class: className, onclick: async (event) => {
    event.currentTarget.disabled = true;
    try {
      const result = await hub.invoke(method, chat.conversationId);
      if (method === "Complete" || method === "FinishWrapUp") closeChat(chat.conversationId);
      else if (result?.status) chat.stage = result.status === "Ended" ? "Ended" : chat.stage;
      renderChatControls(chat);
    } catch (e) {
      notice(describe(e));
      renderChatControls(chat);
    }
  } }, label);
  const stage = chat.stage;
  chat.status.textContent = { Active: "进行中", Ended: "已结束", AfterCall: "挂断后", WrappingUp: "话后整理中" }[stage] ?? stage;
  if (chat.phone) {
    if (stage === "Active") fill(chat.controls, h("span", { class: "muted call" }, "通话中 · simulated call"), act("挂断 Hang up", "End", "end"));
    else if (stage === "WrappingUp") fill(chat.controls, act("结束整理 End wrap-up", "FinishWrapUp", "finish-wrap-up"));
    else fill(chat.controls, act("继续接听 Continue", "Complete", "continue"), act("话后整理 Wrap-up", "EnterWrapUp", "wrap-up"));
  } else {
    fill(chat.controls, stage === "Active" ? act("结束会话", "End", "end") : act("完成会话", "Complete", "complete"));
    chat.text.disabled = stage !== "Active";
    chat.cardButton.disabled = stage !== "Active";
    chat.phrases.enable(stage === "Active");
  }
}

/** The messages numbered after the last one shown, in pages of the hub's size. */
async function catchUp(chat) {
  let after = chat.numbers.upTo;
  for (;;) {
    const page = await hub.invoke("Messages", chat.conversationId, after);
    for (const m of page) showMessage(chat, { seq: m.seq, sender: m.sender, messageKind: m.kind, content: m.content, at: m.sentAt });
    if (page.length) after = page[page.length - 1].seq;
    if (page.length < 500) break;
  }
  chat.numbers.settle(after);
}

function onMessage(push) {
  const chat = chats.get(push.conversationId);
  if (!chat) return;
  if (chat.numbers.skips(push.seq)) catchUp(chat).catch((e) => notice(describe(e))); // a gap: what came between is on record
  else showMessage(chat, push);
}

function showMessage(chat, m) {
  if (!chat.numbers.take(m.seq)) return; // shown already
  const body = m.messageKind === "image" ? h("img", { src: m.content, alt: "图片 image" })
    : m.messageKind === "card" ? cardElement(m.content) : m.content;
  placeBySeq(chat.list, h("li", { class: m.sender, "data-seq": m.seq, title: clock(m.at) }, body), m.seq);
  chat.list.scrollTop = chat.list.scrollHeight;
  if (m.sender === "visitor" && !(document.hasFocus() && chat.panel.contains(document.activeElement))) {
    chat.unreadCount += 1;
    chat.unread.hidden = false;
    chat.unread.textContent = String(chat.unreadCount);
  }
}

function markRead(chat) {
  chat.unreadCount = 0;
  chat.unread.hidden = true;
}

function onConversation(push) {
  const chat = chats.get(push.conversationId);
  if (push.status === "Completed") return closeChat(push.conversationId);
  if (push.status === "Active" && !chat) {
    // Answered in another tab of this agent's: the offer stops ringing here and the chat opens.
    dropOffer(push.conversationId);
    openChat(push.conversationId, "Active").catch((e) => notice(describe(e)));
    return;
  }
  if (!chat) return;
  if (push.status === "Ended") {
    chat.stage = chat.phone ? "AfterCall" : "Ended";
    if (push.reason && push.reason !== "AgentEnded") chat.list.append(h("li", { class: "system" }, `会话已结束 (${push.reason})`));
    renderChatControls(chat);
  }
}

function closeChat(conversationId) {
  const chat = chats.get(conversationId);
  if (!chat) return;
  chat.panel.remove();
  chats.delete(conversationId);
}

// ---- My phrases (MK-7) -----------------------------------------------------------------------------------------------

async function showPhrases() {
  const section = $("phrases");
  const open = !section.dataset.open;
  $("show-phrases").setAttribute("aria-expanded", String(open));
  if (!open) {
    delete section.dataset.open;
    return fill(section);
  }
  section.dataset.open = "1";
  try {
    await phraseManager(section, tenantBase, notice);
  } catch (e) {
    notice(describe(e));
  }
}

// ---- Service records (AS-8) --------------------------------------------------------------------------------------------

async function showRecords() {
  const section = $("records");
  if (section.dataset.open) {
    delete section.dataset.open;
    return fill(section);
  }
  section.dataset.open = "1";
  const from = h("input", { type: "datetime-local", "aria-label": "从 From" });
  const to = h("input", { type: "datetime-local", "aria-label": "到 To" });
  const group = h("input", { type: "text", placeholder: "技能组 ID · group id", "aria-label": "技能组 Group" });
  const table = h("div");
  const load = async () => {
    const query = new URLSearchParams();
    if (from.value) query.set("from", new Date(from.value).toISOString());
    if (to.value) query.set("to", new Date(to.value).toISOString());
    if (group.value.trim()) query.set("skillGroupId", group.value.trim());
    try {
      const rows = (await api("GET", `${tenantBase}/me/records?${query}`)).records;
      fill(table, h("table", {},
        h("tr", {}, ["时间 Time", "方式 Mode", "客户 Customer", "技能组 Group", "状态 Status", "时长 Duration"].map((c) => h("th", {}, c))),
        rows.map((r) => h("tr", {}, h("td", {}, new Date(r.createdAt).toLocaleString()), h("td", {}, r.mode), h("td", {}, r.customer),
          h("td", {}, r.skillGroupName ?? r.skillGroupId ?? ""), h("td", {}, r.status), h("td", {}, r.durationSeconds === null ? "" : `${r.durationSeconds}s`)))));
    } catch (e) {
      fill(table, h("p", { class: "error" }, describe(e)));
    }
  };
  fill(section, h("h3", {}, "我的服务记录 My service records"), h("div", { class: "row" }, from, to, group, h("button", { onclick: load }, "查询")), table);
  await load();
}

start();
