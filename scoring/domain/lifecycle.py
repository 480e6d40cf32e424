"""The result lifecycle of one board after decryption: review (复核) → public notice (公示) → final.

domain.md, "Result lifecycle": scoring → locked → decrypted → *review* (supervisors re-check
every entry in the top 30 % and a random 15 % of the rest; more than 5 % errors → re-check all)
→ *public notice* (a countdown, default 2 hours, appeals open) → *final* (signed by the chief
judge and a supervisor; a hash of the locked data is kept).

States (``LifecycleState``): ``pending`` (no review yet) → ``review`` → ``notice`` → ``final``.

- *sample* (``review_sample``): given the board's entry ids in rank order (best first) and a
  recorded seed. Counts are **rounded up** (ceiling), so the sample is never below the stated
  share: top = ⌈top_ratio·N⌉ entries from the head of the ranking; random = ⌈random_ratio·R⌉
  of the R others, the R entries ordered by SHA-256 of ``"<seed>:<entry id>"`` and the first
  ones taken - the same seed and entries give the same sample on any Python version and in any
  input order. E.g. N = 20: top 6, and ⌈0.15·14⌉ = ⌈2.1⌉ = 3 of the 14 others (9 in all).
- *error rule* (``Review``): more than ``error_limit`` (5 %) of the checked entries with
  errors → every entry must be checked ("re-check all"). "Checked" is the sample: the rule
  is met once ``errors > error_limit × sample size`` (strictly more), i.e. as soon as the
  sample's error rate is certain to exceed the limit, at the latest when the sample is
  complete; it then stays met (the service stores it). Review is complete when every
  required entry (the sample, or every entry after a re-check-all) has a check.
- *notice*: opened once review is complete; ends ``notice_minutes`` (the event's rules,
  default 120) after it opened. Appeals are filed during the notice (``scoring.domain.appeals``).
- *final*: needs the notice to have ended, no appeal holding the board, every sheet still
  locked, and two signatures - the chief judge's and a supervisor's, by different people -
  each covering the board's data as it is now (a signature records the digest it signed; a
  later correction makes it stale and it must be given again). The final digest
  (``results_digest``) is the SHA-256 of canonical JSON (sorted keys, no spaces, UTF-8) of the
  board's current marks and its ranked rows.

Owns: ``LifecycleState``, ``LifecycleRules`` (the ``lifecycle`` key of an event's rules),
``review_sample``, ``Review``, ``check_*`` (raise the first rule broken), ``results_digest``.

Error codes (``InvalidState`` → 409 unless noted; the field in brackets):
lifecycle.not_decrypted [action], lifecycle.already_started [action], lifecycle.no_entries
[action], lifecycle.not_in_review [action], lifecycle.not_sampled [entry],
lifecycle.already_checked [entry], lifecycle.note_required (``ValidationFailed``) [note],
lifecycle.review_incomplete [action], lifecycle.not_in_notice [action],
lifecycle.already_signed [role], lifecycle.same_signer (``Forbidden``) [role],
lifecycle.notice_running [action], lifecycle.appeal_pending [appeals],
lifecycle.signature_required [chief_judge | supervisor], lifecycle.signature_stale
[chief_judge | supervisor], lifecycle.sheets_not_locked [sheets], lifecycle.already_final
[action], lifecycle.seed_required (``ValidationFailed``) [seed]; rules: rules.not_a_mapping, rules.unknown_field, rules.not_an_integer,
rules.not_a_decimal, rules.out_of_range (``ValidationFailed``, field ``lifecycle.<name>``).

Must not: import anything but the standard library, ``compete.errors`` and other domain
modules; read storage or clocks (the caller passes ``now``); draw a seed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from compete.errors import Forbidden, InvalidState, ValidationFailed

RULES_KEY = "lifecycle"
OUTCOMES = ("confirmed", "error")
#: who signs the final results (also the API's ``role`` values)
SIGNERS = ("chief_judge", "supervisor")


class LifecycleState(StrEnum):
    PENDING = "pending"
    REVIEW = "review"
    NOTICE = "notice"
    FINAL = "final"


L = LifecycleState


# -- rules -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LifecycleRules:
    """The ``lifecycle`` part of an event's rules; every number is a default organisers change."""

    notice_minutes: int = 120
    top_ratio: Decimal = Decimal("0.3")
    random_ratio: Decimal = Decimal("0.15")
    error_limit: Decimal = Decimal("0.05")

    @classmethod
    def from_mapping(cls, raw: object) -> LifecycleRules:
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ValidationFailed("rules.not_a_mapping", field=RULES_KEY)
        allowed = ("notice_minutes", "top_ratio", "random_ratio", "error_limit")
        for key in raw:
            if key not in allowed:
                raise ValidationFailed("rules.unknown_field", field=f"{RULES_KEY}.{key}", allowed=",".join(allowed))
        base = cls()
        minutes = raw.get("notice_minutes", base.notice_minutes)
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise ValidationFailed("rules.not_an_integer", field=f"{RULES_KEY}.notice_minutes")
        if not 1 <= minutes <= 10080:  # one minute to one week
            raise ValidationFailed("rules.out_of_range", field=f"{RULES_KEY}.notice_minutes", min=1, max=10080)
        ratios = {name: _ratio(raw.get(name, getattr(base, name)), name) for name in allowed[1:]}
        return cls(notice_minutes=minutes, **ratios)

    def to_mapping(self) -> dict[str, object]:
        return {"notice_minutes": self.notice_minutes, "top_ratio": str(self.top_ratio),
                "random_ratio": str(self.random_ratio), "error_limit": str(self.error_limit)}

    def notice_ends(self, opened_at: datetime) -> datetime:
        return opened_at + timedelta(minutes=self.notice_minutes)


