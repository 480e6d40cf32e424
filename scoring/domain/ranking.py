"""Ranking and tie-breaking of one board (one division, optionally one zone, one stage).

Owns: the ordered comparator chain, the final tie rule, competition-style ranks ("1224")
and the record of which comparator separated each row from the row above it.

Vocabulary:
- *comparator* names (``COMPARATORS``): ``total`` (higher first), ``completion_time``
  (faster first; an entry without a time comes after every timed entry), ``module:<code>``
  (higher module score first).
- *final rule*: ``shared`` (still tied → same rank, next rank skips) or ``lots`` (still
  tied → the lower drawn lot number ranks first; the lot is drawn and recorded by the
  caller and passed in; a tied entry without a lot keeps the shared rank and is flagged
  ``lot_required``).
- *decided_by*: for each row, the comparator that separated it from the row above:
  a comparator name, ``"lots"``, ``"shared"`` (same rank as the row above) or None (first row).

Ties compare the values given (the engine passes unrounded values unless the rules ask to
compare rounded ones). Rows that share a rank are listed by code.

Error codes: ranking.unknown_comparator, ranking.unknown_final_rule (``ValidationFailed``).

Must not: aggregate marks, award prizes, or round anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from compete.errors import ValidationFailed

COMPARATORS: tuple[str, ...] = ("total", "completion_time", "module:<code>")
FINAL_RULES: tuple[str, ...] = ("shared", "lots")
_ZERO = Decimal(0)


@dataclass(frozen=True)
class Rankable:
    entry_id: int
    code: str
    total: Decimal
    completion_seconds: Decimal | None = None
    modules: Mapping[str, Decimal] = field(default_factory=dict)
    lot: int | None = None


@dataclass(frozen=True)
class Placement:
    entry_id: int
    rank: int
    decided_by: str | None
    flags: tuple[str, ...] = ()


def check_chain(chain: Sequence[str], final: str, module_codes: Sequence[str] | None = None,
                field_name: str = "tie_chain") -> None:
    """Raise ``ValidationFailed`` for an unknown comparator (or module, when codes are given)."""
    for i, name in enumerate(chain):
        if name in ("total", "completion_time"):
            continue
        if name.startswith("module:") and len(name) > len("module:"):
            if module_codes is None or name[len("module:"):] in module_codes:
                continue
        raise ValidationFailed("ranking.unknown_comparator", field=f"{field_name}[{i}]",
                               comparator=name, allowed=",".join(COMPARATORS))
    if final not in FINAL_RULES:
        raise ValidationFailed("ranking.unknown_final_rule", field="tie_final", rule=final,
                               allowed=",".join(FINAL_RULES))


def _key(name: str, item: Rankable) -> tuple[int, Decimal]:
    if name == "total":
        return (0, -item.total)
    if name == "completion_time":
        t = item.completion_seconds
        return (1, _ZERO) if t is None else (0, t)
    return (0, -item.modules.get(name[7:], _ZERO))


def rank(items: Sequence[Rankable], chain: Sequence[str] = ("total",),
         final: str = "shared") -> tuple[Placement, ...]:
    """Order ``items`` by the chain, then the final rule; returns placements in rank order."""
    check_chain(chain, final)
    keyed = []
    for item in items:
        keys = tuple(_key(name, item) for name in chain)
        lot_key = (1, 0) if item.lot is None else (0, item.lot)
        keyed.append((keys, lot_key if final == "lots" else (0, 0), item.code, item.entry_id,
                      item))
    keyed.sort(key=lambda k: (k[0], k[1], k[2], k[3]))
    out: list[Placement] = []
    prev_keys: tuple[tuple[int, Decimal], ...] | None = None
    prev_lot: int | None = None
    prev_rank = 0
    for position, (keys, _lk, _code, entry_id, item) in enumerate(keyed, start=1):
        flags: tuple[str, ...] = ()
        if prev_keys is None:
            decided_by: str | None = None
            this_rank = 1
        else:
            decided_by = next((name for name, a, b in zip(chain, prev_keys, keys) if a != b),
                              None)
            if decided_by is not None:
                this_rank = position
            elif final == "lots" and item.lot is not None and prev_lot is not None \
                    and item.lot != prev_lot:
                decided_by, this_rank = "lots", position
            else:
                decided_by, this_rank = "shared", prev_rank
                if final == "lots":
                    flags = ("lot_required",)
                    if out and "lot_required" not in out[-1].flags:
                        last = out[-1]
                        out[-1] = Placement(last.entry_id, last.rank, last.decided_by,
                                            last.flags + ("lot_required",))
        out.append(Placement(entry_id, this_rank, decided_by, flags))
        prev_keys, prev_lot, prev_rank = keys, item.lot, this_rank
    return tuple(out)
