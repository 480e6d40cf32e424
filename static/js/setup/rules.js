/* The scoring rules form. Every input names its place in the rules mapping with data-path (the same
   dotted path the server names in an error: prizes.ratios[1]) and its type with data-type:
   str, int, int? (empty → null), dec, dec?, pct (percent shown, fraction sent), bool, map ("A=1, B=2").
   The tie chain and the per-aspect overrides are lists drawn from the event's scheme. */
(function () {
  "use strict";
  var S = Console.strings();
  var form = document.getElementById("rules");
  var message = document.getElementById("message");
  var saved = document.getElementById("saved");
  var chain = [];
  var aspects = [];
  var modules = [];
  var loaded = {};

  function get(object, path) {
    return path.replace(/\[(\d+)\]/g, ".$1").split(".").reduce(function (o, k) {
      return o == null ? undefined : o[k];
    }, object);
  }

  function set(object, path, value) {
    var keys = path.replace(/\[(\d+)\]/g, ".$1").split(".");
    var node = object;
    keys.slice(0, -1).forEach(function (k, i) {
      if (node[k] == null) { node[k] = /^\d+$/.test(keys[i + 1]) ? [] : {}; }
      node = node[k];
    });
    node[keys[keys.length - 1]] = value;
  }

  function show(input, value) {
    var type = input.dataset.type;
    if (type === "bool") { input.checked = !!value; return; }
    if (type === "pct") { input.value = value == null ? "" : Dec.shift(value, 2); return; }
    if (type === "map") {
      input.value = Object.keys(value || {}).map(function (k) { return k + "=" + value[k]; }).join(", ");
      return;
    }
    input.value = value == null ? "" : value;
  }

  function read(input) {
    var type = input.dataset.type, text = input.value.trim();
    if (type === "bool") { return input.checked; }
    if (type === "str") { return input.value; }
    if (type === "int" || type === "int?") {
      if (text === "" && type === "int?") { return null; }
      return /^-?\d+$/.test(text) ? parseInt(text, 10) : text;
    }
    if (type === "dec?" && text === "") { return null; }
    if (type === "pct") { var fraction = Dec.shift(text, -2); return fraction === null ? text : fraction; }
    if (type === "map") {
      var out = {};
      text.split(/[,，;；\n]/).map(function (p) { return p.trim(); }).filter(Boolean).forEach(function (pair) {
        var kv = pair.split(/[=:：]/);
        var n = (kv[1] || "").trim();
        out[kv[0].trim()] = /^\d+$/.test(n) ? parseInt(n, 10) : n;
      });
      return out;
    }
    return text;
  }

  function comparatorLabel(name) {
    if (name === "total") { return S.total; }
    if (name === "completion_time") { return S.completion_time; }
    return Console.format(S.module, {code: name.slice(7)});
  }

  function renderChain() {
    var list = document.getElementById("chain");
    list.textContent = "";
    chain.forEach(function (name, i) {
      var li = document.createElement("li");
      li.dataset.path = "tie_chain[" + i + "]";
      var label = document.createElement("span");
      label.textContent = (i + 1) + ". " + comparatorLabel(name);
      li.appendChild(label);
      if (i > 0) {
        var up = document.createElement("button");
        up.type = "button"; up.className = "link"; up.textContent = S.up;
        up.addEventListener("click", function () { chain.splice(i - 1, 0, chain.splice(i, 1)[0]); renderChain(); });
        li.appendChild(up);
      }
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "link"; remove.textContent = S.remove;
      remove.addEventListener("click", function () { chain.splice(i, 1); renderChain(); });
      li.appendChild(remove);
      list.appendChild(li);
    });
    var select = document.getElementById("comparator");
    select.textContent = "";
    ["total", "completion_time"].concat(modules.map(function (m) { return "module:" + m; }))
      .filter(function (n) { return chain.indexOf(n) < 0; })
      .forEach(function (n) {
        var o = document.createElement("option"); o.value = n; o.textContent = comparatorLabel(n); select.appendChild(o);
      });
  }

  function renderAspectRules(rules) {
    var body = document.querySelector("#aspect-rules tbody");
    body.textContent = "";
    aspects.forEach(function (a) {
      var own = (rules.aspect_rules || {})[a.code] || {};
      var tr = document.createElement("tr");
      tr.dataset.code = a.code;
      var name = document.createElement("td");
      name.textContent = a.code + " " + a.name;
      tr.appendChild(name);
      var method = document.createElement("select");
      method.dataset.path = "aspect_rules." + a.code + ".aggregation";
      [""].concat(S.methods).forEach(function (m) {
        var o = document.createElement("option"); o.value = m;
        o.textContent = m ? (S.method_labels[m] || m) : S.inherit;
        method.appendChild(o);
      });
      method.value = own.aggregation || "";
      var cell = document.createElement("td"); cell.appendChild(method); tr.appendChild(cell);
      ["trim", "multiplier", "panel_size"].forEach(function (key) {
        var input = document.createElement("input");
        input.dataset.path = "aspect_rules." + a.code + "." + key;
        input.dataset.own = key;
        input.inputMode = "decimal";
        input.placeholder = S.inherit;
        input.value = own[key] == null ? "" : own[key];
        var td = document.createElement("td"); td.appendChild(input); tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function collectAspectRules() {
    var out = {};
    document.querySelectorAll("#aspect-rules tbody tr").forEach(function (tr) {
      var rule = {};
      var method = tr.querySelector("select").value;
      if (method) { rule.aggregation = method; }
      tr.querySelectorAll("input").forEach(function (input) {
        var text = input.value.trim();
        if (text === "") { return; }
        rule[input.dataset.own] = input.dataset.own === "multiplier" ? text
          : (/^-?\d+$/.test(text) ? parseInt(text, 10) : text);
      });
      if (Object.keys(rule).length) { out[tr.dataset.code] = rule; }
    });
    return out;
  }

  function toggles(rules) {
    document.getElementById("std-on").checked = !!rules.standardisation;
    document.getElementById("medals-on").checked = !!rules.medals;
    sync();
  }

  function sync() {
    document.getElementById("std").hidden = !document.getElementById("std-on").checked;
    document.getElementById("medals").hidden = !document.getElementById("medals-on").checked;
  }

  function fill(rules) {
    loaded = rules;
    var withDefaults = JSON.parse(JSON.stringify(rules));
    if (!withDefaults.standardisation) { withDefaults.standardisation = {centre: "mean", spread: "sd", C: "700", k: "100"}; }
    if (!withDefaults.medals) { withDefaults.medals = {threshold: "700", tie_window: "0", medallion: true}; }
    form.querySelectorAll("[data-type]").forEach(function (input) { show(input, get(withDefaults, input.dataset.path)); });
    chain = (rules.tie_chain || ["total"]).slice();
    renderChain();
    renderAspectRules(rules);
    toggles(rules);
  }

  function collect() {
    var out = {};
    if (loaded.recusal !== undefined) { out.recusal = loaded.recusal; }
    form.querySelectorAll("[data-type]").forEach(function (input) {
      var path = input.dataset.path;
      if (path.indexOf("standardisation.") === 0 && !document.getElementById("std-on").checked) { return; }
      if (path.indexOf("medals.") === 0 && !document.getElementById("medals-on").checked) { return; }
      set(out, path, read(input));
    });
    if (!document.getElementById("std-on").checked) { out.standardisation = null; }
    if (!document.getElementById("medals-on").checked) { out.medals = null; }
    out.tie_chain = chain.slice();
    out.aspect_rules = collectAspectRules();
    return out;
  }

  function showError(error) {
    message.textContent = Console.describe(error);
    Object.keys((error.data && error.data.fields) || {}).forEach(function (path) {
      var node = document.querySelector('[data-path="' + path + '"]');
      if (node) { node.setAttribute("aria-invalid", "true"); node.scrollIntoView({block: "center"}); }
    });
  }

  document.getElementById("std-on").addEventListener("change", sync);
  document.getElementById("medals-on").addEventListener("change", sync);
  document.getElementById("add-comparator").addEventListener("click", function () {
    var value = document.getElementById("comparator").value;
    if (value) { chain.push(value); renderChain(); }
  });
  form.addEventListener("input", function (e) { e.target.removeAttribute("aria-invalid"); saved.hidden = true; });
  document.getElementById("save").addEventListener("click", function () {
    message.textContent = "";
    document.querySelectorAll("[aria-invalid=true]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
    Console.call("PUT", S.api, collect()).then(function (rules) { fill(rules); saved.hidden = false; })
      .catch(showError);
  });

  Promise.all([Console.call("GET", S.scheme), Console.call("GET", S.api)]).then(function (both) {
    var scheme = both[0];
    modules = scheme.criteria.map(function (c) { return c.code; });
    aspects = [];
    scheme.criteria.forEach(function (c) {
      aspects = aspects.concat(c.aspects);
      c.sub_criteria.forEach(function (s) { aspects = aspects.concat(s.aspects); });
    });
    fill(both[1]);
    form.dataset.ready = "1";
  }).catch(showError);
})();
