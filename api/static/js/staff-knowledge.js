/* Staff: the knowledge page — review queue with diffs, item search, the editor, retire, versions and restore. */
"use strict";
(function () {
  const { h, api, formatTime } = window.CB;
  const { editor, diffTable } = window.KB;
  const $ = (id) => document.getElementById(id);
  const isAdmin = document.body.dataset.role === "管理员";
  let current = null; // the item shown: KnowledgeItemOut

  const failed = (error) => {
    if (error.status === 401) location.assign("/staff/login");
    return error.message;
  };

  /* ---------- review queue ---------- */
  async function loadQueue() {
    try {
      const changes = await api("/api/v1/kb/changes?status=" + encodeURIComponent("待审核"));
      $("queue-status").textContent = changes.length ? `${changes.length} 项修改等待审核` : "没有等待审核的修改。";
      $("queue").replaceChildren(...changes.map(changeCard));
    } catch (error) {
      $("queue-status").textContent = failed(error);
    }
  }

  function changeCard(c) {
    const status = h("span", { class: "small", role: "status" });
    const note = h("input", { id: `note-${c.id}`, type: "text", maxlength: "500", placeholder: "审核意见（选填）" });
    const review = (verdict) => async () => {
      for (const b of buttons) b.disabled = true;
      status.className = "small muted";
      status.textContent = verdict === "approve" ? "正在生效并更新索引…" : "正在驳回…";
      try {
        const done = await api(`/api/v1/kb/changes/${c.id}/${verdict}`, { method: "POST", body: { note: note.value } });
        status.className = "small ok-text";
        status.textContent = done.status === "已生效" ? "已通过，已生效。" : "已驳回。";
        if (current && current.id === c.item_id) openItem(c.item_id);
      } catch (error) {
        for (const b of buttons) b.disabled = false;
        status.className = "small err-text";
        status.textContent = failed(error);
      }
    };
    const buttons = isAdmin
      ? [h("button", { type: "button", class: "btn small primary", text: "通过", onclick: review("approve") }), h("button", { type: "button", class: "btn small", text: "驳回", onclick: review("reject") })]
      : [];
    return h(
      "article",
      { class: "change-card", dataset: { id: c.id }, "aria-label": `修改记录 ${c.id}` },
      h(
        "header",
        {},
        h("strong", { text: `${c.action}${c.kind_name}「${c.title}」` }),
        h("button", { type: "button", class: "link", text: c.item_id, onclick: () => openItem(c.item_id) }),
        h("span", { class: "muted small", text: ` ${c.proposed_by} · ${formatTime(c.proposed_at)} · 修改记录 ${c.id}` }),
      ),
      h("p", { class: "small" }, h("b", { text: "原因：" }), c.reason),
      c.feedback_ids.length ? h("p", { class: "small muted", text: `来自反馈 ${c.feedback_ids.join("、")}（生效后标记为已处理）` }) : "",
      diffTable(c.diff),
      isAdmin ? h("div", { class: "actions" }, h("label", { for: note.id, class: "sr-only", text: "审核意见" }), note, ...buttons, status) : h("p", { class: "muted small", text: "等待管理员审核" }),
    );
  }

  /* ---------- item search ---------- */
  async function search() {
    const params = new URLSearchParams();
    if ($("item-q").value.trim()) params.set("q", $("item-q").value.trim());
    if ($("item-kind").value) params.set("kind", $("item-kind").value);
    try {
      const rows = await api(`/api/v1/kb/items?${params}`);
      $("items-status").textContent = rows.length ? `找到 ${rows.length} 条${rows.length >= 50 ? "（只列前 50 条）" : ""}` : "没有找到。";
      $("items").replaceChildren(
        ...rows.map((r) =>
          h(
            "li",
            {},
            h(
              "button",
              { type: "button", class: "item-row", onclick: () => openItem(r.id) },
              h("span", { class: "tag", text: r.kind_name }),
              ` ${r.title} `,
              h("span", { class: "muted tiny", text: `${r.id}${r.type_name ? ` · ${r.type_name}` : ""}` }),
              r.pending ? h("span", { class: "tag pending", text: `${r.pending} 项待审核` }) : "",
            ),
          ),
        ),
      );
    } catch (error) {
      $("items-status").textContent = failed(error);
    }
  }

  /* ---------- one item ---------- */
  async function openItem(id) {
    $("item-pane").hidden = false;
    history.replaceState(null, "", `#item=${encodeURIComponent(id)}`);
    try {
      const [item, versions] = await Promise.all([api(`/api/v1/kb/items/${encodeURIComponent(id)}`), api(`/api/v1/kb/items/${encodeURIComponent(id)}/versions`)]);
      current = item;
      $("h-item").textContent = `${item.kind_name}「${item.title}」`;
      $("item-meta").textContent = [item.id, item.type_name, item.source ? `定义于 ${item.source}` : null, item.version ? `现行版本：修改记录 ${item.version}` : "现行版本：最初的版本", item.pending ? `${item.pending} 项修改待审核` : null]
        .filter(Boolean)
        .join(" · ");
      $("item-editor").replaceChildren(editor({ kind: item.kind, id: item.id, item: item.item, titles: item.basis_titles, onDone: () => refresh(item.id) }));
      $("retire").hidden = false;
      showVersions(id, versions);
    } catch (error) {
      current = null;
      $("h-item").textContent = id;
      $("item-editor").replaceChildren(h("p", { class: "alert", text: failed(error) }));
      $("retire").hidden = true;
      try {
        showVersions(id, await api(`/api/v1/kb/items/${encodeURIComponent(id)}/versions`));
      } catch {
        $("versions").replaceChildren();
      }
    }
    $("item-pane").scrollIntoView({ block: "start" });
  }

  function refresh(id) {
    setTimeout(() => {
      loadQueue();
      openItem(id);
    }, 1200);
  }

  function showVersions(id, versions) {
    $("versions").replaceChildren(
      ...versions.map((v) => {
        const status = h("span", { class: "small", role: "status" });
        const restore =
          isAdmin && !v.current
            ? h("button", {
                type: "button",
                class: "btn small",
                text: "恢复此版本",
                onclick: async (event) => {
                  const reason = window.prompt("恢复的原因（必填）", "恢复到此前的版本");
                  if (!reason) return;
                  event.target.disabled = true;
                  try {
                    await api(`/api/v1/kb/items/${encodeURIComponent(id)}/restore`, { method: "POST", body: { version: v.version, reason } });
                    status.className = "small ok-text";
                    status.textContent = "已恢复，已生效。";
                    refresh(id);
                  } catch (error) {
                    event.target.disabled = false;
                    status.className = "small err-text";
                    status.textContent = failed(error);
                  }
                },
              })
            : null;
        return h(
          "li",
          { class: v.current ? "current" : "" },
          h("strong", { text: v.label }),
          v.current ? h("span", { class: "tag real", text: "现行" }) : "",
          v.by ? h("span", { class: "muted small", text: ` ${v.by} · ${formatTime(v.at)} · ${v.reason}` }) : "",
          v.item ? h("details", {}, h("summary", { text: "查看内容" }), h("pre", { class: "small", text: v.item.answer || v.item.detail || JSON.stringify(v.item, null, 1) })) : h("span", { class: "muted small", text: "（该版本中条目不存在）" }),
          restore || "",
          status,
        );
      }),
    );
  }

  $("retire").addEventListener("click", async () => {
    if (!current) return;
    const reason = window.prompt(`停用「${current.title}」的原因（必填）`);
    if (!reason) return;
    try {
      const change = await api(`/api/v1/kb/items/${encodeURIComponent(current.id)}`, { method: "DELETE", body: { reason } });
      $("retire-status").className = "small ok-text";
      $("retire-status").textContent = change.status === "已生效" ? "已停用。" : `已提交停用（修改记录 ${change.id}），等待管理员审核。`;
      refresh(current.id);
    } catch (error) {
      $("retire-status").className = "small err-text";
      $("retire-status").textContent = failed(error);
    }
  });

  /* ---------- new item ---------- */
  function newEditor() {
    const kind = $("new-kind").value;
    $("new-editor").replaceChildren(
      editor({
        kind,
        id: () => $("new-id").value.trim() || null,
        item: {},
        isNew: true,
        onDone: (change) => {
          loadQueue();
          if (change.status === "已生效") openItem(change.item_id);
        },
      }),
    );
  }
  $("new-kind").addEventListener("change", newEditor);
  $("new-item").addEventListener("toggle", () => $("new-item").open && !$("new-editor").childElementCount && newEditor());

  $("item-search").addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  loadQueue();
  const hash = /^#item=(.+)$/.exec(location.hash);
  if (hash) openItem(decodeURIComponent(hash[1]));
})();
