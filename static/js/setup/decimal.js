/* Exact decimal strings for the set-up pages: no floats ever touch a weight or a mark.
   Dec.parse("30.5") → {n: 305n, s: 1}; Dec.shift("30", -2) → "0.3"; Dec.sum(["0.3","0.7"]) → "1". */
(function () {
  "use strict";
  var PATTERN = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/;

  function parse(text) {
    var m = PATTERN.exec(String(text == null ? "" : text));
    if (!m || (m[2] === "" && (m[3] === undefined || m[3] === ""))) { return null; }
    var digits = (m[2] || "0") + (m[3] || "");
    var n = BigInt(digits);
    return {n: m[1] === "-" ? -n : n, s: (m[3] || "").length};
  }

  function format(d) {
    var negative = d.n < 0n;
    var digits = (negative ? -d.n : d.n).toString();
    while (digits.length <= d.s) { digits = "0" + digits; }
    var whole = d.s ? digits.slice(0, digits.length - d.s) : digits;
    var frac = d.s ? digits.slice(digits.length - d.s).replace(/0+$/, "") : "";
    var out = whole + (frac ? "." + frac : "");
    return (negative && out !== "0" ? "-" : "") + out;
  }

  function scaleTo(d, s) { return d.n * (10n ** BigInt(s - d.s)); }

  /* "30" shifted by -2 → "0.3"; "0.125" by 2 → "12.5"; null for text that is not a number */
  function shift(text, places) {
    var d = parse(text);
    if (d === null) { return null; }
    if (places >= 0) { return format({n: d.n * (10n ** BigInt(places)), s: d.s}); }
    return format({n: d.n, s: d.s - places});
  }

  function sum(texts) {
    var parsed = texts.map(parse).filter(function (d) { return d !== null; });
    var s = parsed.reduce(function (m, d) { return Math.max(m, d.s); }, 0);
    var n = parsed.reduce(function (acc, d) { return acc + scaleTo(d, s); }, 0n);
    return format({n: n, s: s});
  }

  function valid(text) { return parse(text) !== null; }

  window.Dec = {parse: parse, format: format, shift: shift, sum: sum, valid: valid};
})();
