/* TabletDecimal: exact decimal arithmetic for what the tablet shows, never floats.
 *
 * Marks have at most 4 decimal places (the server refuses more), so a value is held as an
 * integer number of 1/10000 ("units"). A judge's raw module sum counts a judgement of v (0..3)
 * as max × v / 3, so sums are kept in thirds of a unit and rounded half-up only for display.
 *
 *   TabletDecimal.parse("7.5")       → {units: 75000}   or {error: "not_a_number" | "too_many_places"}
 *   TabletDecimal.format(75000)      → "7.5"             (no trailing zeros)
 *   TabletDecimal.rawSum(aspects)    → {thirds}          aspects: [{kind, max, value}] (value may be null)
 *   TabletDecimal.formatThirds(t, 2) → "12.33"           half-up to ``places``
 *   TabletDecimal.maxThirds(aspects) → the sum of the non-deduction maxima, in thirds
 */
(function (root) {
  "use strict";

  var PLACES = 4;
  var SCALE = 10000;

  function parse(text) {
    var s = String(text == null ? "" : text).trim();
    var m = /^(\d*)(?:\.(\d*))?$/.exec(s);
    if (!m || (m[1] === "" && !m[2])) return { error: "not_a_number" };
    var fraction = (m[2] || "").replace(/0+$/, "");
    if (fraction.length > PLACES) return { error: "too_many_places" };
    fraction = (fraction + "0000").slice(0, PLACES);
    return { units: parseInt(m[1] || "0", 10) * SCALE + parseInt(fraction, 10) };
  }

  function format(units) {
    var negative = units < 0;
    var abs = Math.abs(units);
    var whole = Math.floor(abs / SCALE);
    var fraction = String(abs % SCALE + SCALE).slice(1).replace(/0+$/, "");
    return (negative ? "-" : "") + whole + (fraction ? "." + fraction : "");
  }

  function units(value) {
    var parsed = parse(value);
    return parsed.error ? null : parsed.units;
  }

  /* thirds of a unit → text with ``places`` decimals, rounded half-up (away from zero) */
  function formatThirds(thirds, places) {
    places = places == null ? 2 : places;
    var negative = thirds < 0;
    var abs = Math.abs(thirds);
    var denominator = 3 * Math.pow(10, PLACES - places);   // thirds per last shown digit
    var scaled = Math.floor((2 * abs + denominator) / (2 * denominator));
    var factor = Math.pow(10, places);
    var whole = Math.floor(scaled / factor);
    var fraction = places ? "." + String(scaled % factor + factor).slice(1) : "";
    return (negative && scaled ? "-" : "") + whole + fraction;
  }

  function contribution(aspect) {
    var value = aspect.value == null ? null : units(aspect.value);
    if (value == null) return 0;
    if (aspect.kind === "judgement") return units(aspect.max) * (value / SCALE);  // max × v / 3, in thirds
    if (aspect.kind === "deduction") return -3 * value;
    return 3 * value;
  }

  /* One judge's raw sum over some aspects: judged and measured marks added, deductions
   * subtracted, floored at 0 (a deduction never reaches into another module). */
  function rawSum(aspects) {
    var thirds = aspects.reduce(function (sum, aspect) { return sum + contribution(aspect); }, 0);
    return { thirds: Math.max(0, Math.round(thirds)) };
  }

  function maxThirds(aspects) {
    return aspects.reduce(function (sum, aspect) {
      return aspect.kind === "deduction" ? sum : sum + 3 * units(aspect.max);
    }, 0);
  }

  function compare(a, b) {
    return units(a) - units(b);
  }

  root.TabletDecimal = {
    PLACES: PLACES, SCALE: SCALE, parse: parse, format: format, units: units,
    formatThirds: formatThirds, rawSum: rawSum, maxThirds: maxThirds, compare: compare,
  };
})(typeof window !== "undefined" ? window : this);
