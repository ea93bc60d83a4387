// How the console shows the API's figures: counts, rates as percentages, durations as m:ss, and "--" for a figure
// with nothing to count (null). Tables of rows go in as text only: names are someone's writing.
import { h } from "/dom.js";

export const none = "--";

const missing = (value) => value === null || value === undefined;

/** A count, grouped by thousands. */
export const count = (value) => (missing(value) ? none : Number(value).toLocaleString("en-US"));

/** A rate of 0..1 as a percentage with one decimal: 0.6667 is "66.7%". */
export const percent = (rate) => (missing(rate) ? none : `${(rate * 100).toFixed(1)}%`);

/** A number with two decimals (traffic in Erlangs). */
export const decimal = (value) => (missing(value) ? none : value.toFixed(2));

/** Seconds, rounded to the second, as m:ss (h:mm:ss from an hour): 125.4 is "2:05". */
export function duration(seconds) {
  if (missing(seconds)) return none;
  const total = Math.round(seconds);
  const pad = (n) => String(n).padStart(2, "0");
  const [hours, minutes, rest] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return hours ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
}

/** A table of rows: `columns` are { head, cell(row) } (a cell's text, or a node); `key(row)` names each row in its data-key. */
export function table(columns, rows, key) {
  return h("table", {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.head)))),
    h("tbody", {}, rows.map((row) => h("tr", { "data-key": key(row) }, columns.map((c) => h("td", {}, c.cell(row)))))));
}
