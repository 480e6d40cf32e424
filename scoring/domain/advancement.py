"""Advancement from zone selection rounds (赛区选拔赛) to the final (国赛).

Owns: who qualifies, in what order and why; who is excluded and why; the reserve list.

Vocabulary:
- *candidate*: an entry on a zone board with its ``zone_rank`` (None = unranked: cannot
  qualify), a ``measure`` comparable across zones (e.g. a standardised total), its zone
  prize, institution and province, and ``ineligible`` (a reason code, e.g.
  ``previous_national_first``: a previous national first-prize winner in the same event).
- *zone places*: the top ``per_zone`` of each zone (``zone_places`` overrides per zone;
  ``per_zone=None`` = every candidate left in the pool, used with ``first_prize_only`` for
  events that advance only zone first-prize teams). Candidates are taken in the global order
  (zone_rank, −measure, entry id) so caps shared across zones are applied fairly.
- *wildcards*: after zone places, ``wildcards`` more by measure across all zones.
- *caps*: ``institution_cap`` per institution and a per-province quota
  (``province_quota`` default, ``province_quotas`` per province) over all qualifiers; a
  capped candidate is skipped and excluded with reason ``institution_cap``/``province_quota``.
- *tie at the last place*: ``all`` - everyone tied with the last qualifier on the deciding
  value also qualifies (zone places: zone_rank; wildcards: measure); ``measure`` - zone ties
  are broken by measure first (still tied → all qualify).
- *reasons*: ``zone_place`` (zone rank within the zone's places), ``replacement`` (took a
  zone place from below the cut because someone above was ineligible or capped),
  ``wildcard``. *Reserves*: the next ``reserves`` candidates by measure who would be
  admissible under the caps given the qualifiers (each is checked against the qualifiers
  only, not against other reserves).
- exclusion reasons: ``ineligible:<reason>``, ``unranked``, ``not_first_prize``,
  ``institution_cap``, ``province_quota``.

Error codes: advancement.bad_rule (``ValidationFailed``, field names the setting).

Must not: rank zone boards (ranks come in), read storage or draw lots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from compete.errors import ValidationFailed

TIE_POLICIES: tuple[str, ...] = ("all", "measure")


@dataclass(frozen=True)
class Candidate:
    entry_id: int
    zone: str
    institution: str
    province: str
    zone_rank: int | None
    measure: Decimal
    prize: str | None = None
    ineligible: str | None = None


@dataclass(frozen=True)
class AdvancementRules:
    per_zone: int | None = 1
    zone_places: Mapping[str, int] = field(default_factory=dict)
    wildcards: int = 0
    institution_cap: int | None = None
    province_quota: int | None = None
    province_quotas: Mapping[str, int] = field(default_factory=dict)
    last_place_tie: str = "all"
    reserves: int = 0
    first_prize_only: bool = False

    def validate(self) -> None:
        for name in ("per_zone", "wildcards", "institution_cap", "province_quota", "reserves"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValidationFailed("advancement.bad_rule", field=name, min=0)
        for name, table in (("zone_places", self.zone_places),
                            ("province_quotas", self.province_quotas)):
            for key, value in table.items():
                if not isinstance(value, int) or value < 0:
                    raise ValidationFailed("advancement.bad_rule", field=f"{name}.{key}", min=0)
        if self.last_place_tie not in TIE_POLICIES:
            raise ValidationFailed("advancement.bad_rule", field="last_place_tie",
                                   allowed=",".join(TIE_POLICIES))


@dataclass(frozen=True)
class Qualifier:
    entry_id: int
    zone: str
    reason: str
    order: int


@dataclass(frozen=True)
class Reserve:
    entry_id: int
    zone: str
    order: int


@dataclass(frozen=True)
class Exclusion:
    entry_id: int
    reason: str


@dataclass(frozen=True)
class AdvancementResult:
    qualifiers: tuple[Qualifier, ...]
    reserves: tuple[Reserve, ...]
    excluded: tuple[Exclusion, ...]

    @property
    def qualified_ids(self) -> tuple[int, ...]:
        return tuple(q.entry_id for q in self.qualifiers)


class _Caps:
    def __init__(self, rules: AdvancementRules) -> None:
        self.rules = rules
        self.institutions: dict[str, int] = {}
        self.provinces: dict[str, int] = {}

    def blocked(self, c: Candidate) -> str | None:
        cap = self.rules.institution_cap
        if cap is not None and self.institutions.get(c.institution, 0) >= cap:
            return "institution_cap"
        quota = self.rules.province_quotas.get(c.province, self.rules.province_quota)
        if quota is not None and self.provinces.get(c.province, 0) >= quota:
            return "province_quota"
        return None

    def take(self, c: Candidate) -> None:
        self.institutions[c.institution] = self.institutions.get(c.institution, 0) + 1
        self.provinces[c.province] = self.provinces.get(c.province, 0) + 1


def advance(candidates: Iterable[Candidate], rules: AdvancementRules = AdvancementRules()
            ) -> AdvancementResult:
    """Select the qualifiers, reserves and exclusions (see the module docstring)."""
    rules.validate()
    excluded: dict[int, str] = {}
    pool: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: c.entry_id):
        if c.ineligible:
            excluded[c.entry_id] = f"ineligible:{c.ineligible}"
        elif c.zone_rank is None:
            excluded[c.entry_id] = "unranked"
        elif rules.first_prize_only and c.prize != "first":
            excluded[c.entry_id] = "not_first_prize"
        else:
            pool.append(c)

    caps = _Caps(rules)
    qualifiers: list[Qualifier] = []
    chosen: set[int] = set()

    def qualify(c: Candidate, reason: str) -> bool:
        blocked = caps.blocked(c)
        if blocked is not None:
            excluded.setdefault(c.entry_id, blocked)
            return False
        caps.take(c)
        chosen.add(c.entry_id)
        qualifiers.append(Qualifier(c.entry_id, c.zone, reason, len(qualifiers) + 1))
        return True

    # -- zone places ---------------------------------------------------------------------
    def zone_key(c: Candidate) -> tuple[int, Decimal]:
        assert c.zone_rank is not None
        return (c.zone_rank, -c.measure if rules.last_place_tie == "measure" else Decimal(0))

    taken: dict[str, int] = {}
    last_key: dict[str, tuple[int, Decimal]] = {}
    for c in sorted(pool, key=lambda c: (c.zone_rank, -c.measure, c.entry_id)):
        assert c.zone_rank is not None
        places = rules.zone_places.get(c.zone, rules.per_zone)
        count = taken.get(c.zone, 0)
        if places is not None and count >= places and last_key.get(c.zone) != zone_key(c):
            continue
        reason = "zone_place" if places is None or c.zone_rank <= places else "replacement"
        if qualify(c, reason):
            taken[c.zone] = count + 1
            last_key[c.zone] = zone_key(c)

    # -- wildcards, then reserves ----------------------------------------------------------
    rest = sorted((c for c in pool if c.entry_id not in chosen and c.entry_id not in excluded),
                  key=lambda c: (-c.measure, c.zone_rank, c.entry_id))
    wild = 0
    last_measure: Decimal | None = None
    leftover: list[Candidate] = []
    for c in rest:
        if wild < rules.wildcards or (wild and c.measure == last_measure):
            if qualify(c, "wildcard"):
                wild += 1
                last_measure = c.measure
            continue
        leftover.append(c)
    reserves: list[Reserve] = []
    for c in leftover:
        if len(reserves) >= rules.reserves:
            break
        if c.entry_id not in excluded and caps.blocked(c) is None:
            reserves.append(Reserve(c.entry_id, c.zone, len(reserves) + 1))
    return AdvancementResult(
        qualifiers=tuple(qualifiers), reserves=tuple(reserves),
        excluded=tuple(Exclusion(e, r) for e, r in sorted(excluded.items())))


def previous_winner_exclusions(entry_members: Mapping[int, Sequence[str]],
                               previous_first_prize: Iterable[str]) -> dict[int, str]:
    """Entries with a member (by person key) who already won a national first prize in the
    same event → ``{entry_id: "previous_national_first"}`` for ``Candidate.ineligible``."""
    winners = set(previous_first_prize)
    return {entry_id: "previous_national_first"
            for entry_id, members in entry_members.items() if winners.intersection(members)}
