/* Staff: feedback review — filter, mark resolved, turn a corrected answer into a FAQ entry. */
"use strict";
(function () {
  const { h, api, formatTime, icon } = window.CB;
  const { faqForm } = window.STAFF;
  const $ = (id) => document.getElementById(id);
  const list = $("feedback-list");
  let names = new Map();

  const failed = (error) => {
    if (error.status === 401) location.assign("/staff/login");
    return error.message;
  };

  async function load() {
    const params = new URLSearchParams();
    if ($("rating").value) params.set("rating", $("rating").value);
    if ($("unresolved").checked) params.set("unresolved", "true");
    list.replaceChildren(h("p", { class: "loading", text: "正在加载…" }));
    try {
      const [rows, projects] = await Promise.all([api(`/api/v1/feedback?${params}`), api("/api/v1/projects")]);
      names = new Map(projects.map((p) => [p.id, p.name]));
      $("feedback-count").textContent = `共 ${rows.length} 条`;
      list.replaceChildren(...(rows.length ? rows.map(card) : [h("p", { class: "card muted", text: "没有符合条件的反馈。" })]));
    } catch (error) {
      list.replaceChildren(h("p", { class: "alert", text: failed(error) }));
    }
  }

  function card(f) {
    const state = h("span", { class: `tag ${f.resolved ? "real" : "pending"}`, text: f.resolved ? "已处理" : "未处理" });
    const status = h("span", { class: "small", role: "status" });
    const resolve = f.resolved ? null : h("button", { type: "button", class: "btn small", text: "标记已处理" });
    const markResolved = () => {
      state.className = "tag real";
      state.textContent = "已处理";
      resolve?.remove();
    };
    resolve?.addEventListener("click", async () => {
      resolve.disabled = true;
      try {
        await api(`/api/v1/feedback/${f.id}/resolve`, { method: "POST" });
        markResolved();
      } catch (error) {
        resolve.disabled = false;
        status.className = "small err-text";
        status.textContent = failed(error);
      }
    });

    const faq = h("details", { class: "faq-box" }, h("summary", { text: "转为常见问答" }));
    let built = false;
    faq.addEventListener("toggle", async () => {
      if (!faq.open || built) return;
      built = true;
      const waiting = h("p", { class: "muted small", text: "正在加载项目类型…" });
      faq.append(waiting);
      let types = [];
      if (f.project_id) {
        try {
          const project = await api(`/api/v1/projects/${encodeURIComponent(f.project_id)}`);
          types = project.plan.project_types.map((t) => ({ id: t.id, name: t.name }));
        } catch (error) {
          waiting.textContent = `未能加载项目信息（${failed(error)}），请手动填写类型。`;
        }
      }
      if (waiting.textContent.startsWith("正在")) waiting.remove();
      faq.append(faqForm({ question: f.question, answer: f.answer, feedbackId: f.id, types, onDone: (change) => change.status === "已生效" && markResolved() }));
    });

    const project = f.project_id
      ? h("a", { href: `/staff/projects/${encodeURIComponent(f.project_id)}#conversations`, text: names.get(f.project_id) || `项目 ${f.project_id}` })
      : h("span", { class: "muted", text: { staff: "工作人员问答", public: "公开咨询" }[f.channel] || "工作人员咨询" });
    const change = f.change_id
      ? h("a", { href: `/staff/knowledge#item=${encodeURIComponent(f.change_item_id || "")}`, class: "small", text: `知识库修改记录 ${f.change_id}` })
      : "";
    return h(
      "article",
      { class: `card feedback-card fb-${f.rating}` },
      h(
        "header",
        { class: "fb-head" },
        h("span", { class: `fb-rating fb-${f.rating}` }, icon(f.rating), f.rating === "down" ? "没帮助" : "有帮助"),
        project,
        h("span", { class: "muted small", text: formatTime(f.created_at, true) }),
        state,
        change,
      ),
      h("p", { class: "q" }, h("span", { class: "who", text: "问" }), h("span", { text: f.question || "（问题缺失）" })),
      h("details", { class: "answer" }, h("summary", { text: "查看当时的答复" }), h("div", { class: "pre a-text", text: f.answer })),
      h("p", { class: "reason" }, h("b", { text: "原因：" }), f.reason ? f.reason : h("span", { class: "muted", text: "（未填写）" })),
      h("div", { class: "actions" }, faq, resolve, status),
    );
  }

  $("rating").addEventListener("change", load);
  $("unresolved").addEventListener("change", load);
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  load();
})();
