// Small additions to htmx; every page works without this file.
(function () {
  if (!window.htmx) return;
  // Validation errors (400), edit conflicts (409) carry a form or message to show in place.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "(400|409|422)", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];
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
