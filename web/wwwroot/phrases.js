// MK-7 phrase library (话术库) on the workbench: a search box in each chat over the FAQ (百问百答), the enterprise phrases
// and the agent's own, whose pick fills the chat's message box (the agent edits and sends it); and 我的话术, where the
// agent keeps their personal phrases. Everything in the library is someone's writing, so it goes in as text only.
import { h, fill } from "/dom.js";
import { api, upload, describe } from "/api.js";

/** How long the search waits after the last keystroke. */
const debounceMs = 250;

const groups = [
  { name: "百问百答", kind: "faq", label: (e) => e.question, text: (e) => e.answer },
  { name: "企业话术", kind: "enterprise", label: (p) => p.title || p.text, text: (p) => p.text },
  { name: "个人话术", kind: "personal", label: (p) => p.title || p.text, text: (p) => p.text },
];

/**
 * A chat's phrase box: a search field and its results, grouped. `pick(text)` gets the text of the result chosen (an FAQ
 * entry's answer, a phrase's text). Only the latest search shows, however its answers arrive.
 */
export function phraseBox(tenantBase, pick) {
  const search = h("input", { type: "search", class: "phrase-search", maxlength: 200, autocomplete: "off",
    placeholder: "搜索话术 · Search phrases", "aria-label": "搜索话术 Search phrases" });
  const results = h("div", { class: "phrase-results", role: "region", "aria-label": "话术 Phrases", "aria-live": "polite" });
  let timer = null;
  let asked = 0;

  const clear = () => {
    clearTimeout(timer);
    asked += 1;
    fill(results);
  };
  const choose = (text) => {
    search.value = "";
    clear();
    pick(text);
  };
  const show = (found) => {
    const byKind = { faq: found.faq, enterprise: found.phrases.filter((p) => p.kind === "enterprise"), personal: found.phrases.filter((p) => p.kind === "personal") };
    const shown = groups.filter((g) => byKind[g.kind].length).map((g) =>
      h("section", { class: "phrase-group", "data-kind": g.kind, "aria-label": g.name },
        h("h4", {}, g.name),
        h("ul", {}, byKind[g.kind].map((item) => {
          const label = g.label(item);
          const text = g.text(item);
          return h("li", {}, h("button", { type: "button", class: "phrase-pick", "data-id": item.id, title: text, onclick: () => choose(text) },
            h("span", { class: "phrase-label" }, label),
            label === text ? null : h("span", { class: "phrase-text" }, text)));
        }))));
    fill(results, shown.length ? shown : h("p", { class: "muted" }, "没有找到 · No match"));
  };
  const run = async () => {
    clearTimeout(timer);
    const q = search.value.trim();
    const mine = ++asked;
    if (!q) return fill(results);
    try {
      const found = await api("GET", `${tenantBase}/me/phrase-search?q=${encodeURIComponent(q)}&limit=5`);
      if (mine === asked) show(found);
    } catch (e) {
      if (mine === asked) fill(results, h("p", { class: "error" }, describe(e)));
    }
  };
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      run();
    } else if (event.key === "Escape") {
      search.value = "";
      clear();
    } else if (event.key === "ArrowDown") {
      const first = results.querySelector("button.phrase-pick");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  // Up and down move between the results; Escape goes back to the search.
  results.addEventListener("keydown", (event) => {
    const picks = [...results.querySelectorAll("button.phrase-pick")];
    const at = picks.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === "ArrowDown" && at + 1 < picks.length) picks[at + 1].focus();
    else if (event.key === "ArrowUp") (at > 0 ? picks[at - 1] : search).focus();
    else if (event.key === "Escape") search.focus();
    else return;
    event.preventDefault();
  });
  const box = h("div", { class: "phrase-box" }, search, results);
  return {
    box,
    /** A chat that is no longer active takes no phrases. */
    enable(on) {
      search.disabled = !on;
      if (!on) {
        search.value = "";
        clear();
      }
    },
  };
}

/**
 * 我的话术: the agent's personal phrases in `section`, with a form to add one or change one, delete, a category filter,
 * and CSV import and export (columns category,title,text).
 */
