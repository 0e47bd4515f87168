/* Staff pages: shared helpers — field errors, save indicators, the 转为常见问答 form, history lines (needs kb-editor.js). */
"use strict";
(function () {
  const { h, api, formatDate } = window.CB;

  /** Mark inputs named in a 422 `detail` list ({field, message}) and show the message under each. */
  function showFieldErrors(form, detail) {
    for (const old of form.querySelectorAll(".field-error")) old.remove();
    for (const input of form.querySelectorAll("[aria-invalid]")) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
    for (const { field, message } of detail || []) {
      const name = String(field).split(".")[0];
      const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!input) continue;
      const id = `${input.id || name}-error`;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
      input.closest(".field")?.append(h("p", { class: "field-error", id, text: message }));
    }
  }

  /** A small role=status span: saving… → 已保存 ✓ (fades) or the error message. */
  function indicator() {
    const el = h("span", { class: "saved", role: "status" });
    let timer = null;
    el.saving = () => {
      clearTimeout(timer);
      el.className = "saved";
      el.textContent = "保存中…";
    };
    el.ok = (text = "已保存 ✓") => {
      el.className = "saved ok";
      el.textContent = text;
      clearTimeout(timer);
      timer = setTimeout(() => (el.textContent = ""), 4000);
    };
    el.fail = (message) => {
      clearTimeout(timer);
      el.className = "saved err";
      el.textContent = `保存失败：${message}`;
    };
    return el;
  }

  const articles = new Map();
  function loadArticle(doc, article) {
    const key = `${doc}/${article}`;
    if (!articles.has(key)) {
      const request = api(`/api/v1/articles/${encodeURIComponent(doc)}/${encodeURIComponent(article)}`);
      request.catch(() => articles.delete(key));
      articles.set(key, request);
    }
    return articles.get(key);
  }

  let formCount = 0;
  /**
   * 转为常见问答: question, corrected answer, project types, basis chosen from an article search → POST /api/v1/kb/items
   * (kind faq). The original answer's citations are not offered: the answer was wrong, so they may not support the
   * correction. A 专员's entry waits for a 管理员's review; a 管理员's is live at once.
   * opts: {question, answer, feedbackId, types: [{id, name}], onDone(change)}
   */
  function faqForm(opts) {
    const n = ++formCount;
    const id = (name) => `faq${n}-${name}`;
    const field = (label, input, hint) =>
      h("div", { class: "field" }, h("label", { for: input.id, text: label }), input, hint ? h("p", { class: "hint", text: hint }) : "");
    const question = h("input", { id: id("q"), name: "question", type: "text", maxlength: "300", value: opts.question || "" });
    const answer = h("textarea", { id: id("a"), name: "answer", rows: "7", maxlength: "3000", value: opts.answer || "" });
    const types = opts.types || [];
    const typeBoxes = types.map((t) =>
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "project_types", value: t.id, checked: true }), ` ${t.name}`),
    );
    const typeText = types.length ? null : h("input", { id: id("t"), name: "project_types", type: "text", placeholder: "类型编号，逗号分隔，如 swimming,fitness" });
    const basis = window.KB.basisEditor([]);
    const pending = h("input", { id: id("pending"), name: "pending_note", type: "text", maxlength: "300" });
    const reason = h("input", { id: id("reason"), name: "reason", type: "text", maxlength: "500", value: "纠正答复" });
    const submit = h("button", { type: "submit", class: "btn primary", text: "加入常见问答" });
    const status = h("p", { class: "small", role: "status" });
    const form = h(
      "form",
      { class: "faq-form", novalidate: true },
      field("问题", question),
      field("更正后的答复", answer, "请改成准确、完整的答复；管理员审核通过后进入知识库，今后同类问题优先采用。"),
      h(
        "fieldset",
        {},
        h("legend", { text: "适用项目类型" }),
        typeBoxes.length ? h("div", { class: "checks" }, typeBoxes) : field("项目类型编号", typeText),
      ),
      basis,
      field("依据待补充说明", pending, "没有可引用的条文时填写，如“以窗口答复为准”；不填时记为“工作人员补充的答复，法规依据待补充”。"),
      field("修改原因", reason),
      h("div", { class: "form-actions" }, submit, status),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = basis.value();
      const projectTypes = typeText
        ? typeText.value.split(/[,，\s]+/).filter(Boolean)
        : [...form.querySelectorAll("input[name=project_types]:checked")].map((b) => b.value);
      const item = { question: question.value.trim(), answer: answer.value.trim(), project_types: projectTypes, basis: chosen };
      if (!chosen.length) {
        item.basis_pending = true;
        item.pending_note = pending.value.trim() || "工作人员补充的答复，法规依据待补充";
      } else if (pending.value.trim()) {
        item.basis_pending = true;
        item.pending_note = pending.value.trim();
      }
      const body = { kind: "faq", item, reason: reason.value };
      if (opts.feedbackId) body.feedback_id = opts.feedbackId;
      submit.disabled = true;
      status.className = "small muted";
      status.textContent = "正在校验并提交…";
      showFieldErrors(form, []);
      try {
        const change = await api("/api/v1/kb/items", { method: "POST", body });
        status.className = "small ok-text";
        status.textContent =
          change.status === "已生效"
            ? `已加入常见问答（${change.item_id}），知识库已更新。`
            : `已提交（修改记录 ${change.id}），管理员审核通过后进入知识库。`;
        if (opts.onDone) opts.onDone(change);
      } catch (error) {
        submit.disabled = false;
        status.className = "small err-text";
        status.textContent = error.message;
        window.KB.markErrors(form, error.detail, status);
      }
    });
    return form;
  }

  const FIELDS = { name: "项目名称", specialist_name: "专员", specialist_phone: "专员电话", status: "项目状态" };
  const FACTS = {
    area_m2: "建筑面积",
    water_area_m2: "泳池水面面积",
    floor: "楼层",
    distance_to_school_m: "距中小学",
    has_pool: "设置游泳池",
    property_status: "房屋",
    has_property_certificate: "已有产权证",
    in_residential_building: "位于居民楼内",
    building_use: "规划用途",
  };
  const show = (v) => (v === "" || v == null ? "（空）" : typeof v === "boolean" ? (v ? "是" : "否") : String(v));

  /** One history entry in plain words; typeNames maps type ids to names where known. */
  function describe(entry, typeNames = {}) {
    const d = entry.detail || {};
    switch (entry.action) {
      case "创建项目":
        return `识别类型 ${(d.types || []).map((t) => typeNames[t] || t).join("、") || "—"}，方案共 ${d.items ?? "?"} 项`;
      case "生成访问链接":
        return `链接 ${d.link}，有效期至 ${formatDate(d.expires_at)}`;
      case "撤销访问链接":
        return `链接 ${d.link}`;
      case "修改项目信息":
        return Object.entries(d)
          .map(([k, [a, b]]) => `${FIELDS[k] || k}：${show(a)} → ${show(b)}`)
          .join("；");
      case "更新条目": {
        const parts = [];
        if (d.status) parts.push(`状态 ${d.status[0]} → ${d.status[1]}`);
        if (d.note) parts.push(`备注改为“${d.note[1] || "（空）"}”`);
        return `「${d.title || d.item}」${parts.join("；")}`;
      }
      case "重新生成方案": {
        const facts = Object.entries(d.facts || {}).map(([k, v]) => `${FACTS[k] || k}：${show(v)}`);
        return `新增 ${(d.added || []).length} 项，移出 ${(d.removed || []).length} 项${facts.length ? `；人工指定事实：${facts.join("，")}` : ""}`;
      }
      case "上传预审材料":
        return `《${d.filename}》识别为${d.kind_name || d.kind}；${(d.findings || []).join("；")}`;
      case "采纳材料事实":
        return `《${d.filename}》：${Object.entries(d.facts || {}).map(([k, v]) => `${FACTS[k] || k} ${show(v)}（原文：${(d.evidence || {})[k] || "—"}）`).join("；")}`;
      case "确认预审结论":
      case "改判预审结论":
        return `《${d.filename}》第${d.finding}条（${d.status}）${d.item_status ? `，条目状态 ${d.item_status[0]} → ${d.item_status[1]}` : ""}${d.note ? `；备注：${d.note}` : ""}`;
      default:
        return JSON.stringify(d);
    }
  }

  window.STAFF = { showFieldErrors, indicator, loadArticle, faqForm, describe };
})();
