/* Staff: one project — plan, checklist follow-up, QR access, conversations and feedback, regeneration, history. */
"use strict";
(function () {
  const { h, api, badge, byDimension, groupBy, citations, formatTime, formatDate, parseTime, icon, ITEM_STATUSES } = window.CB;
  const { indicator, loadArticle, faqForm, describe, showFieldErrors } = window.STAFF;
  const $ = (id) => document.getElementById(id);
  const projectId = document.body.dataset.projectId;
  const base = `/api/v1/projects/${encodeURIComponent(projectId)}`;
  let project = null;

  const show = (v) => (typeof v === "boolean" ? (v ? "是" : "否") : v == null ? "未知" : String(v));
  const absolute = (url) => (/^https?:\/\//.test(url) ? url : location.origin + url);
  const cites = (list) => citations(list, loadArticle);
  const CHANNELS = { operator: "经营者（扫码页面）", openai: "经营者（OpenAI 兼容接口）", staff: "工作人员咨询" };

  function failed(error) {
    if (error.status === 401) location.assign("/staff/login");
    return error.message;
  }

  /* ---------- overview ---------- */
  function renderOverview(p) {
    document.title = `${p.name} · 筹备期合伙人`;
    $("p-name").textContent = p.name;
    $("p-specialist").textContent = p.specialist_name;
    $("p-phone").replaceChildren(p.specialist_phone ? `电话：${p.specialist_phone}` : "");
    $("p-created").textContent = `${p.created_by} 创建于 ${formatTime(p.created_at, true)}`;
    $("p-status").value = p.status;
    $("p-description").textContent = p.description;
    $("export-pdf").href = `${base}/plan?format=pdf`;
    $("export-pdf").download = `${p.name}-筹备方案.pdf`;
    $("export-md").href = `${base}/plan?format=md`;
    $("export-md").download = `${p.name}-筹备方案.md`;
    $("card-link").href = `/staff/projects/${encodeURIComponent(p.id)}/card`;
    updateProgress();
    renderAccess(p);
  }

  function updateProgress() {
    const active = project.items.filter((i) => i.active);
    const done = active.filter((i) => i.status === "已完成").length;
    $("p-done").textContent = done;
    $("p-total").textContent = active.length;
    $("p-progress").max = Math.max(active.length, 1);
    $("p-progress").value = done;
    for (const [dimension, items] of groupBy(active, "dimension")) {
      const el = document.querySelector(`[data-dim-count="${dimension}"]`);
      if (el) el.textContent = `${items.filter((i) => i.status === "已完成").length}/${items.length} 已完成`;
    }
  }

  const statusSaved = indicator();
  $("p-status-saved").replaceWith(statusSaved);
  $("p-status").addEventListener("change", async (event) => {
    statusSaved.saving();
    try {
      const updated = await api(base, { method: "PATCH", body: { status: event.target.value } });
      project.status = updated.status;
      statusSaved.ok();
      loadHistory();
    } catch (error) {
      statusSaved.fail(failed(error));
      event.target.value = project.status;
    }
  });

  /* ---------- access link and QR ---------- */
  function linkState(link) {
    if (link.revoked) return "已撤销";
    return parseTime(link.expires_at) <= new Date() ? "已过期" : "有效";
  }

  function renderAccess(p) {
    const current = p.links.find((l) => linkState(l) === "有效");
    const img = $("qr");
    $("qr-missing").hidden = !!current;
    img.hidden = !current;
    if (current) {
      const src = `${base}/qr?format=svg&v=${encodeURIComponent(current.id)}`;
      if (img.getAttribute("src") !== src) img.src = src;
      $("link-url").value = absolute(current.url);
      $("link-expiry").textContent = `（有效期至 ${formatDate(current.expires_at)}）`;
      $("link-warning").textContent = current.warning || "";
      $("link-warning").hidden = !current.warning;
    } else {
      $("link-warning").hidden = true;
      img.removeAttribute("src");
      $("link-url").value = "";
      $("link-expiry").textContent = "";
    }
    $("copy-link").disabled = !current;
    $("card-link").hidden = !current;
    $("link-count").textContent = p.links.length;
    $("links").replaceChildren(
      ...p.links.map((link) => {
        const state = linkState(link);
        return h(
          "li",
          { class: "link-row" },
          h("code", { text: link.id }),
          h("span", { class: `link-state state-${state === "有效" ? "ok" : "off"}`, text: state }),
          h("span", { class: "muted small", text: `至 ${formatDate(link.expires_at)}` }),
          state === "有效" ? h("button", { type: "button", class: "btn small danger", text: "撤销", dataset: { revoke: link.id }, "aria-label": `撤销链接 ${link.id}` }) : "",
        );
      }),
    );
  }

  $("qr").addEventListener("error", () => {
    $("qr").hidden = true;
    $("qr-missing").hidden = false;
  });

  $("copy-link").addEventListener("click", async () => {
    const input = $("link-url");
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      document.execCommand("copy");
    }
    $("copy-status").textContent = "已复制";
    setTimeout(() => ($("copy-status").textContent = ""), 2500);
  });

  const linkStatus = (text, ok) => {
    $("link-status").className = `small ${ok ? "ok-text" : "err-text"}`;
    $("link-status").textContent = text;
  };

  $("new-link").addEventListener("click", async () => {
    if (!window.confirm("生成新链接后，旧链接和旧二维码将立即失效。确定继续吗？")) return;
    try {
      await api(`${base}/links`, { method: "POST" });
      await reloadProject();
      linkStatus("已生成新链接，请把新二维码交给经营者。", true);
    } catch (error) {
      linkStatus(failed(error));
    }
  });

  $("links").addEventListener("click", async (event) => {
    const id = event.target.dataset?.revoke;
    if (!id) return;
    if (!window.confirm(`撤销后，经营者将无法再用这个链接（${id}）打开方案。确定撤销吗？`)) return;
    try {
      await api(`${base}/links/${encodeURIComponent(id)}`, { method: "DELETE" });
      await reloadProject();
      linkStatus("链接已撤销。", true);
    } catch (error) {
      linkStatus(failed(error));
    }
  });

  /* ---------- understanding ---------- */
  function renderUnderstanding(plan) {
    $("types").replaceChildren(
      ...plan.project_types.map((t) => h("span", { class: "type-chip" }, t.name, h("b", { text: `${Math.round(t.confidence * 100)}%`, title: "识别置信度" }))),
    );
    $("facts").replaceChildren(
      ...(plan.understood.length
        ? plan.understood.map((f) =>
            h(
              "tr",
              {},
              h("th", { scope: "row", text: f.label }),
              h("td", { text: show(f.value) }),
              h("td", {}, f.source === "override" ? h("span", { class: "tag cond", text: "人工指定" })
                : f.source === "derived" ? h("span", { class: "tag example", text: "推定", title: f.evidence }) : h("q", { text: f.evidence })),
            ),
          )
        : [h("tr", {}, h("td", { colspan: "3", class: "muted", text: "没有从描述中识别出事实" }))]),
    );
    const questions = plan.questions || [];
    const others = plan.clarifying_questions.filter((q) => !questions.some((f) => f.question === q));
    $("questions-none").hidden = questions.length + others.length > 0;
    $("questions-form").hidden = questions.length + others.length === 0;
    $("questions-submit").hidden = questions.length === 0;
    $("questions").replaceChildren(
      ...others.map((q) => h("li", { class: "question" }, h("p", { text: q }))),
      ...questions.map((f) =>
        h(
          "li",
          { class: "question field" },
          h("label", { for: `q-${f.name}`, text: f.question }),
          f.red_line ? h("span", { class: "tag red", text: "决定红线" }) : "",
          factControl(f, `q-${f.name}`, null, "未回答"),
        ),
      ),
    );
  }

  /* ---------- fact controls (from the facts schema: labels, units, allowed values) ---------- */
  function factControl(form, id, value, emptyLabel, overridden = false) {
    const current = value == null ? "" : String(value);
    if (form.kind === "boolean" || form.kind === "choice") {
      const options = form.kind === "boolean" ? [["true", "是"], ["false", "否"]] : form.options.map((o) => [o, o]);
      return h(
        "select",
        { id, name: form.name, dataset: { fact: form.kind } },
        h("option", { value: "", text: emptyLabel }),
        ...options.map(([v, label]) => h("option", { value: v, text: label, selected: v === current })),
        overridden ? h("option", { value: "null", text: "取消人工指定" }) : "",
      );
    }
    const input = h("input", { id, name: form.name, type: "number", step: form.kind === "integer" ? "1" : "any",
      min: form.name === "floor" ? null : "0", dataset: { fact: form.kind, overridden: overridden ? "1" : "" }, value: current });
    const control = form.unit ? h("span", { class: "with-unit" }, input, h("span", { class: "unit", text: form.unit })) : input;
    return form.hint ? h("span", { class: "control" }, control, h("span", { class: "hint", text: form.hint })) : control;
  }

  /** The facts a form sets: empty controls are left out; "null" (or a cleared overridden number) removes an override. */
  function factsFrom(form) {
    const facts = {};
    for (const input of form.querySelectorAll("[data-fact]")) {
      const value = input.value.trim();
      const kind = input.dataset.fact;
      if (!value) {
        if (input.dataset.overridden) facts[input.name] = null;
        continue;
      }
      if (value === "null") facts[input.name] = null;
      else facts[input.name] = kind === "boolean" ? value === "true" : kind === "choice" ? value : Number(value);
    }
    return facts;
  }

  const factErrors = (detail) => (detail || []).map((d) => ({ ...d, field: String(d.field).replace(/^facts\./, "") }));

  /** Regenerate and say what changed: the items added and removed, by title. */
  async function regenerate(body) {
    const before = new Map(project.items.filter((i) => i.active).map((i) => [i.item_id, i.title]));
    const redBefore = project.plan.red_lines.length;
    const updated = await api(`${base}/regenerate`, { method: "POST", body });
    const after = new Map(updated.items.filter((i) => i.active).map((i) => [i.item_id, i.title]));
    const added = [...after].filter(([id]) => !before.has(id)).map(([, title]) => title);
    const removed = [...before].filter(([id]) => !after.has(id)).map(([, title]) => title);
    render(updated);
    const redAfter = updated.plan.red_lines.length;
    const diff = $("plan-diff");
    diff.replaceChildren(
      h("p", { class: "diff-head", text: `方案已更新：新增 ${added.length} 项，移出 ${removed.length} 项。` }),
      redAfter !== redBefore ? h("p", { class: redAfter ? "alert" : "ok-text", text: redAfter ? `触及红线 ${redAfter} 条，见页首。` : "不再触及红线。" }) : "",
      added.length ? h("details", { open: added.length <= 8 }, h("summary", { text: `新增（${added.length}）` }), h("ul", {}, added.map((t) => h("li", { class: "diff-add", text: t })))) : "",
      removed.length ? h("details", { open: removed.length <= 8 }, h("summary", { text: `移出（${removed.length}）` }), h("ul", {}, removed.map((t) => h("li", { class: "diff-remove", text: t })))) : "",
    );
    diff.hidden = false;
    loadHistory();
    return { added, removed };
  }

  $("questions-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const errorBox = $("questions-error");
    errorBox.hidden = true;
    showFieldErrors(form, []);
    const facts = Object.fromEntries(Object.entries(factsFrom(form)).filter(([, v]) => v !== null));
    if (!Object.keys(facts).length) {
      errorBox.textContent = "请至少回答一个问题。";
      errorBox.hidden = false;
      return;
    }
    if (await regenerateFrom(form, "questions", { facts }, "正在更新方案…")) $("plan-diff").scrollIntoView({ block: "nearest" });
  });

  /** Regenerate from one of the two forms ("questions", "regen"): its button disabled and its status line busy
   *  meanwhile, errors shown on the form. The diff, or null when it failed. */
  async function regenerateFrom(form, name, body, busyText) {
    const status = $(`${name}-status`);
    const submit = $(`${name}-submit`);
    submit.disabled = true;
    status.className = "small muted";
    status.textContent = busyText;
    try {
      return await regenerate(body);
    } catch (error) {
      $(`${name}-error`).textContent = failed(error);
      $(`${name}-error`).hidden = false;
      showFieldErrors(form, factErrors(error.detail));
      return null;
    } finally {
      status.textContent = "";
      submit.disabled = false;
    }
  }

  /* ---------- checklist ---------- */
  function renderChecklist(p) {
    const items = new Map(p.items.map((i) => [i.item_id, i]));
    const groups = byDimension(p.plan.requirements);
    $("checklist-body").replaceChildren(
      ...groups.map(([dimension, requirements]) =>
        h(
          "details",
          { class: "dim-block", open: true },
          h("summary", { class: "dim-title" }, h("h3", { text: dimension }), h("span", { class: "muted small", dataset: { dimCount: dimension } })),
          h(
            "table",
            { class: "checklist" },
            h(
              "thead",
              {},
              h("tr", {}, h("th", { scope: "col", text: "事项" }), h("th", { scope: "col", text: "依据" }), h("th", { scope: "col", text: "状态" }), h("th", { scope: "col", text: "备注（经营者可见）" })),
            ),
            h("tbody", {}, requirements.map((r) => itemRow(r, items.get(r.id)))),
          ),
        ),
      ),
    );
    const removed = p.items.filter((i) => !i.active);
    $("removed").hidden = !removed.length;
    $("removed-count").textContent = removed.length;
    $("removed-list").replaceChildren(
      ...removed.map((i) =>
        h("li", {}, h("span", { class: "muted small", text: i.dimension }), " ", h("span", { text: i.title }), " ", badge(i.status), i.note ? h("span", { class: "muted small", text: ` 备注：${i.note}` }) : ""),
      ),
    );
  }

  function itemRow(r, item) {
    if (!item) return "";
    const key = r.id.replace(/[^\w-]/g, "_");
    const more = [];
    if (r.detail) more.push(h("p", { text: r.detail }));
    if (r.materials.length) more.push(h("p", { class: "label", text: "需要的材料" }), h("ul", { class: "materials" }, r.materials.map((m) => h("li", { text: m }))));
    if (r.department) more.push(h("p", { class: "small" }, h("b", { text: "办理部门：" }), r.department));
    if (r.deferrable_note) more.push(h("p", { class: "small note-defer" }, h("b", { text: "容缺说明：" }), r.deferrable_note));
    if (r.pending_note) more.push(h("p", { class: "small note-pending" }, h("b", { text: "依据待补充：" }), r.pending_note));

    const select = h("select", { id: `st-${key}` }, ITEM_STATUSES.map((s) => h("option", { value: s, text: s, selected: s === item.status })));
    select.dataset.status = item.status;
    const note = h("textarea", { id: `note-${key}`, rows: "2", maxlength: "2000", value: item.note, placeholder: "添加备注" });
    const saved = indicator();
    const who = h("p", { class: "muted tiny", text: item.updated_by ? `${item.updated_by} · ${formatTime(item.updated_at)}` : "" });

    async function save(body, revert) {
      saved.saving();
      try {
        const updated = await api(`${base}/items/${encodeURIComponent(item.item_id)}`, { method: "PATCH", body });
        Object.assign(item, updated);
        select.dataset.status = item.status;
        who.textContent = item.updated_by ? `${item.updated_by} · ${formatTime(item.updated_at)}` : "";
        saved.ok();
        updateProgress();
        loadHistory();
      } catch (error) {
        saved.fail(failed(error));
        revert();
      }
    }
    select.addEventListener("change", () => save({ status: select.value }, () => (select.value = item.status)));
    note.addEventListener("change", () => {
      if (note.value !== item.note) save({ note: note.value }, () => {});
    });

    return h(
      "tr",
      { id: `item-${key}` },
      h(
        "td",
        { class: "c-item" },
        h(
          "div",
          { class: "title-line" },
          h("strong", { text: r.title }),
          r.stage ? h("span", { class: `tag stage stage-${r.stage}`, text: STAGE_NAMES[r.stage] }) : "",
          r.deferrable ? h("span", { class: "tag defer", text: "可容缺" }) : "",
          r.conditional ? h("span", { class: "tag cond", title: "取决于尚未确认的事实", text: "视情况" }) : "",
        ),
        more.length ? h("details", { class: "more" }, h("summary", { text: "说明与材料" }), more) : "",
      ),
      h("td", { class: "c-basis" }, cites(r.basis), r.basis_pending ? h("span", { class: "tag pending", title: r.pending_note || "", text: "依据待补充" }) : ""),
      h("td", { class: "c-status" }, h("label", { for: select.id, class: "sr-only", text: `「${r.title}」的状态` }), select, saved),
      h("td", { class: "c-note" }, h("label", { for: note.id, class: "sr-only", text: `「${r.title}」的备注` }), note, who),
    );
  }

  const STAGE_NAMES = { before_lease: "签约前必查", before_fitout: "装修施工前", before_opening: "开业前", after_opening: "开业后" };

  /* ---------- red lines and 事项 ---------- */
  function renderRedLines(plan) {
    const lines = plan.red_lines || [];
    $("red-lines").hidden = !lines.length;
    $("red-line-list").replaceChildren(
      ...lines.map((r) =>
        h(
          "article",
          { class: "red-line" },
          h("h3", { text: r.title }),
          h("p", { text: r.detail }),
          r.change ? h("p", {}, h("b", { text: "怎样才能办：" }), r.change) : "",
          cites(r.basis),
        ),
      ),
    );
  }

  function renderPermits(plan) {
    const permits = plan.permits || [];
    $("statutory-note").textContent = plan.statutory_note || "";
    $("permit-list").replaceChildren(
      ...permits.map((p) => {
        const limit = p.time_limit ? p.time_limit.text : p.time_limit_note || "法定时限依据待补充";
        const materials = p.materials.map((m) =>
          h(
            "li",
            {},
            m.name,
            m.deferrable ? h("span", { class: "tag defer", text: "可容缺" }) : "",
            m.commitment_ok ? h("span", { class: "tag", text: "可告知承诺" }) : "",
            m.note ? h("span", { class: "muted small", text: ` ${m.note}` }) : "",
          ),
        );
        return h(
          "li",
          { class: "permit" },
          h("h3", {}, p.name, h("span", { class: "muted small", text: ` · ${p.kind} · 第 ${p.parallel_group} 组（同组可同时办理）` })),
          h("p", { class: "small" }, h("b", { text: "部门：" }), p.department),
          h("p", { class: "small" }, h("b", { text: "时限：" }), limit),
          p.prerequisites.length ? h("p", { class: "small" }, h("b", { text: "前置：" }), p.prerequisites.join("、")) : "",
          materials.length ? h("details", {}, h("summary", { text: `申请材料（${materials.length} 项）` }), h("ul", {}, materials)) : "",
          p.materials_note ? h("p", { class: "muted small", text: p.materials_note }) : "",
          cites(p.basis),
        );
      }),
    );
  }

  /* ---------- problems, steps, cases ---------- */
  function renderPlanText(plan) {
    $("problem-list").replaceChildren(
      ...plan.common_problems.map((p) =>
        h(
          "article",
          { class: "problem" },
          h("h3", {}, p.title, p.dimension ? h("span", { class: "muted small", text: ` · ${p.dimension}` }) : ""),
          h("p", { text: p.detail }),
          h("p", { class: "advice" }, h("b", { text: "建议：" }), p.advice),
          cites(p.basis),
          p.basis_pending ? h("span", { class: "tag pending", title: p.pending_note || "", text: "依据待补充" }) : "",
        ),
      ),
    );
    $("step-list").replaceChildren(
      ...[...groupBy(plan.steps, "order").values()].map((list, i) =>
        h(
          "li",
          {},
          h("span", { class: "step-no", "aria-hidden": "true", text: i + 1 }),
          h(
            "div",
            {},
            list.map((s) =>
              h(
                "div",
                { class: "step" },
                h("strong", { text: s.title }),
                s.department ? h("p", { class: "small muted", text: `办理部门：${s.department}` }) : "",
                s.duration ? h("p", { class: "small muted", text: `时限：${s.duration}` }) : "",
                s.detail ? h("p", { class: "small", text: s.detail }) : "",
              ),
            ),
          ),
        ),
      ),
    );
    $("case-list").replaceChildren(
      ...(plan.similar_cases.length
        ? plan.similar_cases.map((c) =>
            h(
              "article",
              { class: "case" },
              h("h3", {}, c.illustrative ? h("span", { class: "tag example", text: "示例" }) : h("span", { class: "tag real", text: "真实案例" }), " ", c.title),
              h("p", { class: "small", text: c.summary.replace(/^【(真实案例|示例)】\s*/, "") }),
            ),
          )
        : [h("p", { class: "muted", text: "暂无相似案例" })]),
    );
  }

  /* ---------- conversations ---------- */
  async function loadConversations() {
    const box = $("conversation-list");
    try {
      const list = await api(`${base}/conversations`);
      const withMessages = list.filter((c) => c.messages.length);
      box.replaceChildren(...(withMessages.length ? withMessages.map(conversation) : [h("p", { class: "muted", text: "经营者还没有咨询过。" })]));
    } catch (error) {
      box.replaceChildren(h("p", { class: "err-text", text: failed(error) }));
    }
  }

  function conversation(c) {
    const pairs = [];
    let question = null;
    for (const m of c.messages) {
      if (m.role === "user") question = m;
      else {
        pairs.push([question, m]);
        question = null;
      }
    }
    if (question) pairs.push([question, null]);
    return h(
      "div",
      { class: "conversation" },
      h("h3", { text: `${CHANNELS[c.channel] || CHANNELS.staff}${c.channel === "staff" ? " · " : " · 始于 "}${formatTime(c.created_at)}` }),
      pairs.map(([q, a]) => qaPair(q, a)),
    );
  }

  function qaPair(q, a) {
    const feedback = a ? a.feedback : [];
    const down = feedback.some((f) => f.rating === "down");
    return h(
      "article",
      { class: `qa${down ? " has-down" : ""}` },
      q ? h("p", { class: "q" }, h("span", { class: "who", text: "问" }), h("span", { class: "q-text", text: q.text }), h("time", { class: "muted tiny", text: formatTime(q.created_at) })) : "",
      a
        ? h(
            "div",
            { class: "a" },
            h("span", { class: "who", text: "答" }),
            h(
              "div",
              {},
              a.out_of_scope ? h("span", { class: "tag example", text: "超出范围" }) : "",
              h("div", { class: "pre a-text", text: a.text }),
              cites(a.citations),
              feedback.length ? h("ul", { class: "feedback" }, feedback.map(feedbackLine)) : "",
              down && q
                ? h(
                    "details",
                    { class: "faq-box" },
                    h("summary", { text: "转为常见问答" }),
                    faqForm({
                      question: q.text,
                      answer: a.text,
                      feedbackId: feedback.find((f) => f.rating === "down").id,
                      types: project.plan.project_types.map((t) => ({ id: t.id, name: t.name })),
                      onDone: () => setTimeout(loadConversations, 1500),
                    }),
                  )
                : "",
            ),
          )
        : "",
    );
  }

  function feedbackLine(f) {
    return h(
      "li",
      { class: `fb-line fb-${f.rating}` },
      icon(f.rating),
      h("strong", { text: f.rating === "down" ? "没帮助" : "有帮助" }),
      f.reason ? h("span", { class: "fb-reason", text: `“${f.reason}”` }) : h("span", { class: "muted", text: "（未填原因）" }),
      h("span", { class: "muted tiny", text: formatTime(f.created_at) }),
      h("span", { class: `tag ${f.resolved ? "real" : "pending"}`, text: f.resolved ? "已处理" : "未处理" }),
    );
  }

  $("reload-conversations").addEventListener("click", loadConversations);

  /* ---------- regenerate ---------- */
  let factForms = null; // GET /api/v1/facts, once
  const COMMON_FACTS = ["area_m2", "floor", "distance_to_school_m", "building_use", "property_status", "has_property_certificate",
    "in_residential_building", "in_residential_area", "has_pool", "water_area_m2", "entity_type", "rooms", "computers", "beds"];

  async function renderRegenerate(p) {
    $("regen-description").value = p.description;
    factForms = factForms || (await api("/api/v1/facts"));
    const field = (f) => {
      const override = p.fact_overrides[f.name];
      const known = p.plan.facts[f.name];
      const empty = known == null ? "沿用（未知）" : `沿用（${show(known)}）`;
      const control = factControl(f, `f-${f.name}`, override, empty, override !== undefined);
      if (control.tagName === "INPUT" || control.querySelector?.("input")) {
        const input = control.tagName === "INPUT" ? control : control.querySelector("input");
        input.placeholder = known == null ? "未知" : `识别为 ${show(known)}`;
      }
      return h("div", { class: "field" }, h("label", { for: `f-${f.name}`, text: f.unit ? `${f.label}（${f.unit}）` : f.label }), control);
    };
    $("fact-grid").replaceChildren(...factForms.filter((f) => COMMON_FACTS.includes(f.name)).map(field));
    $("fact-grid-more").replaceChildren(...factForms.filter((f) => !COMMON_FACTS.includes(f.name)).map(field));
    const labels = Object.fromEntries(factForms.map((f) => [f.name, f.label]));
    const overrides = Object.entries(p.fact_overrides);
    $("regen-overrides").textContent = overrides.length ? `当前人工指定：${overrides.map(([k, v]) => `${labels[k] || k}：${show(v)}`).join("，")}（清空或选“取消人工指定”即恢复按描述识别）` : "";
  }

  $("regen-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const errorBox = $("regen-error");
    errorBox.hidden = true;
    showFieldErrors(form, []);
    const facts = factsFrom(form);
    const body = {};
    const description = $("regen-description").value.trim();
    if (description && description !== project.description) body.description = description;
    if (Object.keys(facts).length) body.facts = facts;
    const diff = await regenerateFrom(form, "regen", body, "正在重新生成方案…");
    if (diff) {
      $("regen-status").className = "small ok-text";
      $("regen-status").textContent = `方案已更新：新增 ${diff.added.length} 项，移出 ${diff.removed.length} 项（明细见“待向经营者确认”下方）。`;
    }
  });

  /* ---------- 要件预审 ---------- */
  async function decide(doc, finding, decision, note) {
    await api(`${base}/documents/${doc.id}/findings/${finding.n}`, { method: "PATCH", body: { decision, note } });
    await Promise.all([loadDocuments(), reloadProject(), loadHistory()]);
  }

  async function adopt(doc, field) {
    render(await api(`${base}/documents/${doc.id}/facts`, { method: "POST", body: { fields: [field.name] } }));
    loadHistory();
  }

  async function loadDocuments() {
    try {
      const documents = await api(`${base}/documents`);
      $("doc-list").replaceChildren(window.DOCS.documentList(documents, { loadArticle, decide, adopt }));
    } catch (error) {
      $("doc-list").replaceChildren(h("p", { class: "err-text", text: failed(error) }));
    }
  }

  $("doc-upload").replaceChildren(
    window.DOCS.uploadForm({ url: `${base}/documents`, idPrefix: "staff-doc", camera: false, onDone: () => Promise.all([loadDocuments(), reloadProject(), loadHistory()]) }),
  );

  /* ---------- history ---------- */
  const typeNames = () => Object.fromEntries(project.plan.project_types.map((t) => [t.id, t.name]));
  async function loadHistory() {
    try {
      const entries = await api(`${base}/history`);
      $("history-list").replaceChildren(
        ...entries.map((e) =>
          h("tr", {}, h("td", { class: "nowrap", text: formatTime(e.created_at, true) }), h("td", { text: e.actor }), h("td", { class: "nowrap", text: e.action }), h("td", { text: describe(e, typeNames()) })),
        ),
      );
    } catch (error) {
      $("history-list").replaceChildren(h("tr", {}, h("td", { colspan: "4", class: "err-text", text: failed(error) })));
    }
  }

  /* ---------- load ---------- */
  function render(p) {
    project = p;
    renderChecklist(p);
    renderOverview(p);
    renderUnderstanding(p.plan);
    renderRedLines(p.plan);
    renderPermits(p.plan);
    renderPlanText(p.plan);
    renderRegenerate(p).catch((error) => {
      $("regen-error").textContent = failed(error);
      $("regen-error").hidden = false;
    });
    $("load-status").hidden = true;
    $("project").hidden = false;
  }

  async function reloadProject() {
    render(await api(base));
  }

  api(base)
    .then((p) => {
      render(p);
      if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
      loadConversations();
      loadHistory();
      loadDocuments();
    })
    .catch((error) => {
      $("load-status").className = "alert";
      $("load-status").textContent = failed(error);
    });
})();
