"""Marking schemes over the API: a whole tree stored at once, bad input named by its path, audited."""

from __future__ import annotations

import copy
import io
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from compete.events import EventRecord
from compete.security import Actor
from scoring import marking, repository, schemes
from scoring.domain.scheme import AspectKind
from scoring.marking import SubmitMark
from scoring.models import Aspect, Criterion, PanelAspect
from tests.accounts.helpers import sign_in
from tests.factories import scenario
from tests.scoring.wiring.factories import bare_event, tree


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def events_of(session, kind: str) -> list[EventRecord]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(EventRecord).where(EventRecord.type == kind).order_by(EventRecord.id)))


def test_a_whole_tree_is_stored_read_back_and_audited(client, session):
    bare = bare_event(session)
    api = sign_in(client, session, ["admin"])
    response = api.put(f"/api/events/{bare.event_id}/scheme", json=tree())
    assert response.status_code == 200, response.json
    body = api.get(f"/api/events/{bare.event_id}/scheme").json
    assert body == response.json
    assert [c["code"] for c in body["criteria"]] == ["theory", "practical"]
    assert body["criteria"][0]["weight"] == "0.3"
    assert body["criteria"][1]["sub_criteria"][0]["aspects"][1]["tolerance"] == [{"within": "10", "mark": "3"}]
    assert body["criteria"][0]["aspects"][1]["step"] == "0.5"

    scheme = repository.load_scheme(session, bare.event_id)  # what the engine will see
    assert [(a.code, a.module_code, a.sub_criterion, a.kind) for a in scheme.aspects] == [
        ("T1", "theory", "", AspectKind.POINTS), ("T2", "theory", "", AspectKind.POINTS),
        ("P4", "practical", "", AspectKind.DEDUCTION), ("P1", "practical", "救援", AspectKind.JUDGEMENT),
        ("P2", "practical", "救援", AspectKind.MEASUREMENT)]
    assert scheme.aspects[1].step == Decimal("0.5") and scheme.aspects[4].tolerance[0].mark == 3
    [record] = events_of(session, "scheme.replaced")
    assert record.payload["after"]["criteria"][1]["code"] == "practical" and record.payload["before"]["criteria"] == []


# one row per rule of validate_scheme and of the tree: (change to the tree, code, field)
def _set(path: list[Any], value: Any):  # type: ignore[no-untyped-def]
    def change(body: dict[str, Any]) -> dict[str, Any]:
        node = body
        for key in path[:-1]:
            node = node[key]
        if value is DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        return body
    return change


DELETE = object()
BAD = [
    (_set(["criteria"], []), "scheme.no_modules", "criteria"),
    (_set(["criteria", 1, "weight"], "0.6"), "scheme.total_mismatch", "criteria"),
    (_set(["criteria", 1, "weight"], "0"), "scheme.bad_weight", "criteria[1].weight"),
    (_set(["criteria", 0, "scale_to"], "-5"), "scheme.bad_scale", "criteria[0].scale_to"),
    (_set(["criteria", 1, "code"], "theory"), "scheme.duplicate_criterion", "criteria[1].code"),
    (_set(["criteria", 1, "sub_criteria", 0, "code"], "theory"), "scheme.duplicate_criterion",
     "criteria[1].sub_criteria[0].code"),
    (_set(["criteria", 1, "sub_criteria", 0, "aspects", 0, "code"], "T1"), "scheme.duplicate_aspect_code",
     "criteria[1].sub_criteria[0].aspects[0].code"),
    (_set(["criteria", 0, "aspects", 0, "max"], "0"), "scheme.bad_max_mark", "criteria[0].aspects[0].max"),
    (_set(["criteria", 1, "sub_criteria", 0, "aspects", 0, "step"], "1"), "scheme.bad_step",
     "criteria[1].sub_criteria[0].aspects[0].step"),
    (_set(["criteria", 1, "sub_criteria", 0, "aspects", 1, "tolerance"], [{"within": "1", "mark": "9"}]),
     "scheme.bad_tolerance", "criteria[1].sub_criteria[0].aspects[1].tolerance[0]"),
    (_set(["criteria", 0, "aspects", 0, "tolerance"], [{"within": "1", "mark": "1"}]),
     "scheme.bad_tolerance", "criteria[0].aspects[0].tolerance"),
    (_set(["criteria", 1, "sub_criteria", 0, "aspects"], []), "scheme.empty_sub_criterion",
     "criteria[1].sub_criteria[0].aspects"),
    (lambda b: {**b, "criteria": [b["criteria"][0] | {"weight": "0.3"},
                                  {"code": "extra", "name": "扣分", "weight": "0.7",
                                   "aspects": [{"code": "X", "name": "x", "kind": "deduction", "max": "3"}]}]},
     "scheme.empty_module", "criteria[1]"),
]


