/* The marking scheme editor: the tree in memory, rendered as criteria → sub-criteria → aspect rows.
   Weights are shown in percent and sent as fractions, converted as decimal strings (Dec), never floats.
   Saving PUTs the whole tree; a refusal names a field path (criteria[1].aspects[0].max), which is
   marked on the input carrying the same data-path. */
(function () {
  "use strict";
  var S = Console.strings();
  var root = document.getElementById("criteria");
  var nameInput = document.getElementById("scheme-name");
  var message = document.getElementById("message");
  var saved = document.getElementById("saved");
  var tree = {name: "", criteria: []};
  var dirty = false;

  function tpl(id) { return document.getElementById(id).content.firstElementChild.cloneNode(true); }

  function toleranceText(bands) {
    return (bands || []).map(function (b) { return b.within + ":" + b.mark; }).join("; ");
  }

  function parseTolerance(text) {
    var out = [];
    var parts = String(text || "").split(/[;；]/).map(function (p) { return p.trim(); }).filter(Boolean);
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].replace("：", ":").split(":");
      if (pair.length !== 2 || !Dec.valid(pair[0]) || !Dec.valid(pair[1])) { return null; }
      out.push({within: pair[0].trim(), mark: pair[1].trim()});
    }
    return out;
  }

  function touch() { dirty = true; saved.hidden = true; summary(); }

  function bind(input, object, key, path, convert) {
    input.dataset.path = path + "." + key;
    input.addEventListener("input", function () {
      object[key] = convert ? convert(input.value) : input.value;
      input.removeAttribute("aria-invalid");
      touch();
    });
  }

  function renderAspects(container, aspects, path) {
    container.textContent = "";
    if (!aspects.length) { return; }
    var table = tpl("aspects-template");
    var body = table.querySelector("tbody");
    aspects.forEach(function (a, j) {
      var row = tpl("aspect-template");
      var p = path + ".aspects[" + j + "]";
      ["code", "name", "max", "step"].forEach(function (key) {
        var input = row.querySelector("[name=" + key + "]");
        input.value = a[key] == null ? "" : a[key];
        bind(input, a, key, p, key === "step" ? function (v) { return v.trim() === "" ? null : v.trim(); } : null);
      });
      var kind = row.querySelector("[name=kind]");
      kind.value = a.kind;
      kind.dataset.path = p + ".kind";
      kind.disabled = !!a.marked;
      row.querySelector(".locked").hidden = !a.marked;
      var step = row.querySelector("[name=step]"), tol = row.querySelector("[name=tolerance]");
      function kindChanged() {
        step.disabled = a.kind === "judgement" || a.kind === "measurement";
        tol.disabled = a.kind !== "measurement";
      }
      kind.addEventListener("change", function () { a.kind = kind.value; kindChanged(); touch(); });
      kindChanged();
      tol.value = toleranceText(a.tolerance);
      tol.dataset.path = p + ".tolerance";
      tol.addEventListener("input", function () {
        var bands = parseTolerance(tol.value);
        tol.setAttribute("aria-invalid", bands === null ? "true" : "false");
        tol.title = bands === null ? S.bad_tolerance : "";
        if (bands !== null) { a.tolerance = bands; }
        touch();
      });
      var remove = row.querySelector(".remove");
      remove.disabled = !!a.marked;
      remove.addEventListener("click", function () { aspects.splice(j, 1); render(); touch(); });
      body.appendChild(row);
    });
    container.appendChild(table);
  }

  function newAspect(prefix, count) {
    return {code: prefix + (count + 1), name: "", kind: "points", max: "10", step: null, tolerance: []};
  }

  function render() {
    root.textContent = "";
    nameInput.value = tree.name || "";
    tree.criteria.forEach(function (c, i) {
      var path = "criteria[" + i + "]";
      var node = tpl("criterion-template");
      node.dataset.path = path;
      var code = node.querySelector("header [name=code]"), name = node.querySelector("header [name=name]");
      var weight = node.querySelector("[name=weight]"), scale = node.querySelector("[name=scale_to]");
      code.value = c.code; name.value = c.name;
      bind(code, c, "code", path); bind(name, c, "name", path);
      weight.value = c.weight == null ? "" : Dec.shift(c.weight, 2);
      weight.dataset.path = path + ".weight";
      weight.addEventListener("input", function () {
        var fraction = Dec.shift(weight.value, -2);
        weight.setAttribute("aria-invalid", fraction === null ? "true" : "false");
        c.weight = fraction === null ? weight.value : fraction;
        touch();
      });
      scale.value = c.scale_to == null ? "" : c.scale_to;
      bind(scale, c, "scale_to", path, function (v) { return v.trim() === "" ? null : v.trim(); });
      renderAspects(node.querySelector(".aspect-list"), c.aspects, path);
      node.querySelector(".add-aspect").addEventListener("click", function () {
        c.aspects.push(newAspect(c.code + "-", c.aspects.length)); render(); touch();
      });
      node.querySelector(".add-sub").addEventListener("click", function () {
        c.sub_criteria.push({code: c.code + "." + (c.sub_criteria.length + 1), name: "",
                             aspects: [newAspect(c.code + "." + (c.sub_criteria.length + 1) + "-", 0)]});
        render(); touch();
      });
      node.querySelector("header .remove").addEventListener("click", function () {
        tree.criteria.splice(i, 1); render(); touch();
      });
      var subs = node.querySelector(".subs");
      c.sub_criteria.forEach(function (s, k) {
        var sp = path + ".sub_criteria[" + k + "]";
        var sub = tpl("sub-template");
        sub.dataset.path = sp;
        var scode = sub.querySelector("header [name=code]"), sname = sub.querySelector("header [name=name]");
        scode.value = s.code; sname.value = s.name;
        bind(scode, s, "code", sp); bind(sname, s, "name", sp);
        renderAspects(sub.querySelector(".aspect-list"), s.aspects, sp);
        sub.querySelector(".add-aspect").addEventListener("click", function () {
          s.aspects.push(newAspect(s.code + "-", s.aspects.length)); render(); touch();
        });
        sub.querySelector("header .remove").addEventListener("click", function () {
          c.sub_criteria.splice(k, 1); render(); touch();
        });
        subs.appendChild(sub);
      });
      root.appendChild(node);
    });
    summary();
  }

  function criterionMax(c) {
    var all = c.aspects.concat.apply(c.aspects, c.sub_criteria.map(function (s) { return s.aspects; }));
    return Dec.sum(all.filter(function (a) { return a.kind !== "deduction"; }).map(function (a) { return a.max; }));
  }

  function summary() {
    var total = Dec.shift(Dec.sum(tree.criteria.map(function (c) { return c.weight; })), 2);
    var box = document.getElementById("summary");
    box.textContent = "";
    var weights = document.createElement("span");
    weights.textContent = Console.format(S.weights, {total: total});
    weights.className = total === "100" ? "" : "bad";
    box.appendChild(weights);
    root.querySelectorAll(".criterion").forEach(function (node, i) {
      var c = tree.criteria[i];
      if (c) { node.querySelector(".max").textContent = Console.format(S.points, {points: criterionMax(c)}); }
    });
  }

  function clearErrors() {
    message.textContent = "";
    root.querySelectorAll("[aria-invalid=true]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
    nameInput.removeAttribute("aria-invalid");
  }

  function showError(error) {
    message.textContent = Console.describe(error);
    var fields = (error.data && error.data.fields) || {};
    Object.keys(fields).forEach(function (path) {
      var dotted = path.replace(/\.(\d+)(?=\.|$)/g, "[$1]");  /* marshmallow's criteria.0.code form */
      var node = document.querySelector('[data-path="' + path + '"]') ||
                 document.querySelector('[data-path="' + dotted + '"]');
      if (node) { node.setAttribute("aria-invalid", "true"); node.scrollIntoView({block: "center"}); }
    });
  }

  function load(data) {
    tree = {name: data.name || "", criteria: data.criteria.map(function (c) {
      return {code: c.code, name: c.name, weight: c.weight, scale_to: c.scale_to, aspects: c.aspects,
              sub_criteria: c.sub_criteria};
    })};
    render();
    dirty = false;
  }

  nameInput.addEventListener("input", function () { tree.name = nameInput.value; touch(); });
  document.getElementById("add-criterion").addEventListener("click", function () {
    var n = tree.criteria.length + 1;
    tree.criteria.push({code: "M" + n, name: S.new_criterion, weight: "0", scale_to: null,
                        aspects: [newAspect("M" + n + "-", 0)], sub_criteria: []});
    render(); touch();
  });
  document.getElementById("save").addEventListener("click", function () {
    clearErrors();
    Console.call("PUT", S.api, tree).then(function (data) {
      load(data);
      saved.hidden = false;
    }).catch(showError);
  });
  document.querySelector("#upload input[type=file]").addEventListener("change", function (e) {
    var file = e.target.files[0];
    if (!file) { return; }
    clearErrors();
    var form = new FormData();
    form.append("file", file);
    Console.call("POST", S.xlsx, form).then(function (data) {
      load(data);
      saved.hidden = false;
      saved.textContent = S.imported;
    }).catch(showError).then(function () { e.target.value = ""; });
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = S.unsaved; }
  });
  var addButton = document.getElementById("add-criterion"), saveButton = document.getElementById("save");
  addButton.disabled = saveButton.disabled = true;  /* until the stored tree is in */
  Console.call("GET", S.api).then(function (data) {
    load(data);
    addButton.disabled = saveButton.disabled = false;
    root.dataset.ready = "1";
  }).catch(showError);
})();
