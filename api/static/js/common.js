/* Chubei — shared helpers. All dynamic text goes through textContent (h() never parses HTML). */
"use strict";
(function () {
  const DIMENSIONS = ["房产", "主体", "人员", "设备", "消防", "卫生", "环保", "其他"];
  const ITEM_STATUSES = ["待准备", "已提交预审", "预审通过", "容缺受理", "已完成"];

  const PROPS = new Set(["value", "checked", "selected", "hidden", "disabled", "open", "required", "readOnly"]);

  /** h("p", {class: "x", onclick: fn, dataset: {id: 1}}, "text", child) — builds DOM, text as text nodes. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (PROPS.has(key)) node[key] = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, message, detail) {
      super(message);
      this.status = status;
      this.detail = detail || [];
    }
  }

  /** fetch JSON from our own API (cookies included) → {response, data}; errors become ApiError with the server's Chinese message. */
  async function request(url, options = {}) {
    const init = { method: options.method || "GET", credentials: "same-origin", headers: { Accept: "application/json" } };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      init.headers["Content-Type"] = "application/json";
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new ApiError(0, "网络连接异常，请检查网络后重试");
    }
    let data = null;
    const type = response.headers.get("content-type") || "";
    if (type.includes("json")) {
      try {
        data = await response.json();
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      const message = (data && typeof data.message === "string" && data.message) || `请求失败（${response.status}），请稍后重试`;
      throw new ApiError(response.status, message, data && Array.isArray(data.detail) ? data.detail : []);
    }
    return { response, data };
  }

  async function api(url, options = {}) {
    return (await request(url, options)).data;
  }

  /** One page of a list endpoint: its rows, and the total the server counts in X-Total-Count. */
  async function apiPage(url) {
    const { response, data } = await request(url);
    const total = Number(response.headers.get("X-Total-Count"));
    return { rows: data, total: Number.isFinite(total) ? total : data.length };
  }

  /** Timestamps without a zone are UTC (the database stores UTC). */
  function parseTime(value) {
    if (!value) return null;
    const text = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : value + "Z";
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  const pad = (n) => String(n).padStart(2, "0");
  function formatTime(value, withYear) {
    const d = parseTime(value);
    if (!d) return "";
    const date = `${d.getMonth() + 1}月${d.getDate()}日`;
    const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return (withYear || d.getFullYear() !== new Date().getFullYear() ? `${d.getFullYear()}年` : "") + `${date} ${time}`;
  }
  function formatDate(value) {
    const d = parseTime(value);
    return d ? `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日` : "";
  }

  function groupBy(list, key) {
    const groups = new Map();
    for (const item of list) {
      const k = typeof key === "function" ? key(item) : item[key];
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(item);
    }
    return groups;
  }

  /** Dimensions in the fixed order 房产 → 其他, any unknown ones after. */
  function byDimension(items) {
    const groups = groupBy(items, "dimension");
    const order = [...DIMENSIONS.filter((d) => groups.has(d)), ...[...groups.keys()].filter((d) => !DIMENSIONS.includes(d))];
    return order.map((d) => [d, groups.get(d)]);
  }

  function badge(status) {
    return h("span", { class: "badge", dataset: { status }, text: status });
  }

  /**
   * A citation chip 《title》第N条: expands to the quoted text; 查看全文 loads the full article via loadArticle(doc, art).
   */
  function citation(c, loadArticle) {
    const full = h("div", { class: "article-full", hidden: true, "aria-live": "polite" });
    const meta = [c.level, c.version_date && `版本 ${c.version_date}`].filter(Boolean).join(" · ");
    let loaded = false;
    const button = h("button", { type: "button", class: "btn link small", "aria-expanded": "false", text: "查看全文" });
    button.addEventListener("click", async () => {
      if (!full.hidden) {
        full.hidden = true;
        button.textContent = "查看全文";
        button.setAttribute("aria-expanded", "false");
        return;
      }
      full.hidden = false;
      button.setAttribute("aria-expanded", "true");
      button.textContent = "收起全文";
      if (loaded) return;
      full.replaceChildren(h("p", { class: "muted small", text: "正在加载条文…" }));
      try {
        const a = await loadArticle(c.doc_id, c.article);
        loaded = true;
        full.replaceChildren(
          a.chapter ? h("p", { class: "chapter", text: `《${a.title}》 ${a.chapter}` }) : "",
          h("p", { class: "article-head", text: a.chapter ? a.article : `《${a.title}》${a.article}` }),
          h("p", { class: "article-text", text: a.text }),
          a.caveat && a.caveat !== c.caveat ? h("p", { class: "caveat", text: `⚠ ${a.caveat}` }) : "",
        );
      } catch (error) {
        full.replaceChildren(h("p", { class: "err-text small", text: error.message }));
      }
    });
    return h(
      "details",
      { class: "cite" },
      h("summary", { title: "展开引用原文" }, `《${c.title}》${c.article}`),
      h(
        "div",
        { class: "cite-body" },
        (c.quotes || [c.text]).map((text) => h("blockquote", { class: "quote", text })),
        meta ? h("p", { class: "cite-meta", text: meta }) : "",
        c.caveat ? h("p", { class: "caveat", text: `⚠ ${c.caveat}` }) : "",
        button,
        full,
      ),
    );
  }

  /** Citation chips; several quotes from the same article share one chip. */
  function citations(list, loadArticle, label) {
    if (!list || !list.length) return null;
    const merged = new Map();
    for (const c of list) {
      const key = `${c.doc_id}\u0000${c.article}`;
      if (!merged.has(key)) merged.set(key, { ...c, quotes: [] });
      const quotes = merged.get(key).quotes;
      if (!quotes.includes(c.text)) quotes.push(c.text);
    }
    const chips = [...merged.values()].map((c) => citation(c, loadArticle));
    return h("div", { class: "cites" }, label ? h("p", { class: "cites-label", text: label }) : "", chips);
  }

  const THUMB = "M2 20h2a1 1 0 0 0 1-1v-9a1 1 0 0 0-1-1H2zm19.8-7.1.2-.8V11a2 2 0 0 0-2-2h-5.5l.9-4.7a1.5 1.5 0 0 0-.4-1.3L14 2 7.6 8.4C7.2 8.8 7 9.3 7 9.8v7.9C7 19 8 20 9.3 20h8.2c.7 0 1.3-.4 1.7-1z";
  const ICON_PATHS = {
    up: THUMB,
    down: THUMB,
    info: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 15h-2v-6h2zm0-8h-2V7h2z",
  };
  /** A small inline SVG icon (no emoji fonts needed); decorative, so hidden from assistive tech. */
  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", `icon icon-${name}`);
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICON_PATHS[name]);
    path.setAttribute("fill", "currentColor");
    if (name === "down") path.setAttribute("transform", "rotate(180 12 12)");
    svg.append(path);
    return svg;
  }

  window.CB = { icon, DIMENSIONS, ITEM_STATUSES, h, append, api, apiPage, ApiError, parseTime, formatTime, formatDate, groupBy, byDimension, badge, citation, citations };
})();
