// MK-8 business cards (名片). A message of kind "card" holds {personId, name, nickname, staffNo, text} as JSON; the
// workbench and the web chat show it as a card. Every field is someone's writing, so it goes in as text only.
import { h } from "/dom.js";

const text = (value) => (typeof value === "string" ? value : "");

/** The card's fields from a message's content, or null when the content is not a card's JSON. */
export function parseCard(content) {
  try {
    const card = JSON.parse(content);
    return card && typeof card === "object" && !Array.isArray(card) ? card : null;
  } catch {
    return null;
  }
}

/** A card as people read it: the person's name (and nickname), staff number, and the invitation. */
export function cardElement(content) {
  const card = parseCard(content);
  if (!card) return h("span", { class: "business-card broken" }, "名片 · business card");
  const name = text(card.name);
  const nickname = text(card.nickname);
  return h("div", { class: "business-card", "data-person": text(card.personId) },
    h("span", { class: "card-label" }, "名片 · 加个好友吧"),
    h("strong", { class: "card-name" }, nickname && nickname !== name ? `${name}（${nickname}）` : name),
    text(card.staffNo) ? h("span", { class: "card-staff" }, `工号 ${text(card.staffNo)}`) : null,
    h("p", { class: "card-text" }, text(card.text)));
}

/** The invitation a card starts with (the server's default), with the person's name filled in. */
export const defaultInvitation = (name) => `您好，我是${name}，加个好友吧，有问题随时找我。`;

/** The name a customer knows a person by: the nickname when there is one. */
export const shownName = (person) => text(person?.nickname) || text(person?.name);