@pytest.mark.parametrize(("change", "code", "field"), BAD, ids=[row[1] + ":" + row[2] for row in BAD])
def test_a_bad_tree_names_the_field_and_stores_nothing(client, session, change, code, field):
    bare = bare_event(session)
    api = sign_in(client, session, ["admin"])
    before = count(session, EventRecord)
    response = api.put(f"/api/events/{bare.event_id}/scheme", json=change(tree()),
                       headers={"Accept-Language": "en"})
    assert response.status_code == 422, response.json
    assert response.json["error"] == code and field in response.json["fields"]
    assert response.json["message"] and "(" + code + ")" not in response.json["message"]  # a real sentence
    assert count(session, Criterion) == 0 and count(session, Aspect) == 0
    assert count(session, EventRecord) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"criteria": []}, "name"),
    (tree(criteria=[{"code": "a b", "name": "x", "weight": "1"}]), "criteria.0.code"),
    (tree(criteria=[{"code": "a", "name": "x", "weight": "lots"}]), "criteria.0.weight"),
    (tree(criteria=[{"code": "a", "name": "x", "weight": "1",
                     "aspects": [{"code": "A", "name": "a", "kind": "vibes", "max": "3"}]}]),
     "criteria.0.aspects.0.kind"),
    (tree(criteria=[{"code": "a", "name": "x", "weight": "1",
                     "aspects": [{"code": "A", "name": "a", "kind": "points", "max": "2.00001"}]}]),
     "criteria.0.aspects.0.max"),
])
def test_a_badly_shaped_tree_is_refused_by_the_schema(client, session, body, field):
    bare = bare_event(session)
    api = sign_in(client, session, ["admin"])
    response = api.put(f"/api/events/{bare.event_id}/scheme", json=body)
    assert response.status_code == 422 and response.json["error"] == "request.invalid"
    assert field in response.json["fields"]
    assert count(session, Criterion) == 0


def test_only_organisers_edit_schemes(client, session):
    bare = bare_event(session)
    assert client.put(f"/api/events/{bare.event_id}/scheme", json=tree()).status_code == 401
    api = sign_in(client, session, ["chief_judge"])
    assert api.put(f"/api/events/{bare.event_id}/scheme", json=tree()).status_code == 403
    assert api.get(f"/api/events/{bare.event_id}/scheme").status_code == 403
    api = sign_in(client, session, ["admin"])
    assert api.put(f"/api/events/{bare.event_id}/scheme", json=tree(),
                   headers={"X-CSRFToken": "forged"}).status_code == 403
    assert api.put("/api/events/99999/scheme", json=tree()).status_code == 404


