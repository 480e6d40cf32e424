"""The result lifecycle (domain.md, "Result lifecycle"): review (复核) of the top 30 % and a seeded
random 15 % of the rest, re-check all above 5 % errors; public notice (公示) with a countdown from
the event's rules; final with the chief judge's and a supervisor's signatures and a hash of the
locked data. Pure rules table-driven with hand-computed values; the service's refusals change
nothing and name the field; over HTTP in both languages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from compete.errors import (
    DomainError,
    Forbidden,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from compete.events import EventRecord
from compete.registration.models import SkillEvent, Stage, Zone
from compete.security import SYSTEM
from scoring import event_rules, lifecycle, live, publication, repository
from scoring.domain.lifecycle import (
    Finality,
    LifecycleRules,
    LifecycleState,
    Review,
    Signature,
    check_finalise,
    check_open_notice,
    check_record,
    check_sign,
    count_up,
    results_digest,
    review_sample,
)
from scoring.models import Board, Mark, ResultCheck, ResultLifecycle, Sheet
from tests.accounts.helpers import sign_in as sign_in_api
from tests.factories import (
    chief_judge,
    ready_to_decrypt,
    results_final,
    scenario,
    supervisor,
)
from tests.realtime.support import actor, decrypted_board

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SEED = "recorded-seed-001"
LIMIT = Decimal("0.05")


# -- the pure rules, one row per case ------------------------------------------------------------

@pytest.mark.parametrize(("entries", "top", "random"), [
    (20, 6, 3),    # ⌈0.3·20⌉ = 6; ⌈0.15·14⌉ = ⌈2.1⌉ = 3 (rounded up: never below 15 %)
    (10, 3, 2),    # 3; ⌈0.15·7⌉ = ⌈1.05⌉ = 2
    (7, 3, 1),     # ⌈2.1⌉ = 3; ⌈0.15·4⌉ = ⌈0.6⌉ = 1
    (5, 2, 1),     # ⌈1.5⌉ = 2; ⌈0.45⌉ = 1
    (1, 1, 0),     # the one entry is the top; nothing is left
    (0, 0, 0),
    (100, 30, 11),  # 30; ⌈0.15·70⌉ = ⌈10.5⌉ = 11
])
def test_the_sample_counts_are_rounded_up(entries, top, random):
    sample = review_sample(list(range(1, entries + 1)), SEED)
    assert (len(sample.top), len(sample.random)) == (top, random)
    assert sample.top == tuple(range(1, top + 1))  # the head of the ranking
    assert not set(sample.random) & set(sample.top)


def test_the_sample_is_reproducible_from_its_seed():
    ranked = list(range(1, 21))
    pinned = review_sample(ranked, SEED)
    assert (pinned.top, pinned.random) == ((1, 2, 3, 4, 5, 6), (10, 16, 19))  # SHA-256 lots: any Python
    assert review_sample(ranked, SEED) == pinned
    # the same entries drawn whatever order the rest comes in (listed in board order)
    assert set(review_sample([*ranked[:6], *reversed(ranked[6:])], SEED).random) == set(pinned.random)
    assert {review_sample(ranked, f"seed-{i}").random for i in range(20)} != {pinned.random}  # seeds matter
    with pytest.raises(ValidationFailed) as info:
        review_sample(ranked, "")
    assert info.value.field == "seed"


@pytest.mark.parametrize(("ratio", "n", "expected"), [
    (Decimal("0.3"), 20, 6), (Decimal("0.15"), 14, 3), (Decimal("0.15"), 0, 0), (Decimal("0.3"), 3, 1),
    (Decimal(0), 9, 0), (Decimal(1), 9, 9),
])
def test_count_up(ratio, n, expected):
    assert count_up(ratio, n) == expected


@pytest.mark.parametrize(("case", "sample", "errors", "stored", "recheck"), [
    ("no errors", 9, 0, False, False),
    ("one error in 9 (11 %)", 9, 1, False, True),
    ("one in 20 is exactly 5 %: not more", 20, 1, False, False),
    ("two in 20 (10 %)", 20, 2, False, True),
    ("two in 41 (4.9 %)", 41, 2, False, False),
    ("three in 41 (7.3 %)", 41, 3, False, True),
    ("once decided, it stays", 9, 0, True, True),
])
def test_the_error_rule(case, sample, errors, stored, recheck):
    entries = tuple(range(1, 101))
    review = Review(entries, entries[:sample], {e: e <= errors for e in entries[:sample]}, recheck_all=stored)
    assert review.everything(LIMIT) is recheck
    assert review.required(LIMIT) == (entries if recheck else entries[:sample])
    assert review.complete(LIMIT) is not recheck


def test_review_completeness_and_recording():
    review = Review((1, 2, 3, 4), (1, 3), {1: False})
    assert review.missing(LIMIT) == (3,) and not review.complete(LIMIT)
    cases = [
        (("notice", 3, "confirmed", None), "lifecycle.not_in_review", "action"),
        (("review", 2, "confirmed", None), "lifecycle.not_sampled", "entry"),
        (("review", 1, "confirmed", None), "lifecycle.already_checked", "entry"),
        (("review", 3, "error", "  "), "lifecycle.note_required", "note"),
    ]
    for (state, entry, outcome, note), code, field in cases:
        with pytest.raises(DomainError) as info:
            check_record(state, review, LIMIT, entry, outcome, note)
        assert (info.value.code, info.value.field) == (code, field)
    check_record("review", review, LIMIT, 3, "error", "P3 added twice")
    with pytest.raises(InvalidState) as info:
        check_open_notice("review", review, LIMIT)
    assert info.value.code == "lifecycle.review_incomplete" and info.value.params == {"count": 1}
    check_open_notice("review", Review((1, 2), (1,), {1: False}), LIMIT)


AFTER = T0 + timedelta(hours=3)
SIGNED = {"chief_judge": Signature("user:1", "d1"), "supervisor": Signature("user:2", "d1")}


@pytest.mark.parametrize(("case", "changes", "code", "field"), [
    ("ready", {}, None, None),
    ("already final", {"state": LifecycleState.FINAL}, "lifecycle.already_final", "action"),
    ("still under review", {"state": LifecycleState.REVIEW}, "lifecycle.not_in_notice", "action"),
    ("the notice is running", {"now": T0 + timedelta(minutes=119)}, "lifecycle.notice_running", "action"),
    ("an appeal holds it", {"holding_appeals": 1}, "lifecycle.appeal_pending", "appeals"),
    ("a sheet was unlocked", {"sheets_ready": False}, "lifecycle.sheets_not_locked", "sheets"),
    ("no chief judge", {"signatures": {"supervisor": SIGNED["supervisor"]}}, "lifecycle.signature_required",
     "chief_judge"),
    ("no supervisor", {"signatures": {"chief_judge": SIGNED["chief_judge"]}}, "lifecycle.signature_required",
     "supervisor"),
    ("data changed after signing", {"digest": "d2"}, "lifecycle.signature_stale", "chief_judge"),
    ("one person signed twice", {"signatures": {"chief_judge": Signature("user:1", "d1"),
                                                "supervisor": Signature("user:1", "d1")}},
     "lifecycle.same_signer", "role"),
])
def test_what_the_final_step_needs(case, changes, code, field):
    values = {"state": LifecycleState.NOTICE, "now": AFTER, "notice_ends_at": T0 + timedelta(minutes=120),
              "holding_appeals": 0, "sheets_ready": True, "digest": "d1", "signatures": SIGNED, **changes}
    if code is None:
        check_finalise(Finality(**values))
        return
    with pytest.raises(DomainError) as info:
        check_finalise(Finality(**values))
    assert (info.value.code, info.value.field) == (code, field)


def test_signing_rules():
    with pytest.raises(InvalidState) as info:
        check_sign("review", "chief_judge", "user:1", {}, "d1")
    assert info.value.code == "lifecycle.not_in_notice"
    with pytest.raises(InvalidState) as info:
        check_sign("notice", "chief_judge", "user:1", {"chief_judge": Signature("user:1", "d1")}, "d1")
    assert (info.value.code, info.value.field) == ("lifecycle.already_signed", "role")
    check_sign("notice", "chief_judge", "user:1", {"chief_judge": Signature("user:1", "d0")}, "d1")  # re-sign stale
    with pytest.raises(Forbidden) as info:
        check_sign("notice", "supervisor", "user:1", {"chief_judge": Signature("user:1", "d1")}, "d1")
    assert info.value.code == "lifecycle.same_signer"


def test_the_digest_is_canonical():
    marks = [(1, 10, 100, Decimal(5)), (2, 10, 100, Decimal("7.5"))]
    rows = [{"entry_id": 2, "rank": 1, "total": "7.5"}, {"entry_id": 1, "rank": 2, "total": "5"}]
    first = results_digest(marks, rows)
    assert first == results_digest(list(reversed(marks)), rows)  # mark order does not matter
    assert first == results_digest([(1, 10, 100, Decimal("5.0000")), (2, 10, 100, Decimal("7.50"))], rows)
    assert first != results_digest([(1, 10, 100, Decimal("5.5")), marks[1]], rows)
    assert first != results_digest(marks, list(reversed(rows)))  # the ranking's order does
    assert len(first) == 64 and int(first, 16) >= 0


@pytest.mark.parametrize(("raw", "code", "field"), [
    ({"notice_minutes": "120"}, "rules.not_an_integer", "lifecycle.notice_minutes"),
    ({"notice_minutes": 0}, "rules.out_of_range", "lifecycle.notice_minutes"),
    ({"notice_minutes": 10081}, "rules.out_of_range", "lifecycle.notice_minutes"),
    ({"top_ratio": "1.5"}, "rules.out_of_range", "lifecycle.top_ratio"),
    ({"random_ratio": 0.15}, "rules.not_a_decimal", "lifecycle.random_ratio"),
    ({"error_limit": "five"}, "rules.not_a_decimal", "lifecycle.error_limit"),
    ({"notice": 120}, "rules.unknown_field", "lifecycle.notice"),
    ([120], "rules.not_a_mapping", "lifecycle"),
])
def test_lifecycle_rules_are_validated(raw, code, field):
    with pytest.raises(ValidationFailed) as info:
        LifecycleRules.from_mapping(raw)
    assert (info.value.code, info.value.field) == (code, field)


def test_lifecycle_rules_defaults_and_round_trip():
    assert LifecycleRules.from_mapping(None) == LifecycleRules() == LifecycleRules.from_mapping({})
    rules = LifecycleRules.from_mapping({"notice_minutes": 30, "top_ratio": "0.2"})
    assert rules.notice_ends(T0) == T0 + timedelta(minutes=30)
    assert LifecycleRules.from_mapping(rules.to_mapping()) == rules


# -- the service --------------------------------------------------------------------------------

def results_events(session) -> list[EventRecord]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(EventRecord).where(EventRecord.type.like("results.%"))
                                .order_by(EventRecord.id)))


def refused(session, call) -> DomainError:  # type: ignore[no-untyped-def]
    before = len(results_events(session))
    with pytest.raises(DomainError) as info:
        call()
    session.rollback()
    assert len(results_events(session)) == before  # nothing logged
    return info.value


def test_the_review_needs_decryption_and_an_organiser(session, runtime):
    s = scenario(session, judges=1, teams=4)
    admin = actor(session, ["admin"])
    error = refused(session, lambda: lifecycle.start_review(session, admin, s.board_id, seed=SEED, now=T0))
    assert (error.code, error.field) == ("lifecycle.not_decrypted", "action")
    assert session.get(ResultLifecycle, s.board_id) is None
    ready_to_decrypt(session, s)
    publication.change(session, admin, s.board_id, "decrypt")
    session.commit()
    sup, chief = supervisor(session, s.competition_id), chief_judge(session, s.competition_id)
    for who in (sup, chief):
        assert isinstance(refused(session, lambda who=who: lifecycle.start_review(session, who, s.board_id)), Forbidden)
    other = Zone(competition_id=s.competition_id, code="GD", name="广东赛区")
    session.add(other)
    session.commit()
    elsewhere = actor(session, ["zone_admin"], zone_id=other.id)
    assert isinstance(refused(session, lambda: lifecycle.start_review(session, elsewhere, s.board_id)), NotFound)
    assert session.get(ResultLifecycle, s.board_id) is None
    with pytest.raises(NotFound):
        lifecycle.start_review(session, admin, 999999)


def test_the_review_samples_reproducibly_and_is_audited(session, runtime):
    s = decrypted_board(session, runtime)
    admin = actor(session, ["admin"])
    step = lifecycle.start_review(session, admin, s.board_id, seed=SEED, now=T0)
    session.commit()
    assert step.state == "review"
    row = session.get(ResultLifecycle, s.board_id)
    by_total = list(reversed(s.team_ids))  # team i scored i: the last team leads
    assert row.ranked == by_total and row.seed == SEED
    assert row.sample_top == by_total[:6] and len(row.sample_random) == 3
    assert tuple(row.sample_random) == review_sample(by_total, SEED).random
    started, = results_events(session)
    assert started.type == "results.review_started" and started.actor == admin.label
    assert started.payload == {"board": s.board_id, "seed": SEED, "entries": 20, "top": by_total[:6],
                               "random": row.sample_random}
    view = lifecycle.view(session, admin, s.board_id, now=T0)
    assert view["reproducible"] and (view["sample_size"], view["required"], view["checked"]) == (9, 9, 0)
    error = refused(session, lambda: lifecycle.start_review(session, admin, s.board_id))
    assert error.code == "lifecycle.already_started"


def test_checks_refusals_then_the_error_rule_asks_for_every_entry(session, runtime):
    s = decrypted_board(session, runtime)
    admin, sup = actor(session, ["admin"]), supervisor(session, s.competition_id)
    lifecycle.start_review(session, admin, s.board_id, seed=SEED, now=T0)
    session.commit()
    row = session.get(ResultLifecycle, s.board_id)
    sample = [*row.sample_top, *row.sample_random]
    outside = next(e for e in row.ranked if e not in sample)
    for call, code, field in [
        (lambda: lifecycle.record_check(session, sup, s.board_id, outside, "confirmed"), "lifecycle.not_sampled",
         "entry"),
        (lambda: lifecycle.record_check(session, sup, s.board_id, sample[0], "error", ""), "lifecycle.note_required",
         "note"),
        (lambda: lifecycle.record_check(session, sup, s.board_id, sample[0], "maybe"), "lifecycle.bad_outcome",
         "outcome"),
        (lambda: lifecycle.record_check(session, sup, s.board_id, 999999, "confirmed"), "lifecycle.entry_not_found",
         "entry"),
        (lambda: lifecycle.record_check(session, admin, s.board_id, sample[0], "confirmed"), "user.role_required",
         None),
        (lambda: lifecycle.open_notice(session, admin, s.board_id, now=T0), "lifecycle.review_incomplete", "action"),
    ]:
        error = refused(session, call)
        assert (error.code, error.field) == (code, field)
    assert session.scalar(select(func.count(ResultCheck.id))) == 0
    lifecycle.record_check(session, sup, s.board_id, sample[0], "confirmed", now=T0)
    session.commit()
    assert refused(session, lambda: lifecycle.record_check(session, sup, s.board_id, sample[0], "error", "x")
                   ).code == "lifecycle.already_checked"
    # one error in a sample of 9 is 11 % > 5 %: every entry must now be checked
    lifecycle.record_check(session, sup, s.board_id, sample[1], "error", "P3 entered as 13, sheet says 12", now=T0)
    session.commit()
    checked = results_events(session)[-1]
    assert checked.payload["escalated"] and checked.payload["recheck_all"] and checked.payload["missing"] == 18
    view = lifecycle.view(session, admin, s.board_id, now=T0)
    assert view["recheck_all"] and (view["required"], view["checked"], view["errors"]) == (20, 2, 1)
    assert refused(session, lambda: lifecycle.open_notice(session, admin, s.board_id)).params == {"count": 18}
    lifecycle.record_check(session, sup, s.board_id, outside, "confirmed", now=T0)  # now required
    for entry in row.ranked:
        if entry not in (sample[0], sample[1], outside):
            lifecycle.record_check(session, sup, s.board_id, entry, "confirmed", now=T0)
    session.commit()
    assert lifecycle.open_notice(session, admin, s.board_id, now=T0).state == "notice"
    session.commit()


def notice_open(session, runtime, s, minutes: int | None = None):  # type: ignore[no-untyped-def]
    if minutes is not None:
        board = session.get(Board, s.board_id)
        event = session.get(SkillEvent, session.get(Stage, board.stage_id).event_id)
        event_rules.replace_rules(session, SYSTEM, event.id, {**(event.rules or {}),
                                                              "lifecycle": {"notice_minutes": minutes}})
        session.commit()
    admin, sup = actor(session, ["admin"]), supervisor(session, s.competition_id)
    lifecycle.start_review(session, admin, s.board_id, seed=SEED, now=T0)
    row = session.get(ResultLifecycle, s.board_id)
    for entry in [*row.sample_top, *row.sample_random]:
        lifecycle.record_check(session, sup, s.board_id, entry, "confirmed", now=T0)
    lifecycle.open_notice(session, admin, s.board_id, now=T0)
    session.commit()
    return admin, sup


def test_the_notice_lasts_as_the_event_rules_say(session, runtime):
    s = decrypted_board(session, runtime, teams=6)
    admin, _ = notice_open(session, runtime, s, minutes=30)
    row = session.get(ResultLifecycle, s.board_id)
    assert row.notice_ends_at.replace(tzinfo=UTC) == T0 + timedelta(minutes=30)
    opened = results_events(session)[-1]
    assert opened.type == "results.notice_opened" and opened.payload["minutes"] == 30
    view = lifecycle.view(session, admin, s.board_id, now=T0 + timedelta(minutes=10))
    assert view["notice_seconds_left"] == 20 * 60 and not view["notice_ended"]
    assert lifecycle.view(session, admin, s.board_id, now=T0 + timedelta(minutes=31))["notice_ended"]


def test_final_needs_the_notice_to_end_and_two_current_signatures_of_two_people(session, runtime):
    s = decrypted_board(session, runtime, teams=6)
    admin, sup = notice_open(session, runtime, s)
    chief = chief_judge(session, s.competition_id)
    later = T0 + timedelta(minutes=121)
    error = refused(session, lambda: lifecycle.finalise(session, admin, s.board_id, now=T0 + timedelta(minutes=60)))
    assert (error.code, error.field) == ("lifecycle.notice_running", "action")
    error = refused(session, lambda: lifecycle.finalise(session, admin, s.board_id, now=later))
    assert (error.code, error.field) == ("lifecycle.signature_required", "chief_judge")
    assert isinstance(refused(session, lambda: lifecycle.sign(session, admin, s.board_id, "chief_judge")), Forbidden)
    assert isinstance(refused(session, lambda: lifecycle.sign(session, chief, s.board_id, "supervisor")), Forbidden)
    both = actor(session, ["chief_judge", "supervisor"])
    lifecycle.sign(session, both, s.board_id, "chief_judge")
    session.commit()
    error = refused(session, lambda: lifecycle.sign(session, both, s.board_id, "supervisor"))
    assert (error.code, error.field) == ("lifecycle.same_signer", "role")
    error = refused(session, lambda: lifecycle.sign(session, chief, s.board_id, "chief_judge"))
    assert (error.code, error.field) == ("lifecycle.already_signed", "role")  # a current signature stands
    lifecycle.sign(session, sup, s.board_id, "supervisor")
    session.commit()
    assert refused(session, lambda: lifecycle.sign(session, sup, s.board_id, "supervisor")).code == (
        "lifecycle.already_signed")
    # a correction after the signatures (a new mark revision) makes them stale
    sheet = session.scalar(select(Sheet).where(Sheet.board_id == s.board_id).limit(1))
    last = session.scalar(select(Mark).where(Mark.sheet_id == sheet.id).order_by(Mark.revision.desc()).limit(1))
    session.add(Mark(submission_id=str(uuid.uuid4()), sheet_id=sheet.id, aspect_id=last.aspect_id,
                     judge_id=last.judge_id, team_id=last.team_id, board_id=last.board_id,
                     value=last.value + 1, revision=last.revision + 1, reason="test", actor="user:0"))
    session.commit()
    error = refused(session, lambda: lifecycle.finalise(session, admin, s.board_id, now=later))
    assert (error.code, error.field) == ("lifecycle.signature_stale", "chief_judge")
    lifecycle.sign(session, chief, s.board_id, "chief_judge")
    lifecycle.sign(session, sup, s.board_id, "supervisor")
    session.commit()
    sheet.state = "draft"  # an unlocked sheet: not final
    session.commit()
    error = refused(session, lambda: lifecycle.finalise(session, admin, s.board_id, now=later))
    assert (error.code, error.field) == ("lifecycle.sheets_not_locked", "sheets")
    sheet.state = "locked"
    session.commit()
    assert session.get(ResultLifecycle, s.board_id).state == "notice"
    step = lifecycle.finalise(session, admin, s.board_id, now=later)
    session.commit()
    row = session.get(ResultLifecycle, s.board_id)
    assert step.state == row.state == "final" and row.final_by == admin.label
    final = results_events(session)[-1]
    assert final.type == "results.finalised" and final.payload == {
        "board": s.board_id, "hash": row.final_hash, "chief_judge": chief.label, "supervisor": sup.label}
    assert refused(session, lambda: lifecycle.finalise(session, admin, s.board_id, now=later)).code == (
        "lifecycle.already_final")


def test_the_final_hash_is_reproducible_from_the_stored_marks(session, runtime):
    s = decrypted_board(session, runtime, teams=6)
    final_hash = results_final(session, s)
    board = session.get(Board, s.board_id)
    live.cache().forget()
    assert lifecycle.digest(session, board) == final_hash  # recomputed from scratch: the same bytes
    marks = [(e, a, j, v) for (e, a), judged in repository.current_panels(session, board.id).items()
             for j, v in judged.items()]
    from scoring import boards

    rows = boards.freeze_rows(boards.compute(session, board)[0])
    assert results_digest(list(reversed(marks)), rows) == final_hash
    assert rows[0]["entry_id"] == s.team_ids[-1] and len(marks) == 6


def test_publishing_the_final_board_needs_final_results(session, runtime):
    s = decrypted_board(session, runtime, teams=4)
    admin = actor(session, ["admin"])
    for action in ("reveal", "reveal_next", "reveal_next", "reveal_next"):
        publication.change(session, admin, s.board_id, action)
        session.commit()
    error = refused(session, lambda: publication.change(session, admin, s.board_id, "finalise"))
    assert (error.code, error.field) == ("publication.results_not_final", "action")
    assert session.get(Board, s.board_id).publication == "revealed"
    results_final(session, s)
    assert publication.change(session, admin, s.board_id, "finalise").after == "final"


# -- over HTTP: the API, the error shape, the page ------------------------------------------------

def test_the_results_api_in_both_languages(client, session, runtime):
    s = decrypted_board(session, runtime, teams=6)
    url = f"/api/boards/{s.board_id}/results"
    org = sign_in_api(client.application.test_client(), session, ["admin"])
    sup = sign_in_api(client.application.test_client(), session, ["supervisor"], competition_id=s.competition_id)
    judge = sign_in_api(client.application.test_client(), session, ["judge"])
    assert judge.get(url).status_code == 403
    assert org.get(url).json["state"] == "pending"
    early = org.post(url + "?lang=zh_CN", json={"action": "open_notice"})
    assert early.status_code == 409 and early.json["error"] == "lifecycle.not_in_review"
    assert early.json["fields"] == {"action": ["此看板的成绩不在复核阶段。"]}
    bad = org.post(url, json={"action": "publish_everything"})
    assert bad.status_code == 422 and "action" in bad.json["fields"]
    assert sup.post(url, json={"action": "start_review"}).status_code == 403
    started = org.post(url, json={"action": "start_review"})
    assert started.status_code == 200 and started.json["state"] == "review"
    state = sup.get(url).json
    assert state["may"] == {"organise": False, "check": True, "sign_chief_judge": False, "sign_supervisor": True}
    sampled = [e["entry"] for e in state["entries"] if e["required"]]
    noteless = sup.post(url + "/checks?lang=en", json={"entry": sampled[0], "outcome": "error"})
    assert noteless.status_code == 422 and noteless.json["fields"] == {"note": ["Describe the error in a note."]}
    for entry in sampled:
        assert sup.post(url + "/checks", json={"entry": entry, "outcome": "confirmed"}).status_code == 201
    assert org.post(url, json={"action": "open_notice"}).status_code == 200
    running = org.post(url + "?lang=en", json={"action": "finalise"})
    assert running.status_code == 409 and running.json["error"] == "lifecycle.notice_running"
    assert running.json["message"].startswith("The public notice has not ended yet")
    signed = sup.post(url, json={"action": "sign", "role": "supervisor"})
    assert signed.status_code == 200
    assert sup.post(url, json={"action": "sign", "role": "chief_judge"}).status_code == 403


def test_the_publish_page_shows_the_lifecycle_and_each_roles_buttons(client, session, runtime):
    s = decrypted_board(session, runtime, teams=6)
    page = f"/boards/{s.board_id}/publish?lang=en"
    org = sign_in_api(client.application.test_client(), session, ["admin"])
    html = org.get(page).get_data(as_text=True)
    assert "Not yet reviewed" in html and 'data-results="start_review"' in html
    assert 'data-role="chief_judge"' not in html
    notice_open(session, runtime, s)
    chief = sign_in_api(client.application.test_client(), session, ["chief_judge"], competition_id=s.competition_id)
    response = chief.get(page)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-results="sign" data-role="chief_judge"' in html and 'data-results="start_review"' not in html
    assert 'id="res-countdown"' in html and "Public notice" in html and 'data-action="freeze"' not in html
    zh = org.get(f"/boards/{s.board_id}/publish?lang=zh_CN").get_data(as_text=True)
    assert "公示" in zh and "复核" in zh
