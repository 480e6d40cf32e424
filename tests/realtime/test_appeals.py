"""Appeals (申诉) and arbitration (仲裁), domain.md "Appeals": filed by the team leader with grounds
during the public notice; filed → accepted | rejected → hearing → decided → (escalated → final),
each move an arbitrator's, with a reason, audited; an open accepted appeal holds the board at
public notice; a correction set is previewed (nothing stored) and applied as new mark revisions
(one event; the board recomputed equals a from-scratch recompute). Pure rules table-driven;
the service against the real database and Redis; over HTTP in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from compete.accounts.models import Judge
from compete.errors import (
    DomainError,
    Forbidden,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from compete.events import EventRecord
from compete.registration.models import Zone
from compete.security import SYSTEM
from scoring import appeals, boards, lifecycle, live
from scoring.appeals import Change
from scoring.domain.appeals import (
    ACTIONS,
    CORRECTABLE,
    HOLDING,
    AppealState,
    actions_from,
    check_changes,
    check_correctable,
    check_window,
    next_state,
)
from scoring.jobs import coalescer
from scoring.models import Appeal, AppealStep, Board, Mark, ResultLifecycle
from tests.accounts.helpers import sign_in as sign_in_api
from tests.factories import (
    arbitrator,
    chief_judge,
    scenario,
    supervisor,
)
from tests.realtime.support import actor, decrypted_board, latest, work

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
DURING = T0 + timedelta(minutes=10)
ENDS = T0 + timedelta(minutes=120)
A = AppealState


# -- the pure rules -------------------------------------------------------------------------------

LEGAL = {("filed", "accept"): "accepted", ("filed", "reject"): "rejected", ("accepted", "hear"): "hearing",
         ("hearing", "decide"): "decided", ("decided", "escalate"): "escalated",
         ("escalated", "conclude"): "final"}


@pytest.mark.parametrize(("state", "action"), [(s.value, a) for s in AppealState for a in ACTIONS])
def test_every_transition_is_legal_or_refused(state, action):
    expected = LEGAL.get((state, action))
    if expected is not None:
        assert next_state(state, action, "grounds checked") == expected
        assert action in actions_from(state)
        return
    with pytest.raises(InvalidState) as info:
        next_state(state, action, "grounds checked")
    assert (info.value.code, info.value.field) == ("appeal.invalid_transition", "action")
    assert info.value.params == {"state": state, "action": action}
    assert action not in actions_from(state)


def test_moves_need_a_reason_and_a_known_action_and_no_escalation_after_final():
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as info:
            next_state("filed", "accept", reason)
        assert (info.value.code, info.value.field) == ("appeal.reason_required", "reason")
    with pytest.raises(ValidationFailed) as info:
        next_state("filed", "overturn", "why")
    assert info.value.code == "appeal.unknown_action"
    with pytest.raises(InvalidState) as info:
        next_state("decided", "escalate", "to the zone committee", results_final=True)
    assert info.value.code == "appeal.results_final"
    assert HOLDING == {A.ACCEPTED, A.HEARING, A.ESCALATED} and CORRECTABLE == {A.HEARING, A.ESCALATED}
    assert actions_from("rejected") == actions_from("final") == ()


@pytest.mark.parametrize(("now", "code"), [
    (T0 - timedelta(seconds=1), "appeal.window_not_open"),
    (T0, None), (ENDS - timedelta(seconds=1), None),
    (ENDS, "appeal.window_closed"), (ENDS + timedelta(days=1), "appeal.window_closed"),
])
def test_the_filing_window_is_the_public_notice(now, code):
    if code is None:
        check_window(T0, ENDS, now)
        return
    with pytest.raises(InvalidState) as info:
        check_window(T0, ENDS, now)
    assert (info.value.code, info.value.field) == (code, "filed_at")


def test_no_notice_no_window_and_correction_set_shapes():
    with pytest.raises(InvalidState) as info:
        check_window(None, None, T0)
    assert info.value.code == "appeal.window_not_open"
    for state in ("filed", "accepted", "decided", "rejected", "final"):
        with pytest.raises(InvalidState) as info:
            check_correctable(state)
        assert (info.value.code, info.value.field) == ("appeal.not_correctable", "appeal")
    check_correctable("hearing")
    for changes, code, field in [
        ([], "appeal.no_changes", "changes"),
        ([(1, 2, "x"), (1, 2, "y")], "appeal.duplicate_change", "changes.1.aspect"),
        ([(1, 2, "x"), (1, 3, " ")], "appeal.change_reason_required", "changes.1.reason"),
    ]:
        with pytest.raises(ValidationFailed) as info:
            check_changes(changes)
        assert (info.value.code, info.value.field) == (code, field)


# -- the service --------------------------------------------------------------------------------

def noticed_board(session, runtime, teams: int = 6):  # type: ignore[no-untyped-def]
    """A decrypted board (team i scores i on P3), reviewed, its public notice opened at T0."""
    s = decrypted_board(session, runtime, teams)
    lifecycle.start_review(session, SYSTEM, s.board_id, seed="appeals", now=T0 - timedelta(hours=1))
    sup = supervisor(session, s.competition_id)
    row = session.get(ResultLifecycle, s.board_id)
    for entry in [*row.sample_top, *row.sample_random]:
        lifecycle.record_check(session, sup, s.board_id, entry, "confirmed", now=T0)
    lifecycle.open_notice(session, SYSTEM, s.board_id, now=T0)
    session.commit()
    return s


def appeal_events(session) -> list[EventRecord]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(EventRecord).where(EventRecord.type.like("appeal.%"))
                                .order_by(EventRecord.id)))


def counts(session) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return (session.scalar(select(func.count(Appeal.id))), session.scalar(select(func.count(AppealStep.id))),
            session.scalar(select(func.count(Mark.id))), session.scalar(select(func.count(EventRecord.id))))


def refused(session, call) -> DomainError:  # type: ignore[no-untyped-def]
    before = counts(session)
    with pytest.raises(DomainError) as info:
        call()
    session.rollback()
    assert counts(session) == before  # nothing stored, nothing logged
    return info.value


def filed(session, s, team: int = 1) -> int:  # type: ignore[no-untyped-def]
    step = appeals.file(session, SYSTEM, s.board_id, s.team_ids[team], "李队长", "P3 被少记 19 分", now=DURING)
    session.commit()
    return step.appeal_id


def test_filing_outside_the_window_is_refused_and_inside_it_is_audited(session, runtime):
    s = scenario(session, judges=1, teams=3)
    admin = actor(session, ["admin"])
    error = refused(session, lambda: appeals.file(session, admin, s.board_id, s.team_ids[0], "李", "理由", now=T0))
    assert (error.code, error.field) == ("appeal.window_not_open", "filed_at")  # no public notice yet
    s = noticed_board(session, runtime)
    for when, code in ((T0 - timedelta(minutes=1), "appeal.window_not_open"), (ENDS, "appeal.window_closed")):
        error = refused(session, lambda when=when: appeals.file(session, admin, s.board_id, s.team_ids[1], "李",
                                                                 "理由", now=when))
        assert (error.code, error.field) == (code, "filed_at") and isinstance(error, InvalidState)
    for leader, grounds, field in (("  ", "理由", "leader"), ("李", "", "grounds")):
        error = refused(session, lambda leader=leader, grounds=grounds: appeals.file(
            session, admin, s.board_id, s.team_ids[1], leader, grounds, now=DURING))
        assert error.field == field
    other = scenario(session, judges=1, teams=1)
    error = refused(session, lambda: appeals.file(session, admin, s.board_id, other.team_ids[0], "李", "理由",
                                                  now=DURING))
    assert (error.code, error.field) == ("appeal.team_not_on_board", "team")
    arb = arbitrator(session)
    assert isinstance(refused(session, lambda: appeals.file(session, arb, s.board_id, s.team_ids[1], "李", "理由",
                                                            now=DURING)), Forbidden)
    step = appeals.file(session, admin, s.board_id, s.team_ids[1], " 李队长 ", "P3 被少记", now=DURING)
    session.commit()
    appeal = session.get(Appeal, step.appeal_id)
    assert (appeal.state, appeal.leader, appeal.filed_by) == ("filed", "李队长", admin.label)
    event, = appeal_events(session)
    assert event.type == "appeal.filed" and event.actor == admin.label and event.payload == {
        "board": s.board_id, "appeal": appeal.id, "team": s.team_ids[1], "leader": "李队长", "grounds": "P3 被少记"}


def test_only_arbitrators_in_scope_move_appeals_and_every_move_is_audited(session, runtime):
    s = noticed_board(session, runtime)
    appeal_id = filed(session, s)
    for who in (actor(session, ["admin"]), supervisor(session, s.competition_id),
                chief_judge(session, s.competition_id)):
        error = refused(session, lambda who=who: appeals.move(session, who, appeal_id, "accept", "有理"))
        assert isinstance(error, Forbidden) and error.code == "user.role_required"
    zone = Zone(competition_id=s.competition_id, code="GD", name="广东赛区")
    session.add(zone)
    session.commit()
    elsewhere = arbitrator(session, s.competition_id, zone.id)
    assert isinstance(refused(session, lambda: appeals.move(session, elsewhere, appeal_id, "accept", "有理")), NotFound)
    arb = arbitrator(session, s.competition_id)
    assert refused(session, lambda: appeals.move(session, arb, appeal_id, "accept", " ")).field == "reason"
    assert refused(session, lambda: appeals.move(session, arb, appeal_id, "hear", "开庭")).code == (
        "appeal.invalid_transition")
    assert refused(session, lambda: appeals.move(session, arb, 999999, "accept", "x")).code == "appeal.not_found"
    for action, state in (("accept", "accepted"), ("hear", "hearing"), ("decide", "decided")):
        step = appeals.move(session, arb, appeal_id, action, f"理由：{action}", now=DURING)
        session.commit()
        assert step.state == state == session.get(Appeal, appeal_id).state
    moved = appeal_events(session)[1:]
    assert [e.type for e in moved] == ["appeal.accepted", "appeal.hearing", "appeal.decided"]
    assert all(e.actor == arb.label for e in moved)
    assert moved[0].payload == {"board": s.board_id, "appeal": appeal_id, "team": s.team_ids[1], "action": "accept",
                                "from": "filed", "to": "accepted", "reason": "理由：accept"}
    history = appeals.view(session, arb, s.board_id)["appeals"][0]["history"]
    assert [(h["action"], h["from"], h["to"]) for h in history] == [
        ("file", None, "filed"), ("accept", "filed", "accepted"), ("hear", "accepted", "hearing"),
        ("decide", "hearing", "decided")]
    assert [h["event"] for h in history] == [e.id for e in appeal_events(session)]


def sign_both(session, s) -> None:  # type: ignore[no-untyped-def]
    lifecycle.sign(session, chief_judge(session, s.competition_id), s.board_id, "chief_judge")
    lifecycle.sign(session, supervisor(session, s.competition_id), s.board_id, "supervisor")
    session.commit()


def test_an_accepted_appeal_holds_the_board_and_a_decision_releases_it(session, runtime):
    s = noticed_board(session, runtime)
    sign_both(session, s)
    later = ENDS + timedelta(minutes=1)
    arb, admin = arbitrator(session, s.competition_id), actor(session, ["admin"])
    appeal_id = filed(session, s)
    assert lifecycle.holding_appeals(session, s.board_id) == 0  # filed, not yet accepted
    other = filed(session, s, team=2)
    appeals.move(session, arb, other, "reject", "理由不成立")
    session.commit()
    for action in ("accept", "hear"):
        appeals.move(session, arb, appeal_id, action, "理由")
        session.commit()
        assert lifecycle.holding_appeals(session, s.board_id) == 1
        assert lifecycle.view(session, admin, s.board_id)["holding_appeals"] == 1
        before = session.scalar(select(func.count(EventRecord.id)))
        with pytest.raises(InvalidState) as info:
            lifecycle.finalise(session, admin, s.board_id, now=later)
        session.rollback()
        assert (info.value.code, info.value.field) == ("lifecycle.appeal_pending", "appeals")
        assert session.scalar(select(func.count(EventRecord.id))) == before
    appeals.move(session, arb, appeal_id, "decide", "维持原成绩")
    session.commit()
    assert lifecycle.holding_appeals(session, s.board_id) == 0
    appeals.move(session, arb, appeal_id, "escalate", "提交赛区仲裁委员会")
    session.commit()
    assert lifecycle.holding_appeals(session, s.board_id) == 1  # escalated: held again
    appeals.move(session, arb, appeal_id, "conclude", "仲裁委员会维持")
    session.commit()
    assert lifecycle.holding_appeals(session, s.board_id) == 0
    assert lifecycle.finalise(session, admin, s.board_id, now=later).state == "final"
    session.commit()


def hearing(session, runtime):  # type: ignore[no-untyped-def]
    s = noticed_board(session, runtime)
    arb = arbitrator(session, s.competition_id)
    appeal_id = filed(session, s)
    for action in ("accept", "hear"):
        appeals.move(session, arb, appeal_id, action, "理由")
    session.commit()
    return s, arb, appeal_id


def test_arbitrators_pick_corrections_by_judge_and_aspect_not_by_id(session, runtime):
    s, arb, appeal_id = hearing(session, runtime)
    shown = appeals.view(session, arb, s.board_id)
    [appeal] = [a for a in shown["appeals"] if a["id"] == appeal_id]
    judges = {j.id: j.name for j in session.scalars(select(Judge).where(Judge.id.in_(s.judge_ids)))}
    assert appeal["sheets"] == [{"id": s.sheet(j, 1), "judge": judges[s.judge_ids[j]]}
                                for j in range(len(s.judge_ids))]  # the appellant team's sheets
    assert {a["id"] for a in shown["aspects"]} == set(s.aspects.values())
    admin = actor(session, ["admin"])  # organisers file but do not correct: no choices for them
    assert appeals.view(session, admin, s.board_id)["aspects"] == []


def test_a_preview_stores_nothing_and_shows_the_rank_change(session, runtime):
    s, arb, appeal_id = hearing(session, runtime)
    change = [Change(s.sheet(0, 1), s.aspects["P3"], Decimal("19.5"), "评分表记为 19.5")]
    before = counts(session)
    shown = appeals.preview(session, arb, appeal_id, change)
    session.rollback()
    assert counts(session) == before
    by_entry = {e["entry"]: e for e in shown["entries"]}
    mine = by_entry[s.team_ids[1]]
    assert (mine["rank_before"], mine["rank_after"]) == (5, 1) and mine["appellant"] and mine["changed"]
    assert (mine["total_before"], mine["total_after"]) != (None, None) and mine["total_after"] != mine["total_before"]
    leader = by_entry[s.team_ids[5]]
    assert (leader["rank_before"], leader["rank_after"], leader["total_before"] == leader["total_after"]) == (
        1, 2, True)
    assert not by_entry[s.team_ids[0]]["changed"]
    assert shown["entries"][0]["entry"] == s.team_ids[1]  # in the new order
    assert shown["changes"] == [{"sheet": s.sheet(0, 1), "aspect": s.aspects["P3"], "team": s.team_ids[1],
                                 "judge": s.judge_ids[0], "old": "1", "new": "19.5", "reason": "评分表记为 19.5",
                                 "revision": 2}]
    filed_only = filed(session, s, team=2)
    assert refused(session, lambda: appeals.preview(session, arb, filed_only, change)).code == (
        "appeal.not_correctable")
    admin = actor(session, ["admin"])
    assert isinstance(refused(session, lambda: appeals.preview(session, admin, appeal_id, change)), Forbidden)


def test_apply_writes_revisions_in_one_event_and_the_board_equals_a_recompute_from_scratch(session, runtime):
    s, arb, appeal_id = hearing(session, runtime)
    sign_both(session, s)
    admin = actor(session, ["admin"])
    assert all(sig["current"] for sig in lifecycle.view(session, admin, s.board_id)["signatures"].values())
    sheet, p3 = s.sheet(0, 1), s.aspects["P3"]
    old = session.scalar(select(Mark).where(Mark.sheet_id == sheet, Mark.aspect_id == p3))
    changes = [Change(sheet, p3, Decimal("19.5"), "评分表记为 19.5"),
               Change(s.sheet(0, 2), s.aspects["T1"], Decimal(3), "理论漏录")]
    expected = appeals.preview(session, arb, appeal_id, changes)
    session.rollback()
    events_before = session.scalar(select(func.max(EventRecord.id)))
    step = appeals.apply(session, arb, appeal_id, changes)
    session.commit()
    appeals.dispatch(coalescer(runtime), step)
    revisions = list(session.scalars(select(Mark).where(Mark.sheet_id == sheet, Mark.aspect_id == p3)
                                     .order_by(Mark.revision)))
    assert [(m.revision, m.value) for m in revisions] == [(1, Decimal(1)), (2, Decimal("19.5"))]
    assert revisions[0].id == old.id and revisions[1].actor == arb.label
    assert revisions[1].reason == f"appeal {appeal_id}: 评分表记为 19.5"
    first_t1, = session.scalars(select(Mark).where(Mark.sheet_id == s.sheet(0, 2), Mark.aspect_id == s.aspects["T1"]))
    assert first_t1.revision == 1  # no earlier mark of that aspect: the first revision
    new_events = list(session.scalars(select(EventRecord).where(EventRecord.id > events_before)
                                      .order_by(EventRecord.id)))
    assert [e.type for e in new_events] == ["appeal.corrected", "board.changed"]
    corrected = new_events[0]
    assert corrected.id == step.event_id and corrected.actor == arb.label
    assert [c["revision"] for c in corrected.payload["changes"]] == [2, 1]
    assert new_events[1].payload == {"board": s.board_id, "cause": "appeal.corrected", "appeal": appeal_id}
    work(runtime)
    board = session.get(Board, s.board_id)
    live.cache().forget()
    scratch = boards.compute(session, board)[0]
    shown = latest(session, s.board_id, "officials")["rows"]
    assert [(r["code"], r["rank"], Decimal(r["total"])) for r in shown] == [
        (r.code, r.rank, r.total) for r in scratch.rows]
    assert [(e["entry"], e["rank_after"], e["total_after"]) for e in expected["entries"]] == [
        (r.entry_id, r.rank, f"{r.total.normalize():f}") for r in scratch.rows]
    assert scratch.rows[0].entry_id == s.team_ids[1]
    view = lifecycle.view(session, admin, s.board_id)
    assert not any(sig["current"] for sig in view["signatures"].values())  # the data changed under them
    step_row = session.scalars(select(AppealStep).where(AppealStep.action == "correct")).one()
    assert step_row.event_id == step.event_id and len(step_row.changes) == 2


def test_one_bad_value_refuses_the_whole_set(session, runtime):
    s, arb, appeal_id = hearing(session, runtime)
    good = Change(s.sheet(0, 1), s.aspects["P3"], Decimal(19), "漏记")
    for bad, code, field in [
        (Change(s.sheet(0, 2), s.aspects["P3"], Decimal(25), "超出满分"), "mark.out_of_range", "changes.1.value"),
        (Change(s.sheet(0, 2), s.aspects["P1"], Decimal("1.5"), "非整档"), "mark.not_a_judgement_step",
         "changes.1.value"),
        (Change(999999, s.aspects["P3"], Decimal(1), "x"), "appeal.sheet_not_on_board", "changes.1.sheet"),
        (Change(s.sheet(0, 1), s.aspects["P3"], Decimal(2), "重复"), "appeal.duplicate_change", "changes.1.aspect"),
    ]:
        for call in (appeals.apply, appeals.preview):
            error = refused(session, lambda call=call, bad=bad: call(session, arb, appeal_id, [good, bad]))
            assert (error.code, error.field) == (code, field)
    assert refused(session, lambda: appeals.apply(session, arb, appeal_id, [])).code == "appeal.no_changes"


# -- over HTTP: the API, the error shape, the page ------------------------------------------------

def test_the_appeals_api_and_page_in_both_languages(client, session, runtime):
    s = noticed_board(session, runtime)
    url = f"/api/boards/{s.board_id}/appeals"
    org = sign_in_api(client.application.test_client(), session, ["admin"])
    arb = sign_in_api(client.application.test_client(), session, ["arbitrator"], competition_id=s.competition_id)
    judge = sign_in_api(client.application.test_client(), session, ["judge"])
    assert judge.get(url).status_code == 403
    row = session.get(ResultLifecycle, s.board_id)
    row.notice_at, row.notice_ends_at = datetime.now(UTC) - timedelta(hours=3), datetime.now(UTC) - timedelta(hours=1)
    session.commit()
    closed = org.post(url + "?lang=zh_CN", json={"team": s.team_ids[1], "leader": "李", "grounds": "理由"})
    assert closed.status_code == 409 and closed.json["error"] == "appeal.window_closed"
    assert list(closed.json["fields"]) == ["filed_at"] and "公示" in closed.json["fields"]["filed_at"][0]
    assert org.post(url, json={"team": s.team_ids[1], "leader": "李"}).status_code == 422
    row.notice_ends_at = datetime.now(UTC) + timedelta(hours=1)
    session.commit()
    assert arb.post(url, json={"team": s.team_ids[1], "leader": "李", "grounds": "理由"}).status_code == 403
    made = org.post(url, json={"team": s.team_ids[1], "leader": "李队长", "grounds": "P3 被少记"})
    assert made.status_code == 201 and made.json["state"] == "filed"
    appeal = made.json["appeal"]
    assert org.post(f"/api/appeals/{appeal}/accept", json={"reason": "x"}).status_code == 403
    unknown = arb.post(f"/api/appeals/{appeal}/overturn", json={"reason": "x"})
    assert unknown.status_code == 422 and unknown.json["error"] == "appeal.unknown_action"
    wrong = arb.post(f"/api/appeals/{appeal}/hear?lang=en", json={"reason": "x"})
    assert wrong.status_code == 409 and wrong.json["fields"] == {
        "action": ["This step is not possible in the appeal's current state."]}
    for action in ("accept", "hear"):
        assert arb.post(f"/api/appeals/{appeal}/{action}", json={"reason": "有理"}).status_code == 200
    body = {"changes": [{"sheet": s.sheet(0, 1), "aspect": s.aspects["P3"], "value": "19.5", "reason": "漏记"}]}
    marks_before = session.scalar(select(func.count(Mark.id)))
    preview = arb.post(f"/api/appeals/{appeal}/corrections/preview", json=body)
    assert preview.status_code == 200 and preview.json["entries"][0]["rank_after"] == 1
    bad = arb.post(f"/api/appeals/{appeal}/corrections/apply?lang=zh_CN",
                   json={"changes": [{**body["changes"][0], "value": "25"}]})
    assert bad.status_code == 422 and bad.json["error"] == "mark.out_of_range"
    assert list(bad.json["fields"]) == ["changes.0.value"]
    assert session.scalar(select(func.count(Mark.id))) == marks_before
    applied = arb.post(f"/api/appeals/{appeal}/corrections/apply", json=body)
    assert applied.status_code == 201 and session.scalar(select(func.count(Mark.id))) == marks_before + 1
    state = arb.get(url).json
    assert state["holding"] == 1 and state["appeals"][0]["actions"] == ["decide"]
    assert [h["action"] for h in state["appeals"][0]["history"]] == ["file", "accept", "hear", "correct"]
    page = arb.get(f"/boards/{s.board_id}/appeals?lang=zh_CN")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "申诉" in html and 'data-move="decide"' in html and 'id="ap-preview"' in html
    org_page = org.get(f"/boards/{s.board_id}/appeals?lang=en").get_data(as_text=True)
    assert 'id="ap-file"' in org_page and 'data-move=' not in org_page
    assert f'/boards/{s.board_id}/appeals' in org.get(f"/boards/{s.board_id}/publish").get_data(as_text=True)
