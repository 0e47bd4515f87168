/* Chubei embed: <script src="https://<chubei>/embed.js" data-link="<token>" defer></script> on a 政务 portal page adds
   a 在线咨询 button that opens the public assistant in a panel (an iframe of /p/<token>?embed=1).

   Only the sites staff allowed for the link get the button: the script asks /api/v1/p/<token>/embed, whose answer an
   allowed page alone may read (CORS), and the assistant's page itself refuses to be framed anywhere else (CSP
   frame-ancestors). Styles are set through the CSSOM, so a host page whose CSP forbids inline styles still works.
   Keyboard: the button opens and closes the panel, Esc (in the page or in the panel) closes it and focus returns. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.link) return;
  var token = script.dataset.link;
  var origin = new URL(script.src, location.href).origin;
  var endpoint = origin + "/api/v1/p/" + encodeURIComponent(token);
  var TITLE = "开业筹备智能咨询";
  var REFUSED = "筹备期合伙人 · 在线咨询：本网站未获准嵌入该咨询入口（或链接已停用、已更换），请联系行政审批服务局的管理员";

  fetch(endpoint + "/embed", { credentials: "omit" })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(function () {
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build);
      else build();
    })
    .catch(function () {
      console.warn(REFUSED);
    });

  function css(node, rules) {
    for (var key in rules) node.style.setProperty(key, rules[key]);
  }

  function build() {
    var launcher = document.createElement("button");
    launcher.type = "button";
    launcher.id = "chubei-launcher";
    launcher.textContent = "在线咨询";
    launcher.title = TITLE + "（市北区行政审批服务局）";
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "chubei-panel");
    css(launcher, {
      position: "fixed", right: "16px", bottom: "16px", "z-index": "2147483000", "min-width": "48px",
      "min-height": "48px", padding: "0 20px", border: "2px solid #fff", "border-radius": "999px",
      background: "#1f5fa8", color: "#fff", font: "600 16px/1 system-ui, sans-serif", cursor: "pointer",
      "box-shadow": "0 4px 14px rgba(16, 38, 70, .3)",
    });

    var panel = document.createElement("div");
    panel.id = "chubei-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", TITLE);
    css(panel, {
      display: "none", position: "fixed", "z-index": "2147483001", background: "#fff", overflow: "hidden",
      "box-shadow": "0 8px 30px rgba(16, 38, 70, .35)",
    });
    var frame = document.createElement("iframe");
    frame.title = TITLE + "（市北区行政审批服务局）";
    css(frame, { display: "block", width: "100%", height: "100%", border: "0" });
    panel.appendChild(frame);

    var narrow = window.matchMedia("(max-width: 480px)");
    function place() {
      var full = narrow.matches;
      css(panel, {
        inset: full ? "0" : "auto", right: full ? "0" : "16px", bottom: full ? "0" : "76px",
        width: full ? "100%" : "400px", height: full ? "100%" : "min(640px, calc(100vh - 96px))",
        "border-radius": full ? "0" : "12px",
      });
    }

    function isOpen() {
      return launcher.getAttribute("aria-expanded") === "true";
    }
    function open() {
      if (!frame.src) frame.src = origin + "/p/" + encodeURIComponent(token) + "?embed=1";
      place();
      panel.style.display = "block";
      launcher.setAttribute("aria-expanded", "true");
      frame.focus();
    }
    function close() {
      panel.style.display = "none";
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }

    launcher.addEventListener("click", function () {
      if (isOpen()) close();
      else open();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) close();
    });
    window.addEventListener("message", function (event) {
      if (event.origin === origin && event.source === frame.contentWindow && event.data && event.data.type === "chubei:close") close();
    });
    if (narrow.addEventListener) narrow.addEventListener("change", function () {
      if (isOpen()) place();
    });
    document.body.appendChild(launcher);
    document.body.appendChild(panel);
  }
})();