def _ratio(value: object, name: str) -> Decimal:
    if isinstance(value, (bool, float)) or not isinstance(value, (str, int, Decimal)):
        raise ValidationFailed("rules.not_a_decimal", field=f"{RULES_KEY}.{name}")
    try:
        ratio = Decimal(value)
    except InvalidOperation:
        raise ValidationFailed("rules.not_a_decimal", field=f"{RULES_KEY}.{name}") from None
    if not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(1):
        raise ValidationFailed("rules.out_of_range", field=f"{RULES_KEY}.{name}", min=0, max=1)
    return ratio


# -- the sample ----------------------------------------------------------------------------------

def count_up(ratio: Decimal, n: int) -> int:
    """⌈ratio·n⌉: a share of ``n`` entries, rounded up."""
    return int((ratio * n).to_integral_value(rounding=ROUND_CEILING))


def _lot(seed: str, entry_id: int) -> str:
    return hashlib.sha256(f"{seed}:{entry_id}".encode()).hexdigest()


@dataclass(frozen=True)
class ReviewSample:
    top: tuple[int, ...]
    random: tuple[int, ...]
    seed: str

    @property
    def entries(self) -> tuple[int, ...]:
        return self.top + self.random


def review_sample(ranked_ids: Sequence[int], seed: str, rules: LifecycleRules = LifecycleRules()) -> ReviewSample:
    """The entries to re-check: the top share of the ranking and a seeded random share of the
    rest (see the module docstring). ``random`` keeps board order."""
    if not seed:
        raise ValidationFailed("lifecycle.seed_required", field="seed")
    n_top = count_up(rules.top_ratio, len(ranked_ids))
    top = tuple(ranked_ids[:n_top])
    rest = list(ranked_ids[n_top:])
    picked = set(sorted(rest, key=lambda entry: _lot(seed, entry))[:count_up(rules.random_ratio, len(rest))])
    return ReviewSample(top, tuple(e for e in rest if e in picked), seed)


# -- the review's progress -------------------------------------------------------------------------

@dataclass(frozen=True)
class Review:
    """One board's review: all entries (rank order), the sample, the checks so far."""

    entries: tuple[int, ...]
    sample: tuple[int, ...]
    #: entry id → True when the check found an error
    checks: Mapping[int, bool] = field(default_factory=dict)
    #: already decided (stored) that every entry must be checked
    recheck_all: bool = False

    @property
    def sample_errors(self) -> int:
        return sum(1 for e in self.sample if self.checks.get(e))

    def exceeds(self, limit: Decimal) -> bool:
        """The error rule: more than ``limit`` of the sample's entries with errors."""
        return Decimal(self.sample_errors) > limit * len(self.sample)

    def everything(self, limit: Decimal) -> bool:
        return self.recheck_all or self.exceeds(limit)

    def required(self, limit: Decimal) -> tuple[int, ...]:
        return self.entries if self.everything(limit) else self.sample

    def missing(self, limit: Decimal) -> tuple[int, ...]:
        return tuple(e for e in self.required(limit) if e not in self.checks)

    def complete(self, limit: Decimal) -> bool:
        return not self.missing(limit)


