/* Swagger UI on the API document; calls carry the page's CSRF token and the session cookie. */
window.addEventListener("load", function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger",
    deepLinking: true,
    requestInterceptor: function (request) {
      request.headers["X-CSRFToken"] = meta ? meta.getAttribute("content") : "";
      request.credentials = "same-origin";
      return request;
    }
  });
});
