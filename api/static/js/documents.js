/* 要件预审 — upload a document (camera or file) and show what was read and found; shared by the staff and operator pages. */
"use strict";
(function () {
  const { h, citations, formatTime } = window.CB;

  const KINDS = [
    ["", "自动识别"],
    ["lease", "房屋租赁合同"],
    ["property_certificate", "不动产权证书（房产证）"],
    ["business_license", "营业执照"],
    ["floor_plan", "建筑平面图"],
    ["qualification", "资格证书（医师、救生员、社会体育指导员等）"],
    ["fire", "消防文件（验收、备案、检查意见）"],
    ["health_permit", "卫生许可证"],
  ];
  const TONE = { "预审通过（待专员确认）": "ok", 预审发现问题: "err", 无法识别: "warn", 材料不符: "warn" };

  /** POST the file as multipart with upload progress; resolves with the JSON body, rejects with the Chinese message. */
  function send(url, file, kind, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const body = new FormData();
      body.append("file", file);
      if (kind) body.append("kind", kind);
      xhr.open("POST", url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", (event) => event.lengthComputable && onProgress(event.loaded / event.total));
      xhr.upload.addEventListener("load", () => onProgress(1));
      xhr.addEventListener("load", () => {
        let data = null;
        try {
          data = JSON.parse(xhr.responseText);
        } catch {
          data = null;
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject(Object.assign(new Error((data && data.message) || `上传失败（${xhr.status}），请稍后重试`), { status: xhr.status }));
      });
      xhr.addEventListener("error", () => reject(new Error("网络连接异常，请检查网络后重试")));
      xhr.send(body);
    });
  }

  /**
   * The upload form: material type (optional), camera and file inputs, a progress bar and a status line.
   * ``onDone(document)`` runs after a successful upload.
   */
  function uploadForm({ url, onDone, idPrefix, camera }) {
    const id = (name) => `${idPrefix}-${name}`;
    const select = h("select", { id: id("kind"), name: "kind" }, KINDS.map(([value, label]) => h("option", { value, text: label })));
    const status = h("p", { id: id("status"), class: "small", role: "status" });
    const progress = h("progress", { id: id("progress"), max: "1", hidden: true, "aria-label": "上传和识别进度" });
    const inputs = [];
    const busy = (on) => inputs.forEach((input) => (input.disabled = on));

    async function upload(file) {
      if (!file) return;
      busy(true);
      progress.hidden = false;
      progress.value = 0;
      status.className = "small";
      status.textContent = `正在上传《${file.name}》…`;
      try {
        const document = await send(url, file, select.value, (share) => {
          progress.value = share;
          if (share >= 1) {
            progress.removeAttribute("value"); // indeterminate while the server reads it
            status.textContent = "已上传，正在识别文字并核对方案（扫描件和照片每页约需数秒）…";
          }
        });
        status.className = "small ok-text";
        status.textContent = `已识别为“${document.kind_name}”，预审结论见下方。`;
        onDone(document);
      } catch (error) {
        status.className = "small err-text";
        status.textContent = error.message;
        if (error.status === 401 && idPrefix === "staff-doc") location.assign("/staff/login");
      } finally {
        progress.hidden = true;
        busy(false);
        inputs.forEach((input) => (input.value = ""));
      }
    }

    const picker = (name, label, attrs) => {
      const input = h("input", { type: "file", id: id(name), class: "file-input", accept: "image/*,application/pdf,.pdf,.docx", ...attrs });
      input.addEventListener("change", () => upload(input.files[0]));
      inputs.push(input);
      return h("label", { class: "btn upload-btn", for: id(name) }, label, input);
    };
    return h(
      "div",
      { class: "doc-upload" },
      h("div", { class: "field" }, h("label", { for: id("kind"), text: "材料类型" }), select),
      h(
        "div",
        { class: "actions" },
        camera ? picker("camera", "拍照上传", { capture: "environment", accept: "image/*" }) : "",
        picker("file", camera ? "选择文件" : "选择文件上传", {}),
      ),
      h("p", { class: "hint", text: "支持 PDF（含扫描件）、DOCX、JPG/PNG 照片，20 MB 以内、50 页以内。" }),
      progress,
      status,
    );
  }

  const ADOPTABLE = ["area_m2", "floor", "building_use"];

  /** The fields read, with their evidence; with ``adopt`` (staff), area, floor and 用途 can become project facts. */
  function fieldTable(doc, options) {
    const fields = doc.fields;
    if (!fields.length) return h("p", { class: "muted small", text: "未读出关键信息。" });
    const adopt = (f) => {
      if (!options.adopt || !ADOPTABLE.includes(f.name)) return options.adopt ? h("td") : "";
      const out = h("span", { class: "small", role: "status" });
      const button = h("button", { type: "button", class: "btn small", text: "采纳为项目事实", "aria-label": `采纳${f.label}为项目事实` });
      button.addEventListener("click", async () => {
        button.disabled = true;
        out.className = "small";
        out.textContent = "正在按此事实重新生成方案…";
        try {
          await options.adopt(doc, f);
          out.className = "small ok-text";
          out.textContent = "已采纳，方案已更新";
        } catch (error) {
          out.className = "small err-text";
          out.textContent = error.message;
          button.disabled = false;
        }
      });
      return h("td", {}, button, out);
    };
    return h(
      "table",
      { class: "doc-fields" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "项目" }), h("th", { scope: "col", text: "读出的内容" }), h("th", { scope: "col", text: "原文" }), options.adopt ? h("th", { scope: "col", text: "方案" }) : "")),
      h(
        "tbody",
        {},
        fields.map((f) => h("tr", {}, h("th", { scope: "row", text: f.label }), h("td", { text: f.value }), h("td", { class: "evidence", text: `第${f.page}页：${f.evidence}` }), adopt(f))),
      ),
    );
  }

  /**
   * One finding: status, message, the checklist item it concerns and its basis. With ``decide`` (staff), buttons to
   * confirm or override it and a note.
   */
  function finding(doc, f, options) {
    const decided = f.decision
      ? h("p", { class: "small decision", text: `专员${f.decided_by || ""}已${f.decision}${f.decided_at ? `（${formatTime(f.decided_at)}）` : ""}${f.decision_note ? `：${f.decision_note}` : ""}` })
      : h("p", { class: "small muted", text: "待专员确认" });
    let controls = "";
    if (options.decide) {
      const note = h("input", { type: "text", maxlength: "2000", class: "decision-note", placeholder: "备注（可选）", "aria-label": `第${f.n}条结论的备注` });
      const out = h("span", { class: "small", role: "status" });
      const act = (decision) => async () => {
        out.className = "small";
        out.textContent = "正在保存…";
        try {
          await options.decide(doc, f, decision, note.value.trim());
        } catch (error) {
          out.className = "small err-text";
          out.textContent = error.message;
        }
      };
      controls = h(
        "div",
        { class: "actions decision-actions" },
        note,
        h("button", { type: "button", class: "btn small primary", text: "确认", onclick: act("确认"), "aria-label": `确认第${f.n}条结论` }),
        h("button", { type: "button", class: "btn small", text: "改判", onclick: act("改判"), "aria-label": `改判第${f.n}条结论` }),
        out,
      );
    }
    return h(
      "li",
      { class: `finding tone-${TONE[f.status] || "warn"}`, dataset: { n: f.n } },
      h("p", { class: "finding-head" }, h("span", { class: "finding-status", text: f.red_line ? `红线 · ${f.status}` : f.status }), f.item_title ? h("span", { class: "muted small", text: `清单：${f.item_title}` }) : ""),
      h("p", { class: "finding-message", text: f.message }),
      citations(f.basis, options.loadArticle, "依据"),
      decided,
      controls,
    );
  }

  function documentCard(doc, options) {
    const meta = `${doc.filename} · ${doc.pages} 页${doc.ocr ? " · 文字识别" : ""} · ${doc.uploaded_by}上传于 ${formatTime(doc.created_at)}`;
    return h(
      "article",
      { class: "doc-card", dataset: { documentId: doc.id } },
      h("h3", { text: doc.kind_name }),
      h("p", { class: "muted small", text: meta }),
      h("ol", { class: "findings" }, doc.findings.map((f) => finding(doc, f, options))),
      h("details", { class: "doc-read" }, h("summary", { text: "读出的关键信息" }), fieldTable(doc, options)),
    );
  }

  /** The project's documents, newest first; ``options``: {loadArticle, decide?, adopt?} (the last two for staff). */
  function documentList(documents, options) {
    if (!documents.length) return h("p", { class: "muted", text: "还没有上传材料。" });
    return h("div", { class: "doc-list" }, documents.map((doc) => documentCard(doc, options)));
  }

  window.DOCS = { uploadForm, documentList };
})();