export async function phraseManager(section, tenantBase, notice) {
  const mine = `${tenantBase}/me/phrases`;
  const categories = h("datalist", { id: "phrase-categories" });
  const category = h("input", { type: "text", name: "category", maxlength: 20, list: "phrase-categories", placeholder: "默认" });
  const title = h("input", { type: "text", name: "title", maxlength: 30 });
  const text = h("textarea", { name: "text", maxlength: 2000, required: true });
  const save = h("button", { class: "primary", type: "submit" }, "添加 Add");
  const cancel = h("button", { type: "button", hidden: true }, "取消修改 Cancel");
  const form = h("form", { class: "phrase-form", id: "phrase-form", "aria-label": "编辑话术 Edit a phrase" },
    h("label", {}, "分类 Category ", category), h("label", {}, "标题 Title ", title), h("label", { class: "phrase-body" }, "内容 Text ", text),
    h("div", { class: "row" }, save, cancel), categories);
  const filter = h("select", { "aria-label": "按分类 By category" });
  const table = h("tbody");
  const count = h("span", { class: "muted", "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true }, "更多 More");
  const file = h("input", { type: "file", accept: ".csv,text/csv", class: "phrase-import" });
  const exported = h("a", { href: `${mine}/export`, download: "我的话术.csv", class: "phrase-export" }, "导出 CSV Export");
  let editing = null;
  let loaded = 0;

  const reset = () => {
    editing = null;
    form.reset();
    save.textContent = "添加 Add";
    cancel.hidden = true;
  };
  const edit = (phrase) => {
    editing = phrase.id;
    category.value = phrase.category;
    title.value = phrase.title ?? "";
    text.value = phrase.text;
    save.textContent = "保存修改 Save";
    cancel.hidden = false;
    text.focus();
  };
  const row = (phrase) => h("tr", { "data-id": phrase.id },
    h("td", {}, phrase.category), h("td", {}, phrase.title ?? ""), h("td", { class: "phrase-text" }, phrase.text),
    h("td", {},
      h("button", { type: "button", class: "phrase-edit", "aria-label": `修改 Edit ${phrase.title || phrase.text}`, onclick: () => edit(phrase) }, "修改"),
      h("button", { type: "button", class: "phrase-delete", "aria-label": `删除 Delete ${phrase.title || phrase.text}`, onclick: () => remove(phrase) }, "删除")));
  const loadCategories = async () => {
    const names = await api("GET", `${mine}/categories`);
    const chosen = filter.value;
    fill(categories, names.map((n) => h("option", { value: n })));
    fill(filter, h("option", { value: "" }, "全部分类 All"), names.map((n) => h("option", { value: n }, n)));
    filter.value = names.includes(chosen) ? chosen : "";
  };
  const load = async (from = 0) => {
    const query = new URLSearchParams({ offset: String(from), limit: "200" });
    if (filter.value) query.set("category", filter.value);
    const page = await api("GET", `${mine}?${query}`);
    if (from === 0) fill(table);
    table.append(...page.items.map(row));
    loaded = from + page.items.length;
    count.textContent = `共 ${page.total} 条 · ${page.total} phrases`;
    more.hidden = loaded >= page.total;
  };
  const refresh = async () => {
    await loadCategories();
    await load();
  };
  const act = async (work) => {
    try {
      await work();
      notice("");
    } catch (e) {
      notice(describe(e));
    }
  };
  const remove = (phrase) => act(async () => {
    if (!confirm(`删除这条话术？ Delete this phrase?\n\n${phrase.text}`)) return;
    await api("DELETE", `${mine}/${encodeURIComponent(phrase.id)}`);
    if (editing === phrase.id) reset();
    await refresh();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(async () => {
      // A blank category is 默认 and a blank title none, on adding and on changing alike.
      const body = { category: category.value, title: title.value, text: text.value };
      save.disabled = true;
      try {
        if (editing) await api("PATCH", `${mine}/${encodeURIComponent(editing)}`, body);
        else await api("POST", mine, body);
      } finally {
        save.disabled = false;
      }
      reset();
      await refresh();
    });
  });
  cancel.addEventListener("click", reset);
  filter.addEventListener("change", () => act(() => load()));
  more.addEventListener("click", () => act(() => load(loaded)));
  file.addEventListener("change", () => act(async () => {
    const chosen = file.files[0];
    file.value = "";
    if (!chosen) return;
    const result = await upload(`${mine}/import`, chosen);
    await refresh();
    count.textContent = `已导入 ${result.added} 条 · imported ${result.added}; ${count.textContent}`;
  }));

  fill(section,
    h("h3", {}, "我的话术 My phrases"),
    form,
    h("div", { class: "row" }, filter, count, h("label", { class: "muted" }, "导入 CSV Import ", file), exported),
    h("table", {}, h("thead", {}, h("tr", {}, ["分类 Category", "标题 Title", "内容 Text", ""].map((c) => h("th", {}, c)))), table),
    more);
  await refresh();
}
