/* Staff: ask page — sessions listed and searched, one reopened with its turns, answers copied or corrected. */
"use strict";
(function () {
  const { h, api, apiPage, citations, formatTime } = window.CB;
  const { loadArticle, faqForm, showFieldErrors } = window.STAFF;
  const KB = window.KB;
  const $ = (id) => document.getElementById(id);
  const isAdmin = document.body.dataset.role === "管理员";
  const thread = $("thread");
  const input = $("question");
  const send = $("send");
  const status = $("ask-status");
  let current = null; // {id, project_id}
  let pending = false;
  let searchTimer = null;

  const failed = (error) => {
    if (error.status === 401) location.assign("/staff/login");
    return error.message;
  };

  /* ---------- sessions list ---------- */
  async function loadSessions() {
    const q = $("session-q").value.trim();
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    try {
      const { rows, total } = await apiPage(`/api/v1/sessions?${params}`);
      $("sessions-status").textContent = total
        ? rows.length < total ? `显示 ${rows.length} 个，共 ${total} 个会话` : `共 ${total} 个会话`
        : q ? "没有找到包含这段文字的会话。" : "还没有会话，在右侧提一个问题吧。";
      $("session-list").replaceChildren(...rows.map(sessionRow));
    } catch (error) {
      $("sessions-status").textContent = failed(error);
    }
  }

  function sessionRow(s) {
    const meta = [`${s.turns} 轮`, formatTime(s.last_at), isAdmin && s.started_by ? s.started_by : null].filter(Boolean).join(" · ");
    const button = h(
      "button",
      { type: "button", class: "session-item", "aria-current": current && current.id === s.id ? "true" : null, onclick: () => openSession(s.id) },
      h("span", { class: "session-title", text: s.title || "（无问题）" }),
      h("span", { class: "muted tiny" }, s.project_id ? h("span", { class: "tag", text: "项目会话" }) : "", ` ${meta}`),
    );
    return h("li", { dataset: { id: s.id } }, button);
  }

  /* ---------- one session ---------- */
  async function openSession(id) {
    try {
      const session = await api(`/api/v1/sessions/${encodeURIComponent(id)}`);
      show(session);
      history.replaceState(null, "", `#${encodeURIComponent(id)}`);
      markCurrent();
    } catch (error) {
      status.className = "small err-text";
      status.textContent = failed(error);
    }
  }

  function show(session) {
    current = { id: session.id, project_id: session.project_id };
    const first = session.messages.find((m) => m.role === "user");
    $("h-thread").textContent = first ? first.text : "会话";
    $("thread-meta").textContent = [
      `始于 ${formatTime(session.created_at)}`,
      session.started_by ? `提问人 ${session.started_by}` : null,
      session.project_id ? `项目 ${session.project_id}（追问结合该项目）` : null,
    ].filter(Boolean).join(" · ");
    let question = null;
    const nodes = [];
    for (const m of session.messages) {
      if (m.role === "user") {
        question = m;
        nodes.push(h("div", { class: "msg user" }, h("div", { class: "bubble", text: m.text }), h("time", { text: formatTime(m.created_at) })));
      } else {
        nodes.push(answer(m, question));
      }
    }
    thread.replaceChildren(...nodes);
  }

  function newSession() {
    current = null;
    $("h-thread").textContent = "新会话";
    $("thread-meta").textContent = "";
    thread.replaceChildren();
    history.replaceState(null, "", location.pathname);
    markCurrent();
    input.focus();
  }

  function markCurrent() {
    for (const li of $("session-list").children) {
      const button = li.querySelector("button");
      if (current && li.dataset.id === current.id) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
  }

  /** The answer and its citations as plain text, for 政务 chat tools. */
  function plainText(m) {
    const lines = [m.text.trim()];
    if (m.citations.length) {
      lines.push("", "依据：");
      m.citations.forEach((c, i) => lines.push(`[${i + 1}] 《${c.title}》${c.article}：“${c.text}”`));
    }
    return lines.join("\n");
  }

  async function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    const area = h("textarea", { class: "sr-only", readOnly: true, value: text });
    document.body.append(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    if (!copied) throw new Error("浏览器不允许复制，请手动选择文字复制");
  }

  function answer(m, question) {
    m.downId = (m.feedback || []).find((f) => f.rating === "down" && !f.resolved)?.id;
    const note = h("span", { class: "small", role: "status" });
    const copyButton = h("button", { type: "button", class: "btn small", text: "复制" });
    copyButton.addEventListener("click", async () => {
      try {
        await copy(plainText(m));
        note.className = "small ok-text";
        note.textContent = "已复制答复和依据";
      } catch (error) {
        note.className = "small err-text";
        note.textContent = error.message;
      }
    });
    const correctBox = h("div", { class: "correct-box", hidden: true });
    const correct = h("button", { type: "button", class: "btn small", "aria-expanded": "false", text: "纠正" });
    correct.addEventListener("click", () => {
      const opening = correctBox.hidden;
      correctBox.hidden = !opening;
      correct.setAttribute("aria-expanded", String(opening));
      if (!opening || correctBox.childElementCount) return;
      const asked = question ? question.text : "";
      const sources = (m.items || []).map((id) => {
        const slot = h("div", { class: "item-edit" });
        const open = h("button", { type: "button", class: "btn small", text: `修改条目 ${id}` });
        open.addEventListener("click", async () => {
          open.disabled = true;
          try {
            const current = await api(`/api/v1/kb/items/${encodeURIComponent(id)}`);
            open.textContent = `修改${current.kind_name}「${current.title}」`;
            slot.replaceChildren(KB.editor({ kind: current.kind, id, item: current.item, titles: current.basis_titles, reason: `纠正答复：${asked}`.slice(0, 500), feedbackId: m.downId }));
          } catch (error) {
            open.disabled = false;
            slot.replaceChildren(h("p", { class: "small err-text", text: failed(error) }));
          }
        });
        return h("li", {}, open, slot);
      });
      correctBox.append(
        sources.length
          ? h("section", { class: "correct-items" }, h("h3", { text: "修改答复所依据的条目" }), h("ul", { class: "plain" }, sources))
          : "",
        h("h3", { text: "或转为常见问答" }),
        h("p", { class: "hint" }, "把这条答复更正后转为常见问答；依据从法规条文中搜索选用（不沿用原答复的引用）。",
          isAdmin ? "您是管理员，提交后立即生效。" : "提交后由管理员审核，通过后生效。"),
        faqForm({ question: asked, answer: m.text, feedbackId: m.downId, types: [] }),
      );
    });
    const rate = (rating) => async () => {
      const reason = rating === "down" ? window.prompt("哪里不对？（选填，便于纠正）") ?? "" : "";
      try {
        const feedback = await api("/api/v1/feedback", { method: "POST", body: { message_id: m.id, rating, reason } });
        if (rating === "down") m.downId = feedback.id;
        note.className = "small ok-text";
        note.textContent = rating === "down" ? "已记下“没帮助”，可点“纠正”修改知识库" : "已记下“有帮助”";
      } catch (error) {
        note.className = "small err-text";
        note.textContent = failed(error);
      }
    };
    const up = h("button", { type: "button", class: "btn small", text: "有帮助", onclick: rate("up") });
    const down = h("button", { type: "button", class: "btn small", text: "没帮助", onclick: rate("down") });
    const bubble = h(
      "div",
      { class: "bubble" },
      m.understood_as ? h("p", { class: "understood small", text: `（理解为：${m.understood_as}）` }) : "",
      h("span", { class: "a-text", text: m.text }),
    );
    return h(
      "article",
      { class: `msg bot${m.out_of_scope ? " oos" : ""}`, dataset: { id: m.id }, "aria-label": "助手答复" },
      bubble,
      citations(m.citations, loadArticle, "法规依据（点开查看原文）"),
      h("div", { class: "actions answer-actions" }, copyButton, up, down, correct, note),
      correctBox,
      h("time", { text: formatTime(m.created_at) }),
    );
  }

  /* ---------- asking ---------- */
  async function ask() {
    const question = input.value.trim();
    if (!question || pending) return;
    pending = true;
    send.disabled = true;
    status.className = "small muted";
    status.textContent = "正在查找法规、组织答复…";
    showFieldErrors($("ask-form"), []);
    const body = { question };
    if (current) {
      body.session_id = current.id;
      if (current.project_id) body.project_id = current.project_id;
    }
    try {
      const reply = await api("/api/v1/ask", { method: "POST", body });
      input.value = "";
      status.textContent = "";
      await openSession(reply.session_id);
      thread.lastElementChild?.scrollIntoView({ block: "nearest" });
      await loadSessions();
      markCurrent();
    } catch (error) {
      status.className = "small err-text";
      status.textContent = failed(error);
      showFieldErrors($("ask-form"), error.detail);
    } finally {
      pending = false;
      send.disabled = false;
    }
  }

  $("ask-form").addEventListener("submit", (event) => {
    event.preventDefault();
    ask();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      ask();
    }
  });
  $("new-session").addEventListener("click", newSession);
  $("session-search").addEventListener("submit", (event) => {
    event.preventDefault();
    loadSessions();
  });
  $("session-q").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(loadSessions, 250);
  });

  loadSessions();
  if (location.hash.length > 1) openSession(decodeURIComponent(location.hash.slice(1)));
})();