def check_start_review(state: LifecycleState | str, *, decrypted: bool, entries: int) -> None:
    if LifecycleState(state) is not L.PENDING:
        raise InvalidState("lifecycle.already_started", field="action", state=str(state))
    if not decrypted:
        raise InvalidState("lifecycle.not_decrypted", field="action")
    if entries == 0:
        raise InvalidState("lifecycle.no_entries", field="action")


def check_record(state: LifecycleState | str, review: Review, limit: Decimal, entry_id: int, outcome: str,
                 note: str | None) -> None:
    """Raise unless a check of ``entry_id`` may be recorded now."""
    if LifecycleState(state) is not L.REVIEW:
        raise InvalidState("lifecycle.not_in_review", field="action", state=str(state))
    if entry_id not in review.required(limit):
        raise InvalidState("lifecycle.not_sampled", field="entry")
    if entry_id in review.checks:
        raise InvalidState("lifecycle.already_checked", field="entry")
    if outcome == "error" and not (note or "").strip():
        raise ValidationFailed("lifecycle.note_required", field="note")


def check_open_notice(state: LifecycleState | str, review: Review, limit: Decimal) -> None:
    if LifecycleState(state) is not L.REVIEW:
        raise InvalidState("lifecycle.not_in_review", field="action", state=str(state))
    missing = review.missing(limit)
    if missing:
        raise InvalidState("lifecycle.review_incomplete", field="action", count=len(missing))


# -- signatures and the final step -----------------------------------------------------------------

@dataclass(frozen=True)
class Signature:
    by: str
    #: the digest of the board's data the signer saw
    digest: str


@dataclass(frozen=True)
class Finality:
    """What the final step needs, as the service found it."""

    state: LifecycleState
    now: datetime
    notice_ends_at: datetime | None
    holding_appeals: int
    sheets_ready: bool
    digest: str
    signatures: Mapping[str, Signature] = field(default_factory=dict)


def check_sign(state: LifecycleState | str, role: str, signer: str, signatures: Mapping[str, Signature],
               digest: str) -> None:
    """Raise unless ``signer`` (an actor label) may sign as ``role`` now."""
    if LifecycleState(state) is not L.NOTICE:
        raise InvalidState("lifecycle.not_in_notice", field="action", state=str(state))
    mine = signatures.get(role)
    if mine is not None and mine.digest == digest:
        raise InvalidState("lifecycle.already_signed", field="role", role=role)
    other = next((s for r, s in signatures.items() if r != role), None)
    if other is not None and other.by == signer:
        raise Forbidden("lifecycle.same_signer", field="role")


def check_finalise(f: Finality) -> None:
    """Raise the first unmet need of the final step (in the order a person fixes them)."""
    if f.state is L.FINAL:
        raise InvalidState("lifecycle.already_final", field="action")
    if f.state is not L.NOTICE:
        raise InvalidState("lifecycle.not_in_notice", field="action", state=f.state.value)
    if f.notice_ends_at is None or f.now < f.notice_ends_at:
        raise InvalidState("lifecycle.notice_running", field="action",
                           ends_at=f.notice_ends_at.isoformat() if f.notice_ends_at else "")
    if f.holding_appeals:
        raise InvalidState("lifecycle.appeal_pending", field="appeals", count=f.holding_appeals)
    if not f.sheets_ready:
        raise InvalidState("lifecycle.sheets_not_locked", field="sheets")
    for role in SIGNERS:
        signature = f.signatures.get(role)
        if signature is None:
            raise InvalidState("lifecycle.signature_required", field=role)
        if signature.digest != f.digest:
            raise InvalidState("lifecycle.signature_stale", field=role)
    if f.signatures["chief_judge"].by == f.signatures["supervisor"].by:
        raise Forbidden("lifecycle.same_signer", field="role")


def results_digest(marks: Iterable[tuple[int, int, int, Decimal]], rows: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of canonical JSON of the board's current marks (entry, aspect, judge, value) and
    its ranked rows (as ``scoring.boards.freeze_rows`` writes them): reproducible byte for byte."""
    data = {
        "marks": [[entry, aspect, judge, _plain(value)] for entry, aspect, judge, value in sorted(marks)],
        "rows": [dict(r) for r in rows],
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Decimal) -> str:
    """A value written one way only: 5, 5.0 and 5.0000 are the same mark."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def seconds_left(ends_at: datetime | None, now: datetime) -> int | None:
    if ends_at is None:
        return None
    return max(0, int((ends_at - now).total_seconds()))
