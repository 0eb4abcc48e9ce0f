// Small additions to htmx; every page works without this file.

// A form marked busy-form (an import, a plan or template generated on the server) shows that it
// is working once sent, and cannot be sent twice while the server works.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.classList || !form.classList.contains("busy-form")) return;
    var note = form.querySelector(".busy-note");
    if (!note) {
      note = document.createElement("span");
      note.className = "busy-note";
      note.setAttribute("role", "status");
      note.textContent = document.documentElement.lang === "en" ? "Working, please wait…" : "Đang xử lý, vui lòng chờ…";
      form.appendChild(note);
    }
    form.classList.add("busy");
    // Disabled after the browser has read the form, so the pressed button is still sent.
    setTimeout(function () {
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // Back from the browser cache (history), the form is usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.busy").forEach(function (form) {
      form.classList.remove("busy");
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = false; });
    });
  });
})();

(function () {
  if (!window.htmx) return;
  // The app answers every 4xx with something to show: a form with its errors (400), the latest
  // version after an edit conflict (409), or a message aimed at #messages (403, 404, 429...).
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[234]..", swap: true, error: false },
    { code: "...", swap: false, error: true },
  ];
  // A form marked data-confirm asks first (without JavaScript it is sent straight away).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);
  document.addEventListener("htmx:responseError", function (event) {
    var text = "";
    try {
      var doc = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
      var p = doc.querySelector("main .error-page p");
      text = p ? p.textContent : "";
    } catch (e) { /* fall through to the status line */ }
    window.alert(text || event.detail.xhr.status + " " + event.detail.xhr.statusText);
  });
  document.addEventListener("htmx:sendError", function () {
    window.alert(document.documentElement.lang === "en"
      ? "The server could not be reached. Check the connection and try again."
      : "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.");
  });
})();
