/* Operator page: the project's plan with statuses, and the chat with cited answers and feedback. */
"use strict";
(function () {
  const { h, api, badge, byDimension, groupBy, citations, ApiError } = window.CB;
  const token = document.body.dataset.token;
  const base = `/api/v1/c/${encodeURIComponent(token)}`;
  const $ = (id) => document.getElementById(id);
  const STAGE_NAMES = { before_lease: "签约前必查", before_fitout: "装修施工前", before_opening: "开业前", after_opening: "开业后" };
  const SUGGESTIONS = ["开业前一共要办哪些证？", "产权证还没下来，能先申请吗？", "消防检查要准备什么？"];
  const articleCache = new Map();

  const loadArticle = (doc, article) => {
    const key = `${doc}/${article}`;
    if (!articleCache.has(key)) {
      const request = api(`${base}/articles/${encodeURIComponent(doc)}/${encodeURIComponent(article)}`);
      request.catch((error) => {
        articleCache.delete(key);
        if (isLinkError(error)) linkExpired(error.message);
      });
      articleCache.set(key, request);
    }
    return articleCache.get(key);
  };

  const isLinkError = (error) => error instanceof ApiError && (error.status === 401 || error.status === 403);

  function linkExpired(message) {
    $("banner-text").textContent = message;
    $("banner").hidden = false;
    chat.close("链接已失效，暂时无法咨询");
  }

  window.CHAT.bigTextToggle($("text-size"));

  /* ---------- tabs ---------- */
  const tabs = [$("tab-plan"), $("tab-ask")];
  function select(tab, focus) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    history.replaceState(null, "", tab.id === "tab-ask" ? "#ask" : "#plan");
    if (tab.id === "tab-ask") chat.scrollToEnd(false);
    else window.scrollTo(0, 0);
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: tabs.length - 1 - i };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select(tabs[(i + moves[event.key] + tabs.length) % tabs.length], true);
    });
  });
  $("goto-ask").addEventListener("click", () => {
    select(tabs[1]);
    $("question").focus();
  });

  /* ---------- plan ---------- */
  function renderProject(view) {
    document.title = `${view.project_name} · 筹备期合伙人`;
    $("project-name").textContent = view.project_name;
    $("specialist-name").textContent = view.specialist_name;
    $("specialist").hidden = false;
    if (view.specialist_phone) {
      const phone = $("specialist-phone");
      phone.href = `tel:${view.specialist_phone.replace(/[^\d+]/g, "")}`;
      phone.setAttribute("aria-label", `拨打专员电话 ${view.specialist_phone}`);
      $("specialist-phone-text").textContent = view.specialist_phone;
      phone.hidden = false;
    }
    const done = view.items.filter((i) => i.status === "已完成").length;
    $("done-count").textContent = done;
    $("total-count").textContent = view.items.length;
    $("progress").max = Math.max(view.items.length, 1);
    $("progress").value = done;
    $("project-status").replaceChildren(badge(view.status));

    const dims = byDimension(view.items);
    $("items").replaceChildren(
      ...dims.map(([dimension, items], index) => {
        const finished = items.filter((i) => i.status === "已完成").length;
        return h(
          "details",
          { class: "dim", open: index === 0 },
          h(
            "summary",
            {},
            h("span", { class: "dim-icon", "aria-hidden": "true", text: dimension.slice(0, 1) }),
            h("span", { text: dimension }),
            h("span", { class: "dim-count", text: `${finished}/${items.length} 已完成` }),
          ),
          h("ul", {}, items.map(renderItem)),
        );
      }),
    );

    const problems = view.problems.map((p, i) =>
      h("details", { class: "problem", hidden: i >= 5 }, h("summary", { text: p.title }), h("p", {}, h("b", { text: "建议：" }), p.advice)),
    );
    const more =
      problems.length > 5
        ? h("button", {
            type: "button",
            class: "btn small more-btn",
            text: `查看全部 ${problems.length} 个高发问题`,
            onclick: (event) => {
              problems.forEach((p) => (p.hidden = false));
              problems[5].querySelector("summary").focus();
              event.currentTarget.remove();
            },
          })
        : "";
    $("problems").replaceChildren(...problems, more);
    const steps = groupBy(view.steps, "order");
    $("steps").replaceChildren(
      ...[...steps.entries()].map(([order, list], i) =>
        h(
          "li",
          { class: "step" },
          h("span", { class: "step-no", "aria-hidden": "true", text: i + 1 }),
          h("span", { class: "sr-only", text: `第 ${i + 1} 步` }),
          h(
            "ul",
            {},
            list.map((s) => h("li", {}, h("p", { text: s.title }), s.department ? h("p", { class: "dept", text: `办理部门：${s.department}` }) : "")),
          ),
        ),
      ),
    );
    const reds = view.red_lines || [];
    $("red-lines").hidden = !reds.length;
    $("red-line-list").replaceChildren(
      ...reds.map((r) => h("div", { class: "red-line" }, h("p", {}, h("b", { text: r.title })), h("p", { text: r.detail }),
        r.change ? h("p", {}, h("b", { text: "怎样才能办：" }), r.change) : "")),
    );
    $("statutory-note").textContent = view.statutory_note || "";
    $("permits").replaceChildren(
      ...(view.permits || []).map((p) =>
        h(
          "li",
          { class: "permit" },
          h("p", {}, h("b", { text: p.name })),
          h("p", { class: "small", text: `办理部门：${p.department}` }),
          p.time_limit ? h("p", { class: "small", text: `时限：${p.time_limit}` }) : "",
          p.materials.length
            ? h("details", {}, h("summary", { text: `申请材料（${p.materials.length} 项）` }),
                h("ul", {}, p.materials.map((m) => h("li", {}, m.name,
                  m.deferrable ? h("span", { class: "tag defer", text: "可容缺" }) : "",
                  m.commitment_ok ? h("span", { class: "tag", text: "可告知承诺" }) : ""))))
            : "",
        ),
      ),
    );
    $("notice").textContent = view.notice;
    $("notice").hidden = !view.notice;
    $("plan-loading").hidden = true;
    $("plan").hidden = false;
  }

  function renderItem(item) {
    return h(
      "li",
      { class: "item" },
      h("div", { class: "item-row" }, h("span", { class: "item-title", text: item.title }), badge(item.status)),
      item.stage || item.deferrable
        ? h("div", { class: "item-tags" },
            item.stage ? h("span", { class: "tag stage", text: STAGE_NAMES[item.stage] }) : "",
            item.deferrable ? h("span", { class: "tag defer", title: "材料不全时可申请容缺受理", text: "可容缺" }) : "")
        : "",
      item.note ? h("p", { class: "item-note" }, h("b", { text: "专员备注：" }), item.note) : "",
      itemDetails(item),
    );
  }

  /* An item's detail, materials, department and basis are fetched the first time it is opened. */
  function itemDetails(item) {
    const body = h("div", { class: "item-more-body" }, h("p", { class: "loading", text: "正在加载…" }));
    const box = h("details", { class: "item-more" }, h("summary", { text: "说明、材料和依据" }), body);
    let loaded = false;
    const load = () => {
      loaded = true;
      api(`${base}/items/${encodeURIComponent(item.item_id)}`)
        .then((full) => body.replaceChildren(...itemDetailBody(full)))
        .catch((error) => {
          loaded = false;
          loadFailed(body, error, load);
        });
    };
    box.addEventListener("toggle", () => {
      if (box.open && !loaded) load();
    });
    return box;
  }

  function itemDetailBody(full) {
    return [
      full.detail ? h("p", { class: "item-detail", text: full.detail }) : "",
      full.department ? h("p", { class: "dept", text: `办理部门：${full.department}` }) : "",
      full.materials.length
        ? h("div", {}, h("p", {}, h("b", { text: `需要准备的材料（${full.materials.length} 项）` })), h("ul", { class: "materials" }, full.materials.map((m) => h("li", { text: m }))))
        : "",
      full.basis.length
        ? citations(full.basis, loadArticle, "法规依据（点开查看原文）")
        : full.basis_pending
          ? h("p", { class: "muted", text: `依据待补充${full.pending_note ? `：${full.pending_note}` : "，请向专员咨询。"}` })
          : "",
    ];
  }

  /* ---------- chat ---------- */
  const chat = window.CHAT.mount({
    messages: $("messages"),
    input: $("question"),
    send: $("send"),
    form: $("ask-form"),
    greeting: "您好！我是筹备期审批辅导助手。可以问我办证条件、申请材料、办理流程等问题，每条答复都会附上法规原文，方便您核对。",
    suggestions: SUGGESTIONS,
    post: (question) => api(`${base}/ask`, { method: "POST", body: { question } }),
    rate: (m, body) => api(`${base}/feedback`, { method: "POST", body }),
    loadArticle,
    visible: () => !$("panel-ask").hidden,
    isFatal: isLinkError,
    onFatal: (error) => linkExpired(error.message),
  });

  /* ---------- load ---------- */
  function loadFailed(where, error, retry) {
    if (isLinkError(error)) {
      linkExpired(error.message);
      where.replaceChildren(h("p", { class: "muted", text: "链接已失效，无法显示内容。" }));
      return;
    }
    where.replaceChildren(h("p", { class: "err-text", text: error.message }), h("button", { type: "button", class: "btn small", text: "重试", onclick: retry }));
  }

  function loadProject() {
    $("plan-loading").textContent = "正在加载您的筹备方案…";
    api(`${base}/project`)
      .then(renderProject)
      .catch((error) => loadFailed($("plan-loading"), error, loadProject));
  }

  function loadMessages() {
    $("messages").replaceChildren(h("p", { class: "loading", text: "正在加载咨询记录…" }));
    api(`${base}/messages`)
      .then((conversation) => chat.show(conversation ? conversation.messages : []))
      .catch((error) => loadFailed($("messages"), error, loadMessages));
  }

  /* 要件预审: the operator uploads documents (camera or file) and sees what was read and found. */
  function loadDocuments() {
    api(`${base}/documents`)
      .then((documents) => $("doc-list").replaceChildren(window.DOCS.documentList(documents, { loadArticle })))
      .catch((error) => loadFailed($("doc-list"), error, loadDocuments));
  }
  $("doc-upload").replaceChildren(
    window.DOCS.uploadForm({ url: `${base}/documents`, idPrefix: "op-doc", camera: true, onDone: () => (loadDocuments(), loadProject()) }),
  );

  if (location.hash === "#ask") select(tabs[1]);
  loadProject();
  loadMessages();
  loadDocuments();
})();
