/* The console's one way to call the API: JSON or form data, the page's CSRF token, the one error shape. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');

  function token() { return meta ? meta.getAttribute("content") : ""; }

  function call(method, url, body) {
    var headers = {"Accept": "application/json", "X-CSRFToken": token()};
    var options = {method: method, headers: headers, credentials: "same-origin"};
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || response.statusText);
          error.status = response.status;
          error.data = data;
          throw error;
        }
        return data;
      });
    });
  }

  /* "Imported %(rows)s rows" + {rows: 5} → "Imported 5 rows" */
  function format(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_m, key) {
      return values && values[key] !== undefined ? values[key] : "";
    }).replace(/%%/g, "%");
  }

  function strings() {
    var node = document.getElementById("strings");
    return node ? JSON.parse(node.textContent) : {};
  }

  /* An error's message, with the field messages after it. */
  function describe(error) {
    var parts = [error.message];
    var fields = (error.data && error.data.fields) || {};
    Object.keys(fields).forEach(function (name) {
      fields[name].forEach(function (text) { if (text !== error.message) { parts.push(name + ": " + text); } });
    });
    return parts.join(" · ");
  }

  window.Console = {call: call, format: format, strings: strings, describe: describe, token: token};
})();