def test_an_edit_keeps_aspect_ids_and_marks_and_guards_marked_aspects(client, session):
    s = scenario(session)  # scheme T1 T2 (theory) P1..P4 (practical), a panel over all six
    event_id = session.get(Aspect, s.aspects["T1"]).scheme.event_id
    receipt = marking.submit_mark(session, Actor("judge", s.judge_ids[0]),
                                  SubmitMark(str(uuid.uuid4()), s.sheet(0, 0), s.aspects["T1"], Decimal(7)))
    session.commit()
    api = sign_in(client, session, ["admin"])
    current = api.get(f"/api/events/{event_id}/scheme").json
    assert current["criteria"][0]["aspects"][0]["marked"] is True

    edited = copy.deepcopy(current)
    edited["criteria"][0]["weight"], edited["criteria"][1]["weight"] = "0.4", "0.6"
    edited["criteria"][0]["aspects"].append({"code": "T3", "name": "新增", "kind": "points", "max": "5"})
    response = api.put(f"/api/events/{event_id}/scheme", json=edited)
    assert response.status_code == 200, response.json
    assert response.json["criteria"][0]["aspects"][0]["id"] == s.aspects["T1"]  # same row, marks kept
    new_id = response.json["criteria"][0]["aspects"][2]["id"]
    assert session.get(PanelAspect, (s.panel_id, new_id)) is not None  # the full panel covers it too
    assert len(repository.current_marks(session, receipt.board_id)) == 1

    for change, code in [
        (lambda t: t["criteria"][0]["aspects"].pop(0), "scheme.aspect_has_marks"),
        (lambda t: t["criteria"][0]["aspects"][0].update(kind="deduction"), "scheme.kind_locked"),
        (lambda t: t["criteria"][0]["aspects"][0].update(max="6"), "scheme.max_below_marks"),
    ]:
        attempt = copy.deepcopy(response.json)
        change(attempt)
        refused = api.put(f"/api/events/{event_id}/scheme", json=attempt)
        assert refused.status_code == 422 and refused.json["error"] == code, refused.json
    assert api.get(f"/api/events/{event_id}/scheme").json == response.json


def test_a_change_asks_for_every_board_of_the_event(client, session):
    s = scenario(session)
    event_id = session.get(Aspect, s.aspects["T1"]).scheme.event_id
    api = sign_in(client, session, ["admin"])
    current = api.get(f"/api/events/{event_id}/scheme").json
    current["criteria"][0]["name"] = "理论知识"
    assert api.put(f"/api/events/{event_id}/scheme", json=current).status_code == 200
    [changed] = events_of(session, "board.changed")
    assert changed.payload == {"board": s.board_id, "cause": "scheme"}


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_round_trip_in_both_languages(client, session):
    bare = bare_event(session)
    api = sign_in(client, session, ["admin"])
    stored = api.put(f"/api/events/{bare.event_id}/scheme", json=tree()).json
    for lang in ("zh_CN", "en"):
        exported = api.get(f"/api/events/{bare.event_id}/scheme.xlsx?lang={lang}")
        assert exported.status_code == 200 and exported.mimetype.endswith("spreadsheetml.sheet")
        header = [c.value for c in next(load_workbook(io.BytesIO(exported.data)).active.iter_rows())]
        assert header[0] == ("模块代码" if lang == "zh_CN" else "Criterion code")
        response = api.post(f"/api/events/{bare.event_id}/scheme.xlsx",
                            data={"file": (io.BytesIO(exported.data), "scheme.xlsx")},
                            content_type="multipart/form-data")
        assert response.status_code == 200, response.json
        assert json.dumps(response.json["criteria"], sort_keys=True) == json.dumps(stored["criteria"], sort_keys=True)


def test_an_xlsx_error_names_the_row(client, session):
    bare = bare_event(session)
    api = sign_in(client, session, ["admin"])
    header = ["模块代码", "模块名称", "权重", "评分项代码", "评分项名称", "类型", "满分"]
    cases = [
        ([["T", "理论", "30%", "T1", "a", "评分", "10"], ["P", "实操", "70%", "P1", "b", "评分", "abc"]],
         "scheme.bad_cell", "rows[3].max"),
        ([["T", "理论", "30%", "T1", "a", "评分", "10"], ["P", "实操", "60%", "P1", "b", "评分", "5"]],
         "scheme.total_mismatch", "criteria"),
        ([["T", "理论", "30%", "T1", "a", "评分", "10"], ["P", "实操", "70%", "P1", "b", "扣分", "5"]],
         "scheme.empty_module", "rows[3]"),
        ([["T", "理论", "30%", "T1", "a", "评分", "0"], ["P", "实操", "70%", "P1", "b", "评分", "5"]],
         "scheme.bad_max_mark", "rows[2].max"),
        ([["T", "理论", "30%", "T1", "a", "玄学", "3"]], "scheme.unknown_kind", "rows[2].kind"),
        ([["T", "理论", "30%", "T1", "a", "评分", "3"], ["T", "理论", "40%", "T2", "a", "评分", "3"]],
         "scheme.conflicting_rows", "rows[3].weight"),
    ]
    for rows, code, field in cases:
        response = api.post(f"/api/events/{bare.event_id}/scheme.xlsx",
                            data={"file": (io.BytesIO(xlsx([header] + rows)), "s.xlsx")},
                            content_type="multipart/form-data")
        assert response.status_code == 422 and response.json["error"] == code, (code, response.json)
        assert field in response.json["fields"], (field, response.json)
    missing = api.post(f"/api/events/{bare.event_id}/scheme.xlsx",
                       data={"file": (io.BytesIO(xlsx([["模块代码"], ["T"]])), "s.xlsx")},
                       content_type="multipart/form-data")
    assert missing.status_code == 422 and missing.json["error"] == "import.missing_column"
    assert count(session, Aspect) == 0
    good = api.post(f"/api/events/{bare.event_id}/scheme.xlsx",
                    data={"file": (io.BytesIO(xlsx([header, ["T", "理论", "30%", "T1", "a", "评分", "10"],
                                                    ["P", "实操", 0.7, "P1", "b", "评价", 6]])), "s.xlsx")},
                    content_type="multipart/form-data")
    assert good.status_code == 200, good.json
    assert [c["weight"] for c in good.json["criteria"]] == ["0.3", "0.7"]
    assert good.json["criteria"][1]["aspects"][0]["kind"] == "judgement"


