// The visitor's web chat of a website channel: /chat/{channelKey}. The browser keeps its visitor id (so a returning
// visitor keeps their last agent, RT-3); what the flow and the agent say comes as pushes; after a reconnect the chat asks
// for the messages after the last number it showed, so nothing is missed or shown twice.
import { h, randomId, Numbered, placeBySeq } from "/dom.js";
import { upload } from "/api.js";
import { cardElement } from "/card.js";

const channelKey = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] ?? "");
const storageKey = `engine.visitor.${channelKey}`;
let visitorId = localStorage.getItem(storageKey);
if (!visitorId || !/^[A-Za-z0-9_-]{16,64}$/.test(visitorId)) {
  visitorId = randomId();
  localStorage.setItem(storageKey, visitorId);
}

const transcript = document.getElementById("transcript");
const state = document.getElementById("state");
const text = document.getElementById("text");
let numbers = new Numbered();
let conversationId = null;

function content(kind, body) {
  if (kind === "image") return h("img", { src: body, alt: "图片 image" });
  if (kind === "card") return cardElement(body);
  return body;
}

/** A line of the transcript; a numbered one (the conversation with the agent) shows once, in number order. */
function say(from, body, seq) {
  const item = h("li", { class: from, "data-seq": seq ?? null }, body);
  if (seq === undefined || seq === null) transcript.append(item);
  else if (numbers.take(seq)) placeBySeq(transcript, item, seq);
  transcript.scrollTop = transcript.scrollHeight;
}

/** A new conversation numbers its messages from 1 again. */
function enter(id) {
  if (!id || id === conversationId) return;
  conversationId = id;
  numbers = new Numbered();
  // The lines of the conversation before stay as they are, above: only the new one's numbers order its lines.
  for (const line of transcript.querySelectorAll("li[data-seq]")) line.removeAttribute("data-seq");
}

function show(now) {
  if (!now) return;
  enter(now.conversationId);
  if (now.status === "queued") state.textContent = now.position === 0 ? "排队中，您是下一位 · You are next" : `排队中，您前面还有 ${now.position} 位 · ${now.position} ahead of you`;
  else if (now.status === "connected" && now.agent) state.textContent = `客服 ${now.agent.nickname ?? ""} (${now.agent.staffNo ?? ""}) 为您服务`;
  else if (now.status === "ended") state.textContent = "会话已结束 · The conversation has ended";
  else if (now.status === "withRobot") state.textContent = "智能助手为您服务 · The assistant is answering";
  else state.textContent = "在线 · Online";
}

function onReply(answer) {
  enter(answer.conversationId);
  let gap = false;
  for (const reply of answer.replies ?? []) {
    if (reply.from === "agent") {
      gap ||= numbers.skips(reply.seq);
      say("agent", content(reply.kind, reply.text), reply.seq);
    } else if (reply.text) {
      say(reply.from === "robot" ? "robot" : "flow", reply.text);
    }
  }
  show(answer);
  if (gap) resync().catch(() => null); // the next reconnect or push tries again
}

const hub = new signalR.HubConnectionBuilder()
  .withUrl(`/hubs/visitor?channel=${encodeURIComponent(channelKey)}&visitor=${encodeURIComponent(visitorId)}`)
  .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (retry) => Math.min(10000, 500 * 2 ** retry.previousRetryCount) })
  .withStatefulReconnect()
  .build();
hub.on("reply", onReply);
hub.onreconnecting(() => { state.textContent = "重新连接中… reconnecting"; });
hub.onreconnected(() => resync().catch((error) => { state.textContent = `同步失败 · resync failed: ${error.message}`; }));
hub.onclose((error) => {
  state.textContent = `已断开 · disconnected${error ? `: ${error.message}` : ""}`;
  setTimeout(connect, 5000);
});

async function resync() {
  const known = conversationId;
  let chat = await hub.invoke("Resync", numbers.upTo);
  // Another conversation began meanwhile (another tab): all of it, from its first message.
  if (chat.now && chat.now.conversationId !== known && numbers.upTo > 0) chat = await hub.invoke("Resync", 0);
  if (chat.now) show(chat.now);
  else state.textContent = "在线 · Online";
  for (;;) {
    for (const m of chat.messages) say(m.from, content(m.kind, m.content), m.seq);
    if (chat.messages.length < 500) break;
    chat = await hub.invoke("Resync", chat.messages[chat.messages.length - 1].seq);
  }
}

async function connect() {
  try {
    await hub.start();
    await resync();
  } catch (error) {
    state.textContent = `连接失败 · cannot connect: ${error.message}`;
  }
}

document.getElementById("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = text.value.trim();
  if (!body) return;
  text.value = "";
  try {
    const ack = await hub.invoke("Send", body);
    enter(ack.conversationId);
    say("visitor", body, ack.seq);
  } catch (error) {
    say("system", `发送失败 · not sent: ${error.message}`);
    text.value = body;
  }
});
// Closing the tab is not leaving (the visitor may come back to the same conversation); this button is.
document.getElementById("leave").addEventListener("click", async () => {
  try {
    await hub.invoke("Leave");
    state.textContent = "会话已结束 · The conversation has ended";
  } catch (error) {
    say("system", `未能结束 · could not end: ${error.message}`);
  }
});

document.getElementById("image").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  try {
    const ack = await upload(`/api/v1/chat/${encodeURIComponent(channelKey)}/images?visitor=${encodeURIComponent(visitorId)}`, file);
    enter(ack.conversationId);
    say("visitor", content("image", ack.url), ack.seq);
  } catch (error) {
    say("system", `图片未发送 · image not sent: ${error.message}`);
  }
});

text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    document.getElementById("composer").requestSubmit();
  }
});

connect();
