// One script tag on the website channel's own pages opens the chat in a corner:
//   <script src="https://ENGINE/chat/embed.js" data-channel="CHANNEL_KEY" async></script>
(() => {
  const script = document.currentScript;
  const key = script?.dataset.channel;
  if (!key) return;
  const origin = new URL(script.src).origin;
  const frame = document.createElement("iframe");
  frame.src = `${origin}/chat/${encodeURIComponent(key)}`;
  frame.title = "在线客服 Chat";
  frame.style.cssText = "position:fixed;right:16px;bottom:72px;width:360px;height:520px;border:1px solid #d0d7de;border-radius:10px;box-shadow:0 8px 24px rgba(0,0,0,.15);display:none;z-index:2147483000;background:#fff";
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "在线客服";
  button.style.cssText = "position:fixed;right:16px;bottom:16px;padding:10px 16px;border-radius:20px;border:none;background:#1f6feb;color:#fff;font:inherit;cursor:pointer;z-index:2147483000";
  button.addEventListener("click", () => { frame.style.display = frame.style.display === "none" ? "block" : "none"; });
  document.body.append(frame, button);
})();
