/* Staff: project list with search and paging (更多), and the create form (POST /api/v1/projects → the project's page). */
"use strict";
(function () {
  const { h, api, apiPage, badge, formatTime } = window.CB;
  const { showFieldErrors } = window.STAFF;
  const $ = (id) => document.getElementById(id);
  const list = $("project-list");
  const status = $("list-status");
  const more = $("more-projects");
  let timer = null;
  let latest = 0;
  let query = "";
  let shown = 0;

  /** The first page for `q` (replacing the list), or with `append` the next page after the rows shown. */
  async function load(q, append = false) {
    const ticket = ++latest;
    query = q;
    const offset = append ? shown : 0;
    status.textContent = "正在加载…";
    more.disabled = true;
    try {
      const params = new URLSearchParams({ offset: String(offset) });
      if (q) params.set("q", q);
      const { rows, total } = await apiPage(`/api/v1/projects?${params}`);
      if (ticket !== latest) return;
      if (append) list.append(...rows.map(row));
      else list.replaceChildren(...rows.map(row));
      shown = offset + rows.length;
      more.hidden = shown >= total || !rows.length;
      status.textContent = !total ? (q ? `没有找到与“${q}”相关的项目` : "还没有项目，请在右侧新建。")
        : shown < total ? `显示 ${shown} 个，共 ${total} 个项目` : `共 ${total} 个项目`;
    } catch (error) {
      if (ticket !== latest) return;
      if (error.status === 401) location.assign("/staff/login");
      status.textContent = error.message;
    } finally {
      if (ticket === latest) more.disabled = false;
    }
  }

  function row(p) {
    const [done, total] = p.progress.split("/").map(Number);
    return h(
      "li",
      { class: "project-row" },
      h(
        "div",
        { class: "project-main" },
        h("a", { class: "project-name", href: `/staff/projects/${encodeURIComponent(p.id)}`, text: p.name }),
        h("p", { class: "muted small", text: p.type_names.join("、") || "未识别类型" }),
      ),
      h(
        "div",
        { class: "project-meta" },
        badge(p.status),
        h("span", { class: "small", text: `专员 ${p.specialist_name}` }),
        h("span", { class: "mini-progress", title: `已完成 ${p.progress}` }, h("progress", { max: String(total || 1), value: String(done) }), h("span", { class: "small", text: p.progress })),
        h("span", { class: "muted small", text: `更新于 ${formatTime(p.updated_at)}` }),
      ),
    );
  }

  $("q").addEventListener("input", (event) => {
    clearTimeout(timer);
    timer = setTimeout(() => load(event.target.value.trim()), 250);
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    load($("q").value.trim());
  });
  more.addEventListener("click", () => load(query, true));

  const form = $("create-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = $("create-submit");
    const errorBox = $("create-error");
    errorBox.hidden = true;
    showFieldErrors(form, []);
    const body = {
      name: $("name").value,
      description: $("description").value,
      specialist_name: $("specialist_name").value,
      specialist_phone: $("specialist_phone").value.trim() || null,
    };
    submit.disabled = true;
    $("create-status").textContent = "正在识别项目并生成方案，请稍候…";
    try {
      const project = await api("/api/v1/projects", { method: "POST", body });
      $("create-status").textContent = "已创建，正在打开项目…";
      location.assign(`/staff/projects/${encodeURIComponent(project.id)}`);
    } catch (error) {
      submit.disabled = false;
      $("create-status").textContent = "";
      errorBox.textContent = error.message;
      errorBox.hidden = false;
      showFieldErrors(form, error.detail);
      if (error.status === 401) location.assign("/staff/login");
    }
  });

  load("");
})();