def test_the_service_maps_every_domain_field_to_a_tree_path() -> None:
    draft = schemes.SchemeDraft("s", (schemes.CriterionDraft("a", "A", Decimal(1), aspects=(
        schemes.AspectDraft("x", "X", "points", Decimal(5), step=Decimal(-1)),)),))
    with pytest.raises(Exception) as caught:
        schemes.validate_draft(draft)
    assert getattr(caught.value, "field", None) == "criteria[0].aspects[0].step"


def test_a_scheme_that_would_break_the_stored_rules_is_refused(client, session):
    bare = bare_event(session)
    api = sign_in(client, session, ["admin"])
    assert api.put(f"/api/events/{bare.event_id}/scheme", json=tree()).status_code == 200
    rules = api.put(f"/api/events/{bare.event_id}/rules",
                    json={"aspect_rules": {"T2": {"trim": 0}}, "tie_chain": ["total", "module:practical"]})
    assert rules.status_code == 200, rules.json
    without_t2 = tree()
    without_t2["criteria"][0]["aspects"].pop(1)
    refused = api.put(f"/api/events/{bare.event_id}/scheme", json=without_t2)
    assert refused.status_code == 422 and refused.json["error"] == "scheme.breaks_rules"
    assert "aspect_rules.T2" in refused.json["message"]
    renamed = tree()
    renamed["criteria"][1]["code"] = "hands_on"
    assert api.put(f"/api/events/{bare.event_id}/scheme", json=renamed).json["error"] == "scheme.breaks_rules"
    assert [a["code"] for a in api.get(f"/api/events/{bare.event_id}/scheme").json["criteria"][0]["aspects"]] == \
        ["T1", "T2"]


def test_marks_are_checked_against_the_stored_step_and_tolerance_table(client, session):
    from compete.errors import ValidationFailed

    s = scenario(session)
    event_id = session.get(Aspect, s.aspects["T1"]).scheme.event_id
    api = sign_in(client, session, ["admin"])
    current = api.get(f"/api/events/{event_id}/scheme").json
    current["criteria"][0]["aspects"][0]["step"] = "0.5"  # T1
    current["criteria"][1]["aspects"][1]["tolerance"] = [{"within": "5", "mark": "3"}]  # P2, max 5
    assert api.put(f"/api/events/{event_id}/scheme", json=current).status_code == 200
    judge = Actor("judge", s.judge_ids[0])

    def submit(aspect: str, value: str) -> None:
        marking.submit_mark(session, judge, SubmitMark(str(uuid.uuid4()), s.sheet(0, 0), s.aspects[aspect],
                                                       Decimal(value)))

    with pytest.raises(ValidationFailed) as refused:
        submit("T1", "7.25")
    assert refused.value.code == "mark.not_a_step"
    session.rollback()
    submit("T1", "7.5")
    submit("P2", "3")  # a part mark from the tolerance table
    with pytest.raises(ValidationFailed) as refused:
        submit("P2", "4")
    assert refused.value.code == "mark.not_a_measurement_value"
