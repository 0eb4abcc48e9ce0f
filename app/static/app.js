// Small additions to htmx; every page works without this file.
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
