/* Knowledge editing, shared by the knowledge page and the ask page: an item's form, the basis picker, diffs. */
"use strict";
(function () {
  const { h, api, DIMENSIONS } = window.CB;

  const KINDS = { requirement: "要求", problem: "高发问题", step: "流程步骤", faq: "常见问答", case: "案例" };
  const TEXT = "text";
  const AREA = "area";
  const LINES = "lines";
  /* The fields staff edit, per kind: [name, label, how]. Fields not listed (conditions, stage…) are kept as they are. */
  const FIELDS = {
    requirement: [["title", "标题", TEXT], ["dimension", "维度", "dimension"], ["detail", "说明", AREA], ["department", "部门", TEXT], ["materials", "材料（每行一项）", LINES], ["keywords", "常用说法（每行一个）", LINES]],
    problem: [["title", "标题", TEXT], ["dimension", "维度", "dimension"], ["detail", "问题是怎么发生的", AREA], ["advice", "如何避免", AREA], ["keywords", "常用说法（每行一个）", LINES]],
    step: [["title", "标题", TEXT], ["order", "顺序", "number"], ["detail", "说明", AREA], ["department", "部门", TEXT], ["duration", "法定时限", TEXT]],
    faq: [["question", "问题", TEXT], ["answer", "答复", AREA], ["project_types", "适用项目类型编号（每行一个）", LINES]],
    case: [["title", "标题", TEXT], ["situation", "情况", AREA], ["problems_met", "遇到的问题（每行一个）", LINES], ["resolution", "解决办法", AREA], ["outcome", "结果", AREA], ["project_types", "项目类型编号（每行一个）", LINES]],
  };
  let count = 0;

  const field = (label, input, hint) =>
    h("div", { class: "field" }, h("label", { for: input.id, text: label }), input, hint ? h("p", { class: "hint", text: hint }) : "");

  /** Show the API's {field: "答复（answer）", message} problems next to the inputs they name; the rest in `status`. */
  function markErrors(form, detail, status) {
    for (const old of form.querySelectorAll(".field-error")) old.remove();
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    const unplaced = [];
    for (const { field: name, message } of detail || []) {
      const path = (/（([^（）]+)）$/.exec(name) || [null, name])[1];
      const input = form.querySelector(`[name="${CSS.escape(path.split(".")[0])}"]`);
      if (!input) {
        unplaced.push(`${name}：${message}`);
        continue;
      }
      const id = `${input.id}-error`;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
      input.closest(".field, fieldset")?.append(h("p", { class: "field-error", id, text: `${name}：${message}` }));
    }
    if (unplaced.length && status) status.textContent += `（${unplaced.join("；")}）`;
  }

  /**
   * The basis of an item: its citations, each removable, and a search of the corpus to add one. A chosen article's
   * full text is put in the quote box, to be cut down to the sentence that supports the item (it must stay verbatim).
   */
  function basisEditor(initial, titles = {}) {
    const n = ++count;
    const rows = h("ol", { class: "basis-list" });
    const add = (b, title) => {
      const quote = h("textarea", { id: `basis${n}-${rows.childElementCount}`, name: "basis", rows: "3", value: b.quote || "" });
      const li = h(
        "li",
        { class: "basis-row", dataset: { doc: b.doc_id, article: b.article } },
        h("div", { class: "field" }, h("label", { for: quote.id, text: `《${title || b.doc_id}》${b.article} 引文（须与原文逐字一致，可删减到支持本条的句子）` }), quote),
        h("button", { type: "button", class: "btn small", text: "移除", onclick: () => li.remove() }),
      );
      rows.append(li);
      return quote;
    };
    for (const b of initial || []) add(b, titles[b.doc_id]);
    const q = h("input", { id: `basis${n}-q`, type: "search", maxlength: "200", placeholder: "法规名称、条号或内容，如 娱乐场所 地下" });
    const results = h("ul", { class: "article-hits" });
    const status = h("p", { class: "small muted", role: "status" });
    const search = async () => {
      if (!q.value.trim()) return;
      status.textContent = "正在搜索条文…";
      try {
        const hits = await api(`/api/v1/kb/articles?q=${encodeURIComponent(q.value.trim())}`);
        status.textContent = hits.length ? `找到 ${hits.length} 条，点“选用”加入依据。` : "没有找到相关条文，换个说法试试。";
        results.replaceChildren(
          ...hits.map((hit) =>
            h(
              "li",
              { class: "article-hit" },
              h("strong", { text: `《${hit.title}》${hit.article}` }),
              h("p", { class: "small", text: hit.text.length > 160 ? `${hit.text.slice(0, 160)}…` : hit.text }),
              h("button", {
                type: "button",
                class: "btn small",
                text: "选用",
                onclick: () => {
                  add({ doc_id: hit.doc_id, article: hit.article, quote: hit.text }, hit.title).focus();
                  results.replaceChildren();
                  status.textContent = `已加入《${hit.title}》${hit.article}，请把引文删减到支持本条的句子。`;
                },
              }),
            ),
          ),
        );
      } catch (error) {
        status.textContent = error.message;
      }
    };
    q.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        search();
      }
    });
    const node = h(
      "fieldset",
      { class: "basis-editor" },
      h("legend", { text: "法规依据" }),
      rows,
      h("div", { class: "basis-search" }, field("搜索法规条文作为依据", q), h("button", { type: "button", class: "btn small", text: "搜索条文", onclick: search })),
      status,
      results,
    );
    node.value = () => [...rows.children].map((li) => ({ doc_id: li.dataset.doc, article: li.dataset.article, quote: li.querySelector("textarea").value.trim() }));
    return node;
  }

  function readField(input, how) {
    if (how === LINES) return input.value.split(/\n|[,，]/).map((s) => s.trim()).filter(Boolean);
    if (how === "number") return Number(input.value);
    return input.value.trim();
  }

  const same = (a, b) => JSON.stringify(a ?? (Array.isArray(b) ? [] : "")) === JSON.stringify(b ?? (Array.isArray(a) ? [] : ""));

  /**
   * The form of one item. opts: {kind, id (null: a new FAQ/case, or the id typed in for a new item), item (current,
   * or {} when new), titles (doc_id → regulation title), isNew, feedbackId, reason, onDone(change)}. Edits send only the changed fields (PATCH);
   * a new item is sent whole (POST). The answer says whether it is live or waits for review.
   */
  function editor(opts) {
    const n = ++count;
    const item = opts.item || {};
    const inputs = [];
    const parts = [];
    for (const [name, label, how] of FIELDS[opts.kind]) {
      const id = `kbe${n}-${name}`;
      let input;
      if (how === AREA) input = h("textarea", { id, name, rows: "5", value: item[name] || "" });
      else if (how === LINES) input = h("textarea", { id, name, rows: "3", value: (item[name] || []).join("\n") });
      else if (how === "dimension") {
        input = h("select", { id, name }, DIMENSIONS.map((d) => h("option", { value: d, text: d, selected: item[name] === d })));
      } else input = h("input", { id, name, type: how === "number" ? "number" : "text", value: item[name] ?? "" });
      inputs.push([name, input, how]);
      parts.push(field(label, input));
    }
    const grounded = opts.kind !== "case";
    const basis = grounded ? basisEditor(item.basis, opts.titles) : null;
    const pending = grounded ? h("input", { id: `kbe${n}-pending`, name: "basis_pending", type: "checkbox", checked: !!item.basis_pending }) : null;
    const pendingNote = grounded ? h("input", { id: `kbe${n}-note`, name: "pending_note", type: "text", maxlength: "300", value: item.pending_note || "" }) : null;
    const reason = h("input", { id: `kbe${n}-reason`, name: "reason", type: "text", maxlength: "500", value: opts.reason || "" });
    const submit = h("button", { type: "submit", class: "btn primary", text: opts.isNew ? "提交新增" : "提交修改" });
    const status = h("p", { class: "small", role: "status" });
    const form = h(
      "form",
      { class: "kb-editor", novalidate: true, dataset: { kind: opts.kind } },
      ...parts,
      basis || "",
      grounded
        ? h("div", { class: "pending-row" }, h("label", { class: "check" }, pending, " 依据待补充（语料中没有可引用的条文）"), field("依据待补充说明", pendingNote, "勾选时必填，写明缺少的依据来源，如“以窗口答复为准”。"))
        : "",
      field("修改原因", reason, "必填：审核和版本记录中显示。"),
      h("div", { class: "form-actions" }, submit, status),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const fields = {};
      for (const [name, input, how] of inputs) {
        const value = readField(input, how);
        if (opts.isNew ? value !== "" && !(Array.isArray(value) && !value.length) : !same(item[name], value)) fields[name] = value === "" ? null : value;
      }
      if (grounded) {
        const chosen = basis.value();
        if (opts.isNew || !same(item.basis || [], chosen)) fields.basis = chosen;
        if (opts.isNew || !!item.basis_pending !== pending.checked) fields.basis_pending = pending.checked;
        const note = pendingNote.value.trim() || null;
        if (opts.isNew ? note : (item.pending_note || null) !== note) fields.pending_note = note;
      }
      const body = { item: fields, reason: reason.value };
      if (opts.feedbackId) body.feedback_id = opts.feedbackId;
      submit.disabled = true;
      status.className = "small muted";
      status.textContent = "正在校验并提交…";
      markErrors(form, []);
      try {
        let change;
        if (opts.isNew) {
          body.kind = opts.kind;
          const id = typeof opts.id === "function" ? opts.id() : opts.id;
          change = await api(id ? `/api/v1/kb/items/${encodeURIComponent(id)}` : "/api/v1/kb/items", { method: "POST", body });
        } else {
          change = await api(`/api/v1/kb/items/${encodeURIComponent(opts.id)}`, { method: "PATCH", body });
        }
        status.className = "small ok-text";
        status.textContent = change.status === "已生效" ? `已生效（修改记录 ${change.id}），知识库已更新。` : `已提交（修改记录 ${change.id}），等待管理员审核。`;
        if (opts.onDone) opts.onDone(change);
      } catch (error) {
        submit.disabled = false;
        status.className = "small err-text";
        status.textContent = error.message;
        markErrors(form, error.detail, status);
      }
    });
    return form;
  }

  const show = (v) => (v == null || v === "" ? "（空）" : typeof v === "object" ? JSON.stringify(v, null, 1) : v === true ? "是" : v === false ? "否" : String(v));

  /** A change's diff: field, before, after. */
  function diffTable(diff) {
    return h(
      "table",
      { class: "diff" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "字段" }), h("th", { scope: "col", text: "原内容" }), h("th", { scope: "col", text: "修改为" }))),
      h(
        "tbody",
        {},
        diff.map((d) => h("tr", {}, h("th", { scope: "row", text: d.label }), h("td", { class: "before pre", text: show(d.before) }), h("td", { class: "after pre", text: show(d.after) }))),
      ),
    );
  }

  window.KB = { KINDS, editor, basisEditor, diffTable, markErrors };
})();
