"""Event scoring rules as stored: read, validate against the scheme, replace (audited).

Owns: the layout of ``SkillEvent.rules``. The scoring settings of
``scoring.domain.rules.EventRules`` sit at the top level (``aggregation``, ``trim``,
``tie_chain``, ``prizes`` ...), beside keys other parts own and this module passes through
untouched: ``recusal`` (accounts: who may score whom), ``advancement`` (zone → final rules,
``scoring.domain.advancement.AdvancementRules``; validated here too, since boards draw their
qualification line from ``advancement.per_zone``) and ``lifecycle`` (the result lifecycle's
review shares and public notice length, ``scoring.domain.lifecycle.LifecycleRules``; validated
here too, fields ``lifecycle.<name>``).

- ``parse(mapping)`` → ``EventRules`` from a stored mapping, ignoring the foreign keys: what
  every recompute calls (``boards``, ``live``).
- ``rules_of(session, event_id)`` → the stored mapping in full, defaults filled in
  (``read_rules`` checks the actor may read the set-up first).
- ``replace_rules(session, actor, event_id, mapping)`` validates with
  ``EventRules.from_mapping(...).validate_for(scheme)`` (and the advancement rules), stores the
  normalised form and appends one ``rules.changed`` event plus one ``board.changed`` per board
  of the event (so the relay recomputes them even if Redis was away). Bad input raises
  ``ValidationFailed`` whose ``field`` is the dotted path (``prizes.ratios[1]``) and stores
  nothing.

Must not: import flask, commit, or compute boards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.accounts.domain.recusal import RULES_KEY as RECUSAL_KEY
from compete.accounts.domain.recusal import scope_of
from compete.errors import NotFound, ValidationFailed
from compete.registration.models import SkillEvent, Stage
from compete.security import Actor
from scoring import repository
from scoring.domain.advancement import AdvancementRules
from scoring.domain.lifecycle import RULES_KEY as LIFECYCLE_KEY
from scoring.domain.lifecycle import LifecycleRules
from scoring.domain.rules import STORED_BESIDE, EventRules
from scoring.models import Board

#: keys of ``SkillEvent.rules`` owned elsewhere: never parsed as scoring rules
FOREIGN_KEYS = (*STORED_BESIDE, LIFECYCLE_KEY)
ADVANCEMENT_KEY = "advancement"


def parse(mapping: Mapping[str, Any] | None) -> EventRules:
    """The scoring rules in a stored mapping (raises ``ValidationFailed`` if they are bad)."""
    return EventRules.from_mapping({k: v for k, v in (mapping or {}).items() if k not in FOREIGN_KEYS})


def parse_advancement(raw: Any) -> AdvancementRules:
    """``AdvancementRules`` from their JSON form (fields named ``advancement.<name>``)."""
    if raw is None:
        return AdvancementRules()
    if not isinstance(raw, Mapping):
        raise ValidationFailed("rules.not_a_mapping", field=ADVANCEMENT_KEY)
    allowed = {f.name for f in dataclasses.fields(AdvancementRules)}
    for key in raw:
        if key not in allowed:
            raise ValidationFailed("rules.unknown_field", field=f"{ADVANCEMENT_KEY}.{key}",
                                   allowed=",".join(sorted(allowed)))
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("zone_places", "province_quotas"):
            if not isinstance(value, Mapping):
                raise ValidationFailed("rules.not_a_mapping", field=f"{ADVANCEMENT_KEY}.{key}")
            values[key] = {str(k): v for k, v in value.items()}
        else:
            values[key] = value
    for key in ("first_prize_only",):
        if key in values and not isinstance(values[key], bool):
            raise ValidationFailed("rules.not_a_boolean", field=f"{ADVANCEMENT_KEY}.{key}")
    if "last_place_tie" in values and not isinstance(values["last_place_tie"], str):
        raise ValidationFailed("rules.bad_choice", field=f"{ADVANCEMENT_KEY}.last_place_tie")
    rules = AdvancementRules(**values)
    try:
        rules.validate()
    except ValidationFailed as error:
        raise ValidationFailed(error.code, field=f"{ADVANCEMENT_KEY}.{error.field}", **error.params) from None
    return rules


def parse_lifecycle(mapping: Mapping[str, Any] | None) -> LifecycleRules:
    """The result lifecycle's rules in a stored event-rules mapping (defaults when absent)."""
    return LifecycleRules.from_mapping((mapping or {}).get(LIFECYCLE_KEY))


