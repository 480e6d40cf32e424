"""Event rules: every scoring setting an organiser may change per event, and its JSON form.

Owns: ``EventRules`` (aggregation, missing judges, display decimals, standardisation, tie
chain, prizes, medals), ``AspectRule`` (per-aspect overrides), validation, and the round
trip to a JSON-ish mapping (decimals as strings) used for storage.

Vocabulary: see ``aggregation`` (methods, trim, multiplier, panel size), ``ranking``
(comparators, final rule), ``awards`` (prize base, ratios, tie at a cut, medals) and
``standardisation``. ``aggregation_level`` is ``aspect`` (aggregate judges per aspect) or
``sheet`` (aggregate each judge's module subtotal: the sheet). ``spread_limit`` is the
judgement rule's max − min allowance (1).

Error codes (``ValidationFailed``, field = dotted path such as ``prizes.ratios[1]``):
  rules.not_a_mapping, rules.unknown_field, rules.not_a_decimal, rules.not_an_integer,
  rules.not_a_boolean, rules.not_a_list, rules.bad_choice, rules.out_of_range,
  rules.unknown_aspect, rules.unknown_module, rules.aspect_rules_need_aspect_level;
  plus ranking.*, awards.*, standardisation.* raised by the parts' own checks.

``AspectPlan`` is one aspect with its effective settings (event default or override),
resolved once per board by ``plan_aspects``.

Stored beside: ``SkillEvent.rules`` also holds ``recusal`` and ``advancement``, owned by other
rules; ``from_mapping`` skips those keys (``STORED_BESIDE``) instead of refusing them.

Must not: compute anything; accept floats for decimals (pass strings).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from compete.errors import ValidationFailed

from .aggregation import METHODS, MISSING_POLICIES
from .awards import MedalRules, PrizeRules
from .ranking import FINAL_RULES, check_chain
from .scheme import AspectKind, Scheme
from .standardisation import StandardisationRules

LEVELS: tuple[str, ...] = ("aspect", "sheet")
#: keys other parts keep in the same stored mapping (``SkillEvent.rules``): the recusal scope
#: (accounts) and the advancement rules (``advancement``); ``from_mapping`` skips them
STORED_BESIDE: tuple[str, ...] = ("recusal", "advancement")
T = TypeVar("T")


@dataclass(frozen=True)
class AspectRule:
    """Overrides for one aspect (by code); None = use the event's setting."""

    aggregation: str | None = None
    trim: int | None = None
    multiplier: Decimal | None = None
    panel_size: int | None = None


