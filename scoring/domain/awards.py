"""Awards: prizes by ratio (Chinese standard 一/二/三等奖) and medals (WorldSkills style).

Owns: prize counts, prize assignment along a ranked board, the minimum score for a prize,
the tie-across-a-cut policy, medals with a tie window, the Medallion for Excellence, and the
outstanding-coach (优秀指导教师) rule.

Vocabulary:
- *N* (prize base): entries counted for the ratios: ``registered`` (every entry),
  ``started`` (entries actually competing - the domain default) or ``finished`` (competing
  entries with at least one mark, i.e. the ranked ones). The caller (engine) counts N.
- *counts*: n1 = round_half_up(r1·N), n2 = round_half_up(r2·N), n3 = round_half_up(r3·N)
  (``ROUND_HALF_UP``: N=5 → n1=1, N=15 → n3=5; Python's ``round`` would be wrong).
- *cuts*: a row whose rank ≤ n1 is first prize, ≤ n1+n2 second, ≤ n1+n2+n3 third. Shared
  ranks therefore share a prize.
- *tie at a cut*: ``higher`` - rows tied on total (the compared value) all get the prize of
  the best of them, even if the tie chain separated them; ``tiebreak`` - the rank (after the
  whole tie chain) decides.
- *min_score*: a row below it gets no prize (its slot is not passed down).
- *medals*: gold/silver/bronze go to the group led by rank 1/2/3; a row within
  ``tie_window`` of its group's leader shares the leader's medal (Olympic style: two golds
  → the next group leader has rank 3 and gets bronze). Others at or above ``threshold``
  (700) get ``medallion`` (Medallion for Excellence).

Prize names: ``first``, ``second``, ``third``. Medal names: ``gold``, ``silver``,
``bronze``, ``medallion``.

Error codes: awards.bad_ratio, awards.bad_base, awards.bad_tie_policy (``ValidationFailed``).

Must not: rank, aggregate, or decide who is competing (the caller passes N).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from compete.errors import ValidationFailed

PRIZES: tuple[str, str, str] = ("first", "second", "third")
MEDALS: tuple[str, str, str] = ("gold", "silver", "bronze")
MEDALLION = "medallion"
PRIZE_BASES: tuple[str, ...] = ("registered", "started", "finished")
TIE_AT_CUT: tuple[str, ...] = ("higher", "tiebreak")
DEFAULT_RATIOS: tuple[Decimal, Decimal, Decimal] = (
    Decimal("0.1"), Decimal("0.2"), Decimal("0.3"))


@dataclass(frozen=True)
class PrizeRules:
    ratios: tuple[Decimal, Decimal, Decimal] = DEFAULT_RATIOS
    base: str = "started"
    min_score: Decimal | None = None
    tie_at_cut: str = "higher"

    def validate(self) -> None:
        if len(self.ratios) != 3:
            raise ValidationFailed("awards.bad_ratio", field="prizes.ratios", count=3)
        for i, r in enumerate(self.ratios):
            if not isinstance(r, Decimal) or not r.is_finite() or r < 0 or r > 1:
                raise ValidationFailed("awards.bad_ratio", field=f"prizes.ratios[{i}]",
                                       min="0", max="1")
        if sum(self.ratios, Decimal(0)) > 1:
            raise ValidationFailed("awards.bad_ratio", field="prizes.ratios", max="1")
        if self.base not in PRIZE_BASES:
            raise ValidationFailed("awards.bad_base", field="prizes.base",
                                   allowed=",".join(PRIZE_BASES))
        if self.tie_at_cut not in TIE_AT_CUT:
            raise ValidationFailed("awards.bad_tie_policy", field="prizes.tie_at_cut",
                                   allowed=",".join(TIE_AT_CUT))


@dataclass(frozen=True)
class MedalRules:
    threshold: Decimal = Decimal(700)
    tie_window: Decimal = Decimal(0)
    medallion: bool = True


@dataclass(frozen=True)
class Standing:
    """One ranked row as awards see it: its rank and the value compared (total)."""

    entry_id: int
    rank: int
    total: Decimal


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def prize_counts(n: int, ratios: Sequence[Decimal | str | int] = DEFAULT_RATIOS
                 ) -> tuple[int, int, int]:
    """(n1, n2, n3) = round_half_up(ratio·n) for each of the three ratios."""
    if len(ratios) != 3:
        raise ValidationFailed("awards.bad_ratio", field="ratios", count=3)
    r1, r2, r3 = (Decimal(r) for r in ratios)
    count = Decimal(max(n, 0))
    return round_half_up(r1 * count), round_half_up(r2 * count), round_half_up(r3 * count)


def assign_prizes(standings: Sequence[Standing], n: int,
                  rules: PrizeRules = PrizeRules()) -> dict[int, str]:
    """Prize per entry id for ``standings`` given in rank order; entries without one omitted."""
    n1, n2, n3 = prize_counts(n, rules.ratios)
    cuts = (n1, n1 + n2, n1 + n2 + n3)

    def level(rank: int) -> int | None:
        for i, cut in enumerate(cuts):
            if rank <= cut:
                return i
        return None

    out: dict[int, str] = {}
    group_total: Decimal | None = None
    group_level: int | None = None
    for s in standings:
        this = level(s.rank)
        if rules.tie_at_cut == "higher":
            if group_total is not None and s.total == group_total:
                this = group_level
            else:
                group_total, group_level = s.total, this
        if this is None:
            continue
        if rules.min_score is not None and s.total < rules.min_score:
            continue
        out[s.entry_id] = PRIZES[this]
    return out


def assign_medals(standings: Sequence[Standing], rules: MedalRules = MedalRules()
                  ) -> dict[int, str]:
    """Medal per entry id for ``standings`` given in rank order; entries without one omitted."""
    out: dict[int, str] = {}
    leader_total: Decimal | None = None
    leader_medal: str | None = None
    for s in standings:
        if leader_total is not None and leader_total - s.total <= rules.tie_window:
            medal = leader_medal
        else:
            leader_total = s.total
            medal = MEDALS[s.rank - 1] if 1 <= s.rank <= len(MEDALS) else None
            leader_medal = medal
        if medal is None and rules.medallion and s.total >= rules.threshold:
            medal = MEDALLION
        if medal is not None:
            out[s.entry_id] = medal
    return out


def outstanding_coach_entries(prizes: dict[int, str]) -> tuple[int, ...]:
    """Entries whose coaches earn an outstanding-coach certificate: the first-prize teams."""
    return tuple(sorted(e for e, p in prizes.items() if p == PRIZES[0]))
