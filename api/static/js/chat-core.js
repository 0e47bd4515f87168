/* The chat shared by the operator page (/c/…) and the public assistant page (/p/…): the 大字 toggle, cited answers,
   有帮助/没帮助 feedback, and the composer. Each page says where questions and feedback go. */
"use strict";
(function () {
  const { h, citations, formatTime, icon } = window.CB;

  /* ---------- 大字 (large text), remembered on this phone ---------- */
  const BIG_TEXT = "chubei-big-text";
  const stored = (read) => {
    try {
      return read();
    } catch {
      return null; // storage blocked (private mode, some embedded frames): the toggle still works for this visit
    }
  };
  function bigTextToggle(button) {
    const set = (on) => {
      document.documentElement.classList.toggle("big-text", on);
      button.setAttribute("aria-pressed", String(on));
      stored(() => (on ? localStorage.setItem(BIG_TEXT, "1") : localStorage.removeItem(BIG_TEXT)));
    };
    set(stored(() => localStorage.getItem(BIG_TEXT)) === "1");
    button.addEventListener("click", () => set(button.getAttribute("aria-pressed") !== "true"));
  }

  /**
   * The chat in `messages` with the composer `form` (`input`, `send`).
   * options: post(question) → Promise<answer>; rate(message, {message_id, rating, reason}) → Promise;
   * loadArticle(doc, article); suggestions; greeting; visible() (is the chat on screen); isFatal(error) and
   * onFatal(error) for errors after which nobody can ask any more (an expired or disabled link).
   */
  function mount(options) {
    const { messages, input, send, form } = options;
    let pending = false;
    let closed = false;

    const calm = window.matchMedia("(prefers-reduced-motion: reduce)");
    function scrollToEnd(smooth) {
      const last = messages.lastElementChild;
      if (last && options.visible()) last.scrollIntoView({ block: "end", behavior: smooth && !calm.matches ? "smooth" : "auto" });
    }

    function welcome() {
      return h(
        "div",
        { class: "msg bot welcome" },
        h("div", { class: "bubble" }, options.greeting),
        h(
          "div",
          { class: "suggest" },
          options.suggestions.map((q) => h("button", { type: "button", class: "btn small", text: q, onclick: () => ask(q) })),
        ),
      );
    }

    function userMessage(text, time) {
      return h("div", { class: "msg user" }, h("div", { class: "bubble", text }), time ? h("time", { text: formatTime(time) }) : "");
    }

    function botMessage(m) {
      const bubble = m.out_of_scope
        ? h("div", { class: "bubble" }, h("span", { class: "oos-title" }, icon("info"), " 温馨提示"), m.text)
        : h("div", { class: "bubble" },
            m.understood_as ? h("p", { class: "understood small", text: `（理解为：${m.understood_as}）` }) : "",
            h("span", { text: m.text }));
      return h(
        "article",
        { class: `msg bot${m.out_of_scope ? " oos" : ""}`, dataset: { id: m.id }, "aria-label": "助手答复" },
        bubble,
        citations(m.citations, options.loadArticle, "法规依据（点开查看原文）"),
        feedbackRow(m),
        h("time", { text: formatTime(m.created_at) }),
      );
    }

    function feedbackRow(m) {
      if (m.feedback && m.feedback.length) return h("div", { class: "fb" }, h("span", { class: "fb-thanks", text: "已收到您的反馈，感谢！" }));
      const row = h("div", { class: "fb" }, h("span", { text: "这个回答有帮助吗？" }));
      const feedbackForm = h("form", { class: "fb-form", hidden: true });
      const up = h("button", { type: "button", class: "btn rate up", "aria-pressed": "false", title: "有帮助" }, icon("up"), h("span", { class: "sr-only", text: "有帮助" }));
      const down = h("button", { type: "button", class: "btn rate down", "aria-pressed": "false", title: "没帮助" }, icon("down"), h("span", { class: "sr-only", text: "没帮助" }));
      let rating = null;
      const fieldId = `fb-${m.id}`;
      const label = h("label", { for: fieldId });
      const reason = h("textarea", { id: fieldId, maxlength: "1000", rows: "2" });
      const submit = h("button", { type: "submit", class: "btn primary small", text: "提交反馈" });
      const status = h("p", { class: "err-text small", role: "status" });
      feedbackForm.append(label, reason, submit, status);
      const choose = (value) => {
        rating = value;
        up.setAttribute("aria-pressed", String(value === "up"));
        down.setAttribute("aria-pressed", String(value === "down"));
        label.textContent = value === "down" ? "哪里不对或没说清楚？告诉我们原因，专员会据此改进" : "还有什么想补充的吗？（选填）";
        reason.placeholder = value === "down" ? "例如：没说具体要几个人；和窗口说的不一样……" : "";
        feedbackForm.hidden = false;
        reason.focus();
      };
      up.addEventListener("click", () => choose("up"));
      down.addEventListener("click", () => choose("down"));
      feedbackForm.addEventListener("submit", async (event) => {
        event.preventDefault();
        submit.disabled = true;
        status.textContent = "";
        try {
          await options.rate(m, { message_id: m.id, rating, reason: reason.value.trim() });
          row.replaceChildren(h("span", { class: "fb-thanks", role: "status", text: "感谢反馈！我们会认真改进。" }));
        } catch (error) {
          submit.disabled = false;
          status.textContent = error.message;
          if (options.isFatal(error)) options.onFatal(error);
        }
      });
      row.append(up, down, feedbackForm);
      return row;
    }

    function typing() {
      return h(
        "div",
        { class: "msg bot typing", role: "status" },
        h("div", { class: "bubble", "aria-label": "正在查找法规、组织答复…" }, h("i"), h("i"), h("i")),
      );
    }

    function updateSend() {
      send.disabled = pending || closed || !input.value.trim();
    }

    async function ask(question) {
      question = question.trim();
      if (!question || pending || closed) return;
      pending = true;
      input.value = "";
      grow();
      updateSend();
      messages.querySelector(".welcome .suggest")?.remove();
      let answered = null;
      const mine = userMessage(question);
      const dots = typing();
      messages.append(mine, dots);
      scrollToEnd(true);
      try {
        const answer = await options.post(question);
        const reply = botMessage(answer);
        dots.replaceWith(reply);
        answered = reply;
      } catch (error) {
        dots.remove();
        if (options.isFatal(error)) {
          options.onFatal(error);
          messages.append(h("div", { class: "msg bot error", role: "alert" }, h("div", { class: "bubble", text: error.message })));
        } else {
          const failed = h(
            "div",
            { class: "msg bot error", role: "alert" },
            h("div", { class: "bubble" }, error.message),
            error.status === 422
              ? ""
              : h("button", {
                  type: "button",
                  class: "btn small",
                  text: "重试",
                  onclick: () => {
                    failed.remove();
                    mine.remove();
                    ask(question);
                  },
                }),
          );
          messages.append(failed);
          if (error.status === 422) input.value = question;
        }
      } finally {
        pending = false;
        updateSend();
        // Long answers: show where the answer begins (just below the question), not its end.
        if (answered) mine.scrollIntoView({ block: "start", behavior: calm.matches ? "auto" : "smooth" });
        else scrollToEnd(true);
      }
    }

    function grow() {
      input.style.height = "auto";
      input.style.height = `${Math.min(input.scrollHeight + 2, 144)}px`;
    }

    input.addEventListener("input", () => {
      grow();
      updateSend();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        ask(input.value);
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      ask(input.value);
    });
    updateSend();

    return {
      ask,
      scrollToEnd,
      /** Show the greeting and an earlier conversation (oldest first). */
      show(list) {
        messages.replaceChildren(welcome(), ...list.map((m) => (m.role === "user" ? userMessage(m.text, m.created_at) : botMessage(m))));
        if (list.length) messages.querySelector(".welcome .suggest")?.remove();
        scrollToEnd(false);
      },
      /** Nobody can ask any more (the link expired or was disabled). */
      close(placeholder) {
        closed = true;
        input.disabled = true;
        input.placeholder = placeholder;
        updateSend();
      },
    };
  }

  window.CHAT = { bigTextToggle, mount };
})();