@dataclass(frozen=True)
class EventRules:
    aggregation: str = "mean"
    aggregation_level: str = "aspect"
    trim: int = 1
    multiplier: Decimal = Decimal(1)
    panel_size: int | None = None
    missing_judge: str = "mean"
    aspect_rules: Mapping[str, AspectRule] = field(default_factory=dict)
    spread_limit: Decimal = Decimal(1)
    decimals: int = 2
    tie_on_rounded: bool = False
    standardisation: StandardisationRules | None = None
    tie_chain: tuple[str, ...] = ("total",)
    tie_final: str = "shared"
    prizes: PrizeRules = PrizeRules()
    medals: MedalRules | None = None

    # -- validation -------------------------------------------------------------------
    def validate(self) -> None:
        _choice(self.aggregation, "aggregation", METHODS)
        _choice(self.aggregation_level, "aggregation_level", LEVELS)
        _choice(self.missing_judge, "missing_judge", MISSING_POLICIES)
        _range(self.trim, "trim", 0)
        _positive(self.multiplier, "multiplier")
        if self.panel_size is not None:
            _range(self.panel_size, "panel_size", 1)
        for code, rule in self.aspect_rules.items():
            where = f"aspect_rules.{code}"
            if rule.aggregation is not None:
                _choice(rule.aggregation, f"{where}.aggregation", METHODS)
            if rule.trim is not None:
                _range(rule.trim, f"{where}.trim", 0)
            if rule.multiplier is not None:
                _positive(rule.multiplier, f"{where}.multiplier")
            if rule.panel_size is not None:
                _range(rule.panel_size, f"{where}.panel_size", 1)
        if self.aspect_rules and self.aggregation_level != "aspect":
            raise ValidationFailed("rules.aspect_rules_need_aspect_level", field="aspect_rules")
        if not isinstance(self.spread_limit, Decimal) or not self.spread_limit.is_finite() \
                or self.spread_limit < 0:
            raise ValidationFailed("rules.out_of_range", field="spread_limit", min="0")
        _range(self.decimals, "decimals", 0, 10)
        check_chain(self.tie_chain, self.tie_final)
        self.prizes.validate()
        if self.standardisation is not None:
            self.standardisation.validate()
        if self.medals is not None:
            for name in ("threshold", "tie_window"):
                value = getattr(self.medals, name)
                if not isinstance(value, Decimal) or not value.is_finite() or (
                        name == "tie_window" and value < 0):
                    raise ValidationFailed("rules.out_of_range", field=f"medals.{name}")

    def validate_for(self, scheme: Scheme) -> None:
        """``validate`` plus references into the scheme (aspect codes, module comparators)."""
        self.validate()
        codes = {a.code for a in scheme.aspects}
        for code in self.aspect_rules:
            if code not in codes:
                raise ValidationFailed("rules.unknown_aspect", field=f"aspect_rules.{code}",
                                       aspect=code)
        module_codes = [m.code for m in scheme.modules]
        check_chain(self.tie_chain, self.tie_final, module_codes)

    # -- JSON-ish round trip ----------------------------------------------------------
    @classmethod
    def from_mapping(cls, d: Mapping[str, object]) -> EventRules:
        """Build and validate from a JSON-ish mapping (decimals as strings or ints); the keys
        in ``STORED_BESIDE`` belong to other rules and are skipped."""
        d = {k: v for k, v in _mapping(d, "rules").items() if k not in STORED_BESIDE}
        _known(d, "", {"aggregation", "aggregation_level", "trim", "multiplier", "panel_size",
                       "missing_judge", "aspect_rules", "spread_limit", "decimals",
                       "tie_on_rounded", "standardisation", "tie_chain", "tie_final",
                       "prizes", "medals"})
        base = cls()
        chain = base.tie_chain
        final = _str(d.get("tie_final", base.tie_final), "tie_final")
        if "tie_chain" in d:
            names = [_str(v, f"tie_chain[{i}]")
                     for i, v in enumerate(_list(d["tie_chain"], "tie_chain"))]
            if names and names[-1] in FINAL_RULES:
                final = names.pop()
            chain = tuple(names)
        aspect_rules: dict[str, AspectRule] = {}
        for code, raw in _mapping(d.get("aspect_rules", {}), "aspect_rules").items():
            where = f"aspect_rules.{code}"
            r = _mapping(raw, where)
            _known(r, where + ".", {"aggregation", "trim", "multiplier", "panel_size"})
            aspect_rules[str(code)] = AspectRule(
                aggregation=_opt(r.get("aggregation"), lambda v: _str(v, where + ".aggregation")),
                trim=_opt(r.get("trim"), lambda v: _int(v, where + ".trim")),
                multiplier=_opt(r.get("multiplier"), lambda v: _dec(v, where + ".multiplier")),
                panel_size=_opt(r.get("panel_size"), lambda v: _int(v, where + ".panel_size")),
            )
        rules = cls(
            aggregation=_str(d.get("aggregation", base.aggregation), "aggregation"),
            aggregation_level=_str(d.get("aggregation_level", base.aggregation_level),
                                   "aggregation_level"),
            trim=_int(d.get("trim", base.trim), "trim"),
            multiplier=_dec(d.get("multiplier", base.multiplier), "multiplier"),
            panel_size=_opt(d.get("panel_size"), lambda v: _int(v, "panel_size")),
            missing_judge=_str(d.get("missing_judge", base.missing_judge), "missing_judge"),
            aspect_rules=aspect_rules,
            spread_limit=_dec(d.get("spread_limit", base.spread_limit), "spread_limit"),
            decimals=_int(d.get("decimals", base.decimals), "decimals"),
            tie_on_rounded=_bool(d.get("tie_on_rounded", base.tie_on_rounded), "tie_on_rounded"),
            standardisation=_opt(d.get("standardisation"), _standardisation),
            tie_chain=chain,
            tie_final=final,
            prizes=_prizes(d.get("prizes", {})),
            medals=_opt(d.get("medals"), _medals),
        )
        rules.validate()
        return rules

    def to_mapping(self) -> dict[str, object]:
        """The JSON-ish form (decimals as strings); ``from_mapping`` reads it back equal."""
        out: dict[str, object] = {
            "aggregation": self.aggregation,
            "aggregation_level": self.aggregation_level,
            "trim": self.trim,
            "multiplier": str(self.multiplier),
            "panel_size": self.panel_size,
            "missing_judge": self.missing_judge,
            "aspect_rules": {
                code: {k: (str(v) if isinstance(v, Decimal) else v)
                       for k, v in (("aggregation", r.aggregation), ("trim", r.trim),
                                    ("multiplier", r.multiplier),
                                    ("panel_size", r.panel_size)) if v is not None}
                for code, r in self.aspect_rules.items()},
            "spread_limit": str(self.spread_limit),
            "decimals": self.decimals,
            "tie_on_rounded": self.tie_on_rounded,
            "standardisation": None if self.standardisation is None else {
                "centre": self.standardisation.centre, "spread": self.standardisation.spread,
                "C": str(self.standardisation.C), "k": str(self.standardisation.k)},
            "tie_chain": list(self.tie_chain),
            "tie_final": self.tie_final,
            "prizes": {
                "ratios": [str(r) for r in self.prizes.ratios],
                "base": self.prizes.base,
                "min_score": None if self.prizes.min_score is None else str(self.prizes.min_score),
                "tie_at_cut": self.prizes.tie_at_cut},
            "medals": None if self.medals is None else {
                "threshold": str(self.medals.threshold),
                "tie_window": str(self.medals.tie_window),
                "medallion": self.medals.medallion},
        }
        return out


