/* Staff (管理员): accounts — create, change role, disable or enable, reset password, API keys shown once. */
"use strict";
(function () {
  const { h, api, formatTime } = window.CB;
  const { showFieldErrors } = window.STAFF;
  const $ = (id) => document.getElementById(id);
  const list = $("account-list");

  const failed = (error) => {
    if (error.status === 401) location.assign("/staff/login");
    return error.message;
  };

  async function load() {
    try {
      const accounts = await api("/api/v1/accounts");
      $("accounts-status").textContent = accounts.length ? `共 ${accounts.length} 个账号` : "还没有账号。";
      list.replaceChildren(...accounts.map(card));
    } catch (error) {
      $("accounts-status").textContent = failed(error);
    }
  }

  async function change(username, body, note, done) {
    note.className = "small muted";
    note.textContent = "保存中…";
    try {
      await api(`/api/v1/accounts/${encodeURIComponent(username)}`, { method: "PATCH", body });
      note.className = "small ok-text";
      note.textContent = done;
      return true;
    } catch (error) {
      note.className = "small err-text";
      note.textContent = failed(error);
      return false;
    }
  }

  function card(a) {
    const note = h("p", { class: "small", role: "status" });
    const role = h("select", { "aria-label": `${a.display_name}的角色` },
      ["专员", "管理员"].map((r) => h("option", { value: r, text: r, selected: r === a.role })));
    role.addEventListener("change", async () => {
      if (!(await change(a.username, { role: role.value }, note, `角色已改为${role.value}，该账号需重新登录`))) role.value = a.role;
      else a.role = role.value;
    });
    const toggle = h("button", { type: "button", class: "btn small", text: a.active ? "停用" : "启用" });
    toggle.addEventListener("click", async () => {
      if (a.active && !confirm(`停用 ${a.display_name}（${a.username}）？该账号会立即退出登录，其密钥也不能再用。`)) return;
      if (await change(a.username, { active: !a.active }, note, a.active ? "已停用" : "已启用")) load();
    });
    const password = h("input", { type: "password", name: "password", maxlength: "128", autocomplete: "new-password", id: `pw-${a.username}` });
    const reset = h(
      "form",
      { class: "inline-form", novalidate: true },
      h("div", { class: "field" }, h("label", { for: password.id, text: "新密码" }), password),
      h("button", { type: "submit", class: "btn small", text: "重置密码" }),
    );
    reset.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await change(a.username, { password: password.value }, note, "密码已重置，该账号需用新密码重新登录")) password.value = "";
    });
    return h(
      "article",
      { class: `account-card${a.active ? "" : " inactive"}`, dataset: { username: a.username } },
      h(
        "header",
        { class: "account-head" },
        h("strong", { class: "account-name", text: a.display_name }),
        h("span", { class: "mono", text: a.username }),
        h("span", { class: `tag ${a.active ? "real" : "example"}`, text: a.active ? "启用" : "已停用" }),
        role,
        toggle,
      ),
      h("details", { class: "account-more" }, h("summary", { text: "重置密码" }), reset),
      keys(a),
      note,
    );
  }

  function keys(a) {
    const rows = a.api_keys.map((k) => {
      const revoke = k.revoked_at ? null : h("button", { type: "button", class: "btn small", text: "撤销", "aria-label": `撤销密钥 ${k.id}` });
      revoke?.addEventListener("click", async () => {
        if (!confirm(`撤销密钥 ${k.id}（${k.label}）？使用它的接入会立即失效。`)) return;
        try {
          await api(`/api/v1/accounts/${encodeURIComponent(a.username)}/keys/${encodeURIComponent(k.id)}`, { method: "DELETE" });
          load();
        } catch (error) {
          alert(failed(error));
        }
      });
      return h("li", {}, h("span", { class: "mono", text: `cbk_${k.id}_…` }), ` ${k.label} · ${formatTime(k.created_at)} `,
        k.revoked_at ? h("span", { class: "tag example", text: "已撤销" }) : revoke);
    });
    const label = h("input", { type: "text", name: "label", maxlength: "100", id: `key-${a.username}`, placeholder: "如：Dify 接入" });
    const shown = h("div", { class: "key-shown", hidden: true });
    const status = h("p", { class: "small", role: "status" });
    const form = h(
      "form",
      { class: "inline-form", novalidate: true },
      h("div", { class: "field" }, h("label", { for: label.id, text: "新密钥用途" }), label),
      h("button", { type: "submit", class: "btn small", text: "生成密钥" }),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showFieldErrors(form, []);
      try {
        const created = await api(`/api/v1/accounts/${encodeURIComponent(a.username)}/keys`, { method: "POST", body: { label: label.value } });
        const value = h("input", { type: "text", readOnly: true, value: created.key, class: "mono", "aria-label": "新密钥（只显示这一次）" });
        shown.replaceChildren(h("p", { class: "small warn-text", text: "新密钥只显示这一次，请立即复制保存：" }), value);
        shown.hidden = false;
        status.textContent = "";
        label.value = "";
      } catch (error) {
        status.className = "small err-text";
        status.textContent = failed(error);
        showFieldErrors(form, error.detail);
      }
    });
    return h("details", { class: "account-more" }, h("summary", { text: `API 密钥（${a.api_keys.filter((k) => !k.revoked_at).length} 个有效）` }),
      h("ul", { class: "key-list" }, rows), form, shown, status);
  }

  $("account-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = Object.fromEntries(new FormData(form));
    const note = $("account-form-status");
    showFieldErrors(form, []);
    try {
      const created = await api("/api/v1/accounts", { method: "POST", body: data });
      note.className = "small ok-text";
      note.textContent = `已创建 ${created.display_name}（${created.username}，${created.role}）`;
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
