"""Draws (加密): entry → station → review numbers, reproducible from the recorded seed, audited."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, strategies as st
from sqlalchemy import select

from compete.errors import Conflict, InvalidState
from compete.events import EventRecord
from compete.registration.domain.draws import check_ready, draw_numbers
from compete.registration.models import Draw, Team
from tests.accounts.helpers import sign_in
from tests.registration.factories import setup


@given(st.text(min_size=1, max_size=20), st.lists(st.integers(1, 10_000), min_size=1, max_size=60, unique=True),
       st.randoms())
def test_a_draw_is_a_permutation_fixed_by_its_seed_whatever_the_input_order(seed, ids, rnd):
    numbers = draw_numbers(seed, ids, prefix="GD-")
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    assert draw_numbers(seed, shuffled, prefix="GD-") == numbers
    assert sorted(int(n[3:]) for n in numbers.values()) == list(range(1, len(ids) + 1))


def test_the_recipe_is_the_demos_shuffle_of_one_to_n_over_ascending_ids():
    numbers = list(range(1, 6))
    random.Random("demo-2026-entry-GD").shuffle(numbers)
    assert draw_numbers("demo-2026-entry-GD", [50, 10, 40, 20, 30], prefix="GD-") == {
        team: f"GD-{n:02d}" for team, n in zip([10, 20, 30, 40, 50], numbers)}


def test_different_seeds_give_different_draws():
    ids = list(range(1, 31))
    assert draw_numbers("seed-one", ids) != draw_numbers("seed-two", ids)


@pytest.mark.parametrize(("kind", "teams", "error"), [
    ("entry", {}, InvalidState),
    ("station", {1: {"entry": "01"}, 2: {"entry": None}}, InvalidState),
    ("review", {1: {"entry": "01", "station": None}}, InvalidState),
    ("entry", {1: {"entry": "01"}}, Conflict),
    ("station", {1: {"entry": "01", "station": "S1"}}, Conflict),
])
def test_the_chain_must_be_ready_and_each_link_is_drawn_once(kind, teams, error):
    with pytest.raises(error):
        check_ready(kind, teams)


def teams_of(client, s, api, zone=None):  # type: ignore[no-untyped-def]
    return api.get(f"/api/competitions/{s.competition_id}/teams?per_page=500"
                   + (f"&zone={zone}" if zone else "")).json["teams"]


def register(api, s, per_institution=2):  # type: ignore[no-untyped-def]
    for name in s.institutions:
        for t in range(per_institution):
            response = api.post("/api/teams", json={
                "stage": s.zone_stage_id, "division": s.division_id, "institution": s.institutions[name],
                "name": f"{name}{t}队", "members": [{"name": f"{name}{t}甲"}, {"name": f"{name}{t}乙"}]})
            assert response.status_code == 201, response.json


def test_entry_station_review_draws_per_zone_are_recorded_audited_and_repeatable(client, session):
    s = setup(session)
    api = sign_in(client, session)
    register(api, s)
    url = f"/api/competitions/{s.competition_id}/draws"
    gd = s.zones["GD"]
    early = api.post(url, json={"stage": s.zone_stage_id, "division": s.division_id, "kind": "station", "zone": gd})
    assert early.status_code == 409 and early.json["error"] == "draw.needs_entry"
    entry = api.post(url, json={"stage": s.zone_stage_id, "division": s.division_id, "kind": "entry", "zone": gd,
                                "seed": "recorded-seed-001"})
    assert entry.status_code == 201, entry.json
    assert entry.json["seed"] == "recorded-seed-001" and len(entry.json["numbers"]) == 6
    assert sorted(entry.json["numbers"].values()) == [f"GD-{n:02d}" for n in range(1, 7)]
    station = api.post(url, json={"stage": s.zone_stage_id, "division": s.division_id, "kind": "station", "zone": gd})
    review = api.post(url, json={"stage": s.zone_stage_id, "division": s.division_id, "kind": "review", "zone": gd})
    assert station.status_code == 201 and review.status_code == 201
    assert len(station.json["seed"]) == 32  # drawn at random, then recorded
    again = api.post(url, json={"stage": s.zone_stage_id, "division": s.division_id, "kind": "entry", "zone": gd})
    assert again.status_code == 409 and again.json["error"] == "draw.already_entry"

    for team in teams_of(client, s, api, gd):
        assert team["code"] == team["review_number"] == review.json["numbers"][str(team["id"])]
        assert team["entry_number"] == entry.json["numbers"][str(team["id"])]
        assert team["review_number"].startswith("GD-R")
    assert all(t["code"].startswith("#") for t in teams_of(client, s, api, s.zones["HN"]))  # not drawn yet

    for draw in (entry, station, review):
        check = api.get(f"/api/draws/{draw.json['id']}/verify").json
        assert check["reproducible"] is True and check["teams"] == 6
    session.expire_all()
    logged = [e.payload for e in session.scalars(select(EventRecord).where(EventRecord.type == "draw.recorded"))]
    assert [(e["kind"], e["seed"]) for e in logged] == [
        ("entry", "recorded-seed-001"), ("station", station.json["seed"]), ("review", review.json["seed"])]


def test_a_tampered_draw_no_longer_verifies(client, session):
    s = setup(session)
    api = sign_in(client, session)
    register(api, s, per_institution=1)
    draw = api.post(f"/api/competitions/{s.competition_id}/draws",
                    json={"stage": s.zone_stage_id, "division": s.division_id, "kind": "entry"}).json
    row = session.get(Draw, draw["id"])
    numbers = dict(row.result["numbers"])
    first, second = list(numbers)[:2]
    numbers[first], numbers[second] = numbers[second], numbers[first]
    row.result = {**row.result, "numbers": numbers}
    session.commit()
    assert api.get(f"/api/draws/{draw['id']}/verify").json["reproducible"] is False


def test_the_demos_recorded_draws_verify(client, session):
    from scoring.demo import seed

    seed(session)
    session.commit()
    api = sign_in(client, session)
    draws = session.scalars(select(Draw)).all()
    assert draws and all(api.get(f"/api/draws/{d.id}/verify").json["reproducible"] for d in draws)


def test_numbers_clashing_in_the_stage_are_refused(client, session):
    s = setup(session)
    api = sign_in(client, session)
    register(api, s, per_institution=1)
    url = f"/api/competitions/{s.competition_id}/draws"
    base = {"stage": s.zone_stage_id, "division": s.division_id, "kind": "entry", "prefix": "X"}
    assert api.post(url, json={**base, "zone": s.zones["GD"]}).status_code == 201
    clash = api.post(url, json={**base, "zone": s.zones["HN"]})
    assert clash.status_code == 409 and clash.json["error"] == "draw.number_clash"
    session.expire_all()
    assert all(t.entry_number is None for t in session.scalars(select(Team).where(Team.zone_id == s.zones["HN"])))


def test_only_admins_draw_and_supervisors_may_check(client, session):
    s = setup(session)
    admin = sign_in(client, session)
    register(admin, s, per_institution=1)
    draw = admin.post(f"/api/competitions/{s.competition_id}/draws",
                      json={"stage": s.zone_stage_id, "division": s.division_id, "kind": "entry"}).json
    zone_admin = sign_in(client.application.test_client(), session, ["zone_admin"], zone_id=s.zones["GD"])
    assert zone_admin.post(f"/api/competitions/{s.competition_id}/draws", json={
        "stage": s.zone_stage_id, "division": s.division_id, "kind": "station"}).status_code == 403
    assert zone_admin.get(f"/api/draws/{draw['id']}/verify").status_code == 403
    supervisor = sign_in(client.application.test_client(), session, ["supervisor"], competition_id=s.competition_id)
    assert supervisor.get(f"/api/draws/{draw['id']}/verify").json["reproducible"] is True
