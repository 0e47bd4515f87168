/* Staff (管理员): public assistant links — create, change allowed sites and limits, disable or enable, rotate,
   copy the embed snippet, print the QR card. */
"use strict";
(function () {
  const { h, api, formatTime } = window.CB;
  const { showFieldErrors } = window.STAFF;
  const $ = (id) => document.getElementById(id);
  const list = $("link-list");

  const failed = (error) => {
    if (error.status === 401) location.assign("/staff/login");
    return error.message;
  };

  /** The form's fields as the API takes them: one allowed site per line, empty limits left to the defaults. */
  function body(form, creating) {
    const data = Object.fromEntries(new FormData(form));
    data.allowed_origins = data.allowed_origins.split(/[\s,，]+/).filter(Boolean);
    for (const key of ["rate", "visitor_rate"]) {
      data[key] = data[key].trim();
      if (!data[key] && creating) delete data[key];
    }
    return data;
  }

  async function load() {
    try {
      const links = await api("/api/v1/public-links");
      $("links-status").textContent = links.length ? `共 ${links.length} 个链接` : "还没有公开咨询链接。";
      list.replaceChildren(...links.map(card));
    } catch (error) {
      $("links-status").textContent = failed(error);
    }
  }

  async function send(url, method, payload, note, done) {
    note.className = "small muted";
    note.textContent = "保存中…";
    try {
      await api(url, { method, body: payload });
      note.className = "small ok-text";
      note.textContent = done;
      return true;
    } catch (error) {
      note.className = "small err-text";
      note.textContent = failed(error);
      return error;
    }
  }

  function card(link) {
    const url = `/api/v1/public-links/${encodeURIComponent(link.id)}`;
    const note = h("p", { class: "small", role: "status" });
    const toggle = h("button", { type: "button", class: "btn small", text: link.active ? "停用" : "启用" });
    toggle.addEventListener("click", async () => {
      if (link.active && !confirm(`停用“${link.name}”？扫码和嵌入的访客会立即无法咨询。`)) return;
      if ((await send(url, "PATCH", { active: !link.active }, note, link.active ? "已停用" : "已启用")) === true) load();
    });
    const rotate = h("button", { type: "button", class: "btn small", text: "更换链接" });
    rotate.addEventListener("click", async () => {
      if (!confirm(`更换“${link.name}”的链接？旧的二维码和嵌入代码会立即失效，需要重新打印和粘贴。`)) return;
      if ((await send(`${url}/rotate`, "POST", undefined, note, "已更换")) === true) load();
    });
    const snippetId = `snippet-${link.id}`;
    const snippet = h("textarea", { id: snippetId, class: "mono snippet", readOnly: true, rows: "2", value: link.embed_snippet });
    const copy = h("button", { type: "button", class: "btn small", text: "复制嵌入代码" });
    copy.addEventListener("click", async () => {
      snippet.select();
      try {
        await navigator.clipboard.writeText(link.embed_snippet);
        note.className = "small ok-text";
        note.textContent = "嵌入代码已复制";
      } catch {
        note.className = "small muted";
        note.textContent = "已选中嵌入代码，请按 Ctrl+C 复制";
      }
    });
    return h(
      "article",
      { class: `account-card public-link${link.active ? "" : " inactive"}`, dataset: { id: link.id } },
      h(
        "header",
        { class: "account-head" },
        h("strong", { class: "account-name", text: link.name }),
        h("span", { class: `tag ${link.active ? "real" : "example"}`, text: link.active ? "启用" : "已停用" }),
        toggle,
        rotate,
        link.active ? h("a", { class: "btn small", href: `/staff/public-links/${encodeURIComponent(link.id)}/card`, text: "打印二维码" }) : "",
      ),
      h("p", { class: "small" }, "咨询页：", h("a", { href: link.url, class: "mono link-url", text: link.url, target: "_blank", rel: "noopener" })),
      link.warning ? h("p", { class: "small warn-text", text: link.warning }) : "",
      h("p", { class: "small muted", text: `允许嵌入：${link.allowed_origins.join("、") || "（无，只能扫码或直接打开）"}；提问上限：全部访客 ${link.rate}，每位访客 ${link.visitor_rate}；${link.created_by} 创建于 ${formatTime(link.created_at)}` }),
      h("div", { class: "field" }, h("label", { for: snippetId, text: "嵌入代码（粘贴到允许嵌入的网站页面中）" }), snippet, copy),
      settings(link, url, note),
      note,
    );
  }

  function settings(link, url, note) {
    const field = (name, label, value, tag = "input") =>
      h("div", { class: "field" }, h("label", { for: `${name}-${link.id}`, text: label }),
        h(tag, { id: `${name}-${link.id}`, name, value, ...(tag === "textarea" ? { rows: "3" } : { type: "text", maxlength: "100" }) }));
    const form = h(
      "form",
      { novalidate: true },
      field("name", "名称", link.name),
      field("allowed_origins", "允许嵌入的网站（每行一个）", link.allowed_origins.join("\n"), "textarea"),
      field("rate", "该链接的提问上限（所有访客合计）", link.rate),
      field("visitor_rate", "每位访客的提问上限", link.visitor_rate),
      h("button", { type: "submit", class: "btn small primary", text: "保存设置" }),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showFieldErrors(form, []);
      const result = await send(url, "PATCH", body(form, false), note, "设置已保存");
      if (result === true) load();
      else showFieldErrors(form, result.detail);
    });
    return h("details", { class: "account-more" }, h("summary", { text: "修改名称、允许嵌入的网站和提问上限" }), form);
  }

  $("link-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const note = $("link-form-status");
    showFieldErrors(form, []);
    try {
      const created = await api("/api/v1/public-links", { method: "POST", body: body(form, true) });
      note.className = "small ok-text";
      note.textContent = `已创建“${created.name}”`;
      form.reset();
      load();
    } catch (error) {
      note.className = "small err-text";
      note.textContent = failed(error);
      showFieldErrors(form, error.detail);
    }
  });
  load();
})();
