/* TabletScoresheet: draws one scoresheet (modules → sub-criteria → aspects) and keeps it
 * current in place, so a receipt arriving mid-tap never replaces the button under a finger.
 *
 *   var view = new TabletScoresheet(container, strings, {
 *     choose: function (aspect, value) {},   // a judgement / measurement button was tapped
 *     step:   function (aspect, direction) {}, // the − / + of a points or deduction stepper
 *     keypad: function (aspect) {},          // the value of a stepper was tapped
 *   });
 *   view.show(sheet, display)  // sheet: GET /api/judge/sheets/<id>; display(aspect) →
 *                              //   {value, status: "empty"|"saved"|"queued"|"editing"|"refused", error}
 * Inputs per kind: measurement - met (full marks) / not met (0); judgement - 0 1 2 3;
 * points - a stepper within 0..max with a keypad for decimals; deduction - the same, shown as
 * a penalty. Totals are the judge's own raw sums (``TabletDecimal.rawSum``).
 */
(function (root) {
  "use strict";

  var D = root.TabletDecimal;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] == null ? all : String(values[key]);
    });
  }

  function TabletScoresheet(container, strings, actions) {
    this.container = container;
    this.strings = strings;
    this.actions = actions;
    this.signature = null;
    this.rows = {};        // aspect id → {aspect, node, parts}
    this.modules = [];     // [{module, aspects, total}]
  }

  TabletScoresheet.fill = fill;

  TabletScoresheet.prototype.aspects = function (sheet) {
    var list = [];
    sheet.modules.forEach(function (module) {
      module.sub_criteria.forEach(function (sub) { list.push.apply(list, sub.aspects); });
    });
    return list;
  };

  function signatureOf(sheet) {
    return sheet.id + ":" + sheet.modules.map(function (m) {
      return m.code + "(" + m.sub_criteria.map(function (s) {
        return s.aspects.map(function (a) { return a.id + a.kind + a.max; }).join(",");
      }).join("|") + ")";
    }).join(";");
  }

  TabletScoresheet.prototype.build = function (sheet) {
    var self = this;
    this.rows = {};
    this.modules = [];
    var fragment = document.createDocumentFragment();
    sheet.modules.forEach(function (module) {
      var section = el("section", "module");
      section.dataset.module = module.code;
      var head = el("header", "module-head");
      head.appendChild(el("h2", null, module.name));
      var total = el("span", "module-total");
      head.appendChild(total);
      section.appendChild(head);
      var entry = { module: module, aspects: [], total: total };
      module.sub_criteria.forEach(function (sub) {
        var group = el("div", "sub-criterion");
        if (sub.name) group.appendChild(el("h3", null, sub.name));
        sub.aspects.forEach(function (aspect) {
          group.appendChild(self.row(aspect));
          entry.aspects.push(aspect);
        });
        section.appendChild(group);
      });
      self.modules.push(entry);
      fragment.appendChild(section);
    });
    this.container.replaceChildren(fragment);
    this.signature = signatureOf(sheet);
  };

  TabletScoresheet.prototype.row = function (aspect) {
    var self = this, s = this.strings;
    var node = el("div", "aspect");
    node.dataset.aspect = aspect.id;
    node.dataset.code = aspect.code;
    node.dataset.kind = aspect.kind;
    var label = el("div", "aspect-label");
    label.appendChild(el("span", "aspect-code", aspect.code));
    label.appendChild(el("span", "aspect-name", aspect.name));
    label.appendChild(el("span", "aspect-meta",
      (s["kind." + aspect.kind] || aspect.kind) + " · " + fill(s.max, { max: aspect.max })));
    node.appendChild(label);
    var input = el("div", "aspect-input");
    var parts = { buttons: [] };
    if (aspect.kind === "judgement" || aspect.kind === "measurement") {
      var choices = el("div", "choices " + aspect.kind);
      var options = aspect.kind === "judgement"
        ? [["0", "0"], ["1", "1"], ["2", "2"], ["3", "3"]]
        : [[aspect.max, s.met + " · " + aspect.max], ["0", s.not_met + " · 0"]];
      options.forEach(function (option) {
        var button = el("button", "choice", option[1]);
        button.type = "button";
        button.dataset.value = option[0];
        button.addEventListener("click", function () { self.actions.choose(aspect, option[0]); });
        choices.appendChild(button);
        parts.buttons.push(button);
      });
      input.appendChild(choices);
    } else {
      var stepper = el("div", "stepper");
      var down = el("button", "step down", "−");
      var up = el("button", "step up", "+");
      var value = el("button", "value");
      [down, value, up].forEach(function (b) { b.type = "button"; });
      down.setAttribute("aria-label", "−");
      up.setAttribute("aria-label", "+");
      down.addEventListener("click", function () { self.actions.step(aspect, -1); });
      up.addEventListener("click", function () { self.actions.step(aspect, 1); });
      value.addEventListener("click", function () { self.actions.keypad(aspect); });
      stepper.appendChild(down);
      stepper.appendChild(value);
      stepper.appendChild(up);
      input.appendChild(stepper);
      parts.value = value;
      parts.buttons.push(down, value, up);
    }
    node.appendChild(input);
    parts.status = el("p", "aspect-status");
    parts.error = el("p", "field-error");
    parts.error.setAttribute("role", "alert");
    parts.error.hidden = true;
    node.appendChild(parts.status);
    node.appendChild(parts.error);
    this.rows[aspect.id] = { aspect: aspect, node: node, parts: parts };
    return node;
  };

  TabletScoresheet.prototype.show = function (sheet, display) {
    if (signatureOf(sheet) !== this.signature) this.build(sheet);
    var s = this.strings, editable = sheet.state === "draft";
    var shown = {};
    this.aspects(sheet).forEach(function (aspect) {  // this sheet's objects: they carry its values
      var row = this.rows[aspect.id], state = display(aspect), parts = row.parts;
      row.aspect = aspect;
      shown[aspect.id] = state;
      row.node.dataset.status = state.status;
      row.node.dataset.value = state.value == null ? "" : state.value;
      parts.buttons.forEach(function (button) {
        button.disabled = !editable;
        if (button.classList.contains("choice")) {
          var on = state.value != null && D.compare(button.dataset.value, state.value) === 0;
          button.setAttribute("aria-pressed", on ? "true" : "false");
        }
      });
      if (parts.value) {
        var text = state.value == null ? "–" : state.value;
        parts.value.textContent = aspect.kind === "deduction" && state.value != null && D.units(state.value) > 0
          ? "−" + text : text;
      }
      parts.status.textContent = {
        empty: aspect.kind === "deduction" ? s.no_deduction : s.no_value,
        saved: s.saved, queued: s.queued, editing: s.queued, refused: s.not_saved,
      }[state.status] || "";
      parts.error.hidden = !state.error;
      parts.error.textContent = state.error || "";
    }, this);
    return this.totals(shown);
  };

  /* Running totals from what is on screen; returns {complete, total, max} for the caller. */
  TabletScoresheet.prototype.totals = function (shown) {
    var complete = true;
    this.modules.forEach(function (entry) {
      var effective = entry.aspects.map(function (aspect) {
        var state = shown[aspect.id];
        var value = state.status === "refused" ? state.saved : state.value;
        if (value == null && aspect.kind !== "deduction") complete = false;
        return { kind: aspect.kind, max: aspect.max, value: value };
      });
      var sum = D.rawSum(effective).thirds;
      entry.sum = sum;
      entry.max = D.maxThirds(effective);
      entry.total.textContent = D.formatThirds(sum, 2) + " / " + D.formatThirds(entry.max, 2);
    });
    var total = this.modules.reduce(function (t, entry) { return t + entry.sum; }, 0);
    var max = this.modules.reduce(function (t, entry) { return t + entry.max; }, 0);
    return {
      complete: complete, total: D.formatThirds(total, 2), max: D.formatThirds(max, 2),
      modules: this.modules.map(function (entry) {
        return { code: entry.module.code, name: entry.module.name,
                 total: D.formatThirds(entry.sum, 2), max: D.formatThirds(entry.max, 2) };
      }),
    };
  };

  root.TabletScoresheet = TabletScoresheet;
})(typeof window !== "undefined" ? window : this);