@dataclass(frozen=True)
class AspectPlan:
    id: int
    code: str
    kind: AspectKind
    max_mark: Decimal
    module_code: str
    method: str
    trim: int
    multiplier: Decimal
    panel_size: int | None


def plan_aspects(scheme: Scheme, rules: EventRules) -> tuple[AspectPlan, ...]:
    plans = []
    for a in scheme.aspects:
        o = rules.aspect_rules.get(a.code, AspectRule())
        plans.append(AspectPlan(
            a.id, a.code, a.kind, a.max_mark, a.module_code,
            o.aggregation or rules.aggregation,
            rules.trim if o.trim is None else o.trim,
            rules.multiplier if o.multiplier is None else o.multiplier,
            rules.panel_size if o.panel_size is None else o.panel_size))
    return tuple(plans)


# -- parsing helpers ------------------------------------------------------------------

def _standardisation(v: object) -> StandardisationRules:
    d = _mapping(v, "standardisation")
    _known(d, "standardisation.", {"centre", "spread", "C", "k"})
    base = StandardisationRules()
    return StandardisationRules(
        centre=_str(d.get("centre", base.centre), "standardisation.centre"),
        spread=_str(d.get("spread", base.spread), "standardisation.spread"),
        C=_dec(d.get("C", base.C), "standardisation.C"),
        k=_dec(d.get("k", base.k), "standardisation.k"))


def _prizes(v: object) -> PrizeRules:
    d = _mapping(v, "prizes")
    _known(d, "prizes.", {"ratios", "base", "min_score", "tie_at_cut"})
    base = PrizeRules()
    ratios = base.ratios
    if "ratios" in d:
        items = _list(d["ratios"], "prizes.ratios")
        if len(items) != 3:
            raise ValidationFailed("awards.bad_ratio", field="prizes.ratios", count=3)
        r = [_dec(x, f"prizes.ratios[{i}]") for i, x in enumerate(items)]
        ratios = (r[0], r[1], r[2])
    return PrizeRules(
        ratios=ratios,
        base=_str(d.get("base", base.base), "prizes.base"),
        min_score=_opt(d.get("min_score"), lambda x: _dec(x, "prizes.min_score")),
        tie_at_cut=_str(d.get("tie_at_cut", base.tie_at_cut), "prizes.tie_at_cut"))


def _medals(v: object) -> MedalRules:
    d = _mapping(v, "medals")
    _known(d, "medals.", {"threshold", "tie_window", "medallion"})
    base = MedalRules()
    return MedalRules(
        threshold=_dec(d.get("threshold", base.threshold), "medals.threshold"),
        tie_window=_dec(d.get("tie_window", base.tie_window), "medals.tie_window"),
        medallion=_bool(d.get("medallion", base.medallion), "medals.medallion"))


def _opt(value: object, parse: Callable[[object], T]) -> T | None:
    return None if value is None else parse(value)


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ValidationFailed("rules.not_a_mapping", field=where)
    return value


def _list(value: object, where: str) -> Sequence[object]:
    if not isinstance(value, (list, tuple)):
        raise ValidationFailed("rules.not_a_list", field=where)
    return value


def _known(d: Mapping[str, object], prefix: str, allowed: set[str]) -> None:
    for key in d:
        if key not in allowed:
            raise ValidationFailed("rules.unknown_field", field=f"{prefix}{key}",
                                   allowed=",".join(sorted(allowed)))


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ValidationFailed("rules.bad_choice", field=where)
    return value


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("rules.not_an_integer", field=where)
    return value


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed("rules.not_a_boolean", field=where)
    return value


def _dec(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValidationFailed("rules.not_a_decimal", field=where)
    try:
        result = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValidationFailed("rules.not_a_decimal", field=where) from None
    if not result.is_finite():
        raise ValidationFailed("rules.not_a_decimal", field=where)
    return result


def _choice(value: str, where: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValidationFailed("rules.bad_choice", field=where, value=value,
                               allowed=",".join(allowed))


def _range(value: int, where: str, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("rules.not_an_integer", field=where)
    if value < low or (high is not None and value > high):
        raise ValidationFailed("rules.out_of_range", field=where, min=low,
                               max="" if high is None else high)


def _positive(value: Decimal, where: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ValidationFailed("rules.out_of_range", field=where, min="0")
