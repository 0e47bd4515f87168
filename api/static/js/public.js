/* Public assistant page: the general assistant for anyone with the link (service hall QR code, 政务 portal embed).
   The conversation lives in this page only: a reload — the next person at a service-hall kiosk — starts afresh. */
"use strict";
(function () {
  const { api, ApiError } = window.CB;
  const token = document.body.dataset.token;
  const base = `/api/v1/p/${encodeURIComponent(token)}`;
  const $ = (id) => document.getElementById(id);
  const SUGGESTIONS = ["开KTV需要办哪些证？", "游泳馆要配几个救生员？", "民宿消防有什么要求？"];
  const articles = new Map();
  let sessionId = null;

  const isLinkError = (error) => error instanceof ApiError && (error.status === 401 || error.status === 403);

  function linkClosed(message) {
    $("banner-text").textContent = message;
    $("banner").hidden = false;
    chat.close("该咨询入口暂时无法使用");
  }

  const loadArticle = (doc, article) => {
    const key = `${doc}/${article}`;
    if (!articles.has(key)) {
      const request = api(`${base}/articles/${encodeURIComponent(doc)}/${encodeURIComponent(article)}`);
      request.catch((error) => {
        articles.delete(key);
        if (isLinkError(error)) linkClosed(error.message);
      });
      articles.set(key, request);
    }
    return articles.get(key);
  };

  async function post(question) {
    const body = sessionId ? { question, session_id: sessionId } : { question };
    const answer = await api(`${base}/ask`, { method: "POST", body });
    sessionId = answer.session_id;
    return answer;
  }

  window.CHAT.bigTextToggle($("text-size"));
  const chat = window.CHAT.mount({
    messages: $("messages"),
    input: $("question"),
    send: $("send"),
    form: $("ask-form"),
    greeting: "您好！我是开业筹备智能咨询助手。可以问我开店办证的条件、申请材料、办理流程等问题，每条答复都会附上法规原文，方便您核对。",
    suggestions: SUGGESTIONS,
    post,
    rate: (m, body) => api(`${base}/feedback`, { method: "POST", body: { ...body, session_id: sessionId } }),
    loadArticle,
    visible: () => true,
    isFatal: isLinkError,
    onFatal: (error) => linkClosed(error.message),
  });
  chat.show([]);

  /* Embedded in another site's panel (/embed.js): 关闭 and Esc ask that page to close the panel. */
  const close = $("close-embed");
  if (close) {
    const ask = () => window.parent.postMessage({ type: "chubei:close" }, "*");
    close.addEventListener("click", ask);
    $("question").focus();
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") ask();
    });
  }
})();
