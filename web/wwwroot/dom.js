// DOM helpers shared by the pages. Everything a person wrote (messages, names, ids) goes in as text, never as HTML.

/** An element with attributes (strings; `on*` keys take listeners) and children (nodes or strings, as text). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}

/** hh:mm:ss of an ISO time, in the browser's zone. */
export function clock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A random id of 24 URL-safe characters (the web chat's visitor id). */
export function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}

/**
 * The numbers of a conversation's messages shown so far: each shows once, and `upTo` is the last number before the
 * first gap, which is what a page asks the server for after a reconnect (or when a push skips a number).
 */
export class Numbered {
  constructor() {
    this.shown = new Set();
    this.upTo = 0;
  }

  /** True the first time a number is seen (it is then shown); false for a number shown already. */
  take(seq) {
    if (seq <= this.upTo || this.shown.has(seq)) return false;
    this.shown.add(seq);
    while (this.shown.has(this.upTo + 1)) {
      this.shown.delete(this.upTo + 1);
      this.upTo += 1;
    }
    return true;
  }

  /**
   * After a complete catch-up from the record, a number still missing never will be on record (its write failed):
   * what was shown up to `seq` counts as the whole, so that later catch-ups start after it.
   */
  settle(seq) {
    for (const shown of this.shown) if (shown <= seq) this.shown.delete(shown);
    if (seq > this.upTo) this.upTo = seq;
    while (this.shown.has(this.upTo + 1)) {
      this.shown.delete(this.upTo + 1);
      this.upTo += 1;
    }
  }

  /** Whether a number leaves a gap after what was shown (something between was missed). */
  skips(seq) {
    return seq > this.upTo + 1;
  }
}

/** Adds a numbered item to a list in number order (unnumbered items, such as the flow's prompts, stay where they are). */
export function placeBySeq(list, item, seq) {
  for (const other of list.children) {
    if (other.dataset.seq && Number(other.dataset.seq) > seq) return list.insertBefore(item, other);
  }
  return list.append(item);
}