def advancement_mapping(rules: AdvancementRules) -> dict[str, Any]:
    return {f.name: (dict(v) if isinstance(v := getattr(rules, f.name), Mapping) else v)
            for f in dataclasses.fields(AdvancementRules)}


def _event(session: Session, event_id: int) -> SkillEvent:
    event = session.get(SkillEvent, event_id)
    if event is None:
        raise NotFound("event.not_found", field="event")
    return event


def rules_of(session: Session, event_id: int) -> dict[str, Any]:
    """The event's rules with every default filled in (scoring, advancement, and foreign keys)."""
    stored = dict(_event(session, event_id).rules or {})
    out: dict[str, Any] = parse(stored).to_mapping()
    out[ADVANCEMENT_KEY] = advancement_mapping(parse_advancement(stored.get(ADVANCEMENT_KEY)))
    out[LIFECYCLE_KEY] = parse_lifecycle(stored).to_mapping()
    for key in FOREIGN_KEYS:
        if key not in (ADVANCEMENT_KEY, LIFECYCLE_KEY) and key in stored:
            out[key] = stored[key]
    return out


def board_ids_of(session: Session, event_id: int) -> list[int]:
    return list(session.scalars(select(Board.id).join(Stage, Stage.id == Board.stage_id)
                                .where(Stage.event_id == event_id).order_by(Board.id)))


def announce_boards(session: Session, actor: Actor, event: SkillEvent, cause: str) -> list[tuple[int, int]]:
    """One ``board.changed`` event per board of the event (the relay recomputes them even if
    the request after the commit cannot); returns (board id, event id) pairs to dispatch."""
    records = [(board_id, events.append(session, "board.changed", {"board": board_id, "cause": cause},
                                        actor=actor.label, competition_id=event.competition_id,
                                        device_id=actor.device_id))
               for board_id in board_ids_of(session, event.id)]
    session.flush()
    return [(board_id, record.id) for board_id, record in records]


@dataclasses.dataclass(frozen=True)
class RulesChange:
    rules: dict[str, Any]
    event_id: int
    #: (board id, ``board.changed`` event id) to dispatch after the commit
    boards: list[tuple[int, int]]


def read_rules(session: Session, actor: Actor, event_id: int) -> dict[str, Any]:
    event = _event(session, event_id)
    permissions.require(actor, "setup.read", event.competition_id, not_found="event.not_found")
    return rules_of(session, event_id)


def replace_rules(session: Session, actor: Actor, event_id: int, mapping: Mapping[str, Any]) -> RulesChange:
    """Validate and store ``mapping`` as the event's rules (see the module docstring)."""
    event = _event(session, event_id)
    permissions.require(actor, "setup.write", event.competition_id, not_found="event.not_found")
    if not isinstance(mapping, Mapping):
        raise ValidationFailed("rules.not_a_mapping", field="rules")
    scoring_part = {k: v for k, v in mapping.items() if k not in FOREIGN_KEYS}
    rules = EventRules.from_mapping(scoring_part)
    scheme = repository.load_scheme(session, event_id)
    if scheme.modules or scheme.aspects:
        rules.validate_for(scheme)
    stored_before = dict(event.rules or {})
    normalised: dict[str, Any] = rules.to_mapping()
    advancement = parse_advancement(mapping.get(ADVANCEMENT_KEY, stored_before.get(ADVANCEMENT_KEY)))
    normalised[ADVANCEMENT_KEY] = advancement_mapping(advancement)
    normalised[LIFECYCLE_KEY] = LifecycleRules.from_mapping(
        mapping.get(LIFECYCLE_KEY, stored_before.get(LIFECYCLE_KEY))).to_mapping()
    if RECUSAL_KEY in mapping:
        scope_of({RECUSAL_KEY: mapping[RECUSAL_KEY]})  # the accounts rule checks its own setting
    for key in FOREIGN_KEYS:  # pass the others' keys through: given ones replace, else keep
        if key not in (ADVANCEMENT_KEY, LIFECYCLE_KEY) and (key in mapping or key in stored_before):
            normalised[key] = mapping.get(key, stored_before.get(key))
    event.rules = normalised
    session.flush()
    events.append(session, "rules.changed", {"event": event.id, "rules": normalised,
                                              "before": stored_before},
                  actor=actor.label, competition_id=event.competition_id, device_id=actor.device_id)
    boards = announce_boards(session, actor, event, "rules")
    session.flush()
    return RulesChange(rules_of(session, event_id), event.id, boards)
