"""Judge consistency per panel: bias, spread and flags against the panel median, as data and a chart."""

from __future__ import annotations

import uuid
from decimal import Decimal

from compete.registration.models import Zone
from compete.security import Actor
from scoring import marking
from scoring.marking import SubmitMark
from scoring.models import Board
from tests.accounts.helpers import sign_in
from tests.factories import scenario


def mark(session, s, judge: int, team: int, aspect: str, value: str) -> None:  # type: ignore[no-untyped-def]
    marking.submit_mark(session, Actor("judge", s.judge_ids[judge]),
                        SubmitMark(str(uuid.uuid4()), s.sheet(judge, team), s.aspects[aspect], Decimal(value)))


def scored(session):  # type: ignore[no-untyped-def]
    """Judge 0 is generous by 2 points on T1 and T2 (max 10 → +0.2 normalised) on six teams."""
    s = scenario(session, judges=3, teams=6)
    for team in range(6):
        for aspect in ("T1", "T2"):
            base = 4 + team % 3
            for judge, value in enumerate((base + 2, base, base)):
                mark(session, s, judge, team, aspect, str(value))
    mark(session, s, 0, 0, "P1", "0")  # a judgement panel 0 / 3 / 3: breaks the spread rule
    mark(session, s, 1, 0, "P1", "3")
    mark(session, s, 2, 0, "P1", "3")
    session.commit()
    return s


def test_the_generous_judge_is_flagged_against_the_panel_median(client, session):
    s = scored(session)
    api = sign_in(client, session, ["chief_judge"])
    response = api.get(f"/api/panels/{s.panel_id}/consistency")
    assert response.status_code == 200, response.json
    judges = {j["id"]: j for j in response.json["judges"]}
    generous, fair = judges[s.judge_ids[0]], judges[s.judge_ids[1]]
    # 12 points marks at +0.2 and one judgement mark at −1 (0 against a median of 3, range 3)
    assert generous["marks"] == 13 and generous["bias"] == "0.108"  # (12 × 0.2 − 1) / 13
    assert "bias_high" in generous["flags"] and "outliers" in generous["flags"]
    assert fair["bias"] == "0.000" and fair["flags"] == []
    assert generous["aspects"] == {"T1": "0.200", "T2": "0.200", "P1": "-1.000"}
    [disagreement] = response.json["disagreements"]
    assert disagreement["entry"] == "HN-01" and disagreement["aspect"] == "P1"
    assert sorted(disagreement["values"].values()) == ["0", "3", "3"]
    assert response.json["decrypted"] is False and generous["home_bias"] is None
    assert all("HN-" in m["entry"] for m in response.json["outlier_marks"])  # codes, never names


def test_the_page_draws_the_chart(client, session):
    s = scored(session)
    api = sign_in(client, session, ["admin"])
    page = api.get(f"/panels/{s.panel_id}/consistency?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and html.count('class="bias-bar') == 3 and "Generous" in html


def test_home_bias_appears_once_decrypted(client, session):
    s = scored(session)
    session.get(Board, s.board_id).decrypted = True
    session.commit()
    api = sign_in(client, session, ["admin"])
    judges = api.get(f"/api/panels/{s.panel_id}/consistency").json["judges"]
    assert all("home_bias" in j for j in judges)  # None when a judge has no home entries on the panel
    assert {j["home_bias"] for j in judges} == {None}


def test_only_the_chief_judge_and_organisers_of_the_zone_see_it(client, session):
    s = scored(session)
    url = f"/api/panels/{s.panel_id}/consistency"
    assert client.get(url).status_code == 401
    assert sign_in(client, session, ["judge"]).get(url).status_code == 403
    other = Zone(competition_id=s.competition_id, code="GD", name="广东赛区")
    session.add(other)
    session.commit()
    assert sign_in(client, session, ["zone_admin"], zone_id=other.id).get(url).status_code == 404
    zone_id = session.get(Board, s.board_id).zone_id
    assert sign_in(client, session, ["zone_admin"], zone_id=zone_id).get(url).status_code == 200
    assert sign_in(client, session, ["admin"]).get("/api/panels/999999/consistency").status_code == 404
