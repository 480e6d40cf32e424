"""The permission matrix: every role against every endpoint family, allowed or refused (403/404).

One row per endpoint family, one column per role. ``zone_admin`` administers the GD zone: its
requests marked *other* act on the HN zone and must answer 404, as if the thing did not exist.
Anonymous API calls answer 401; anonymous console pages redirect to the sign-in page.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from compete.registration.models import Division, Stage
from scoring import boards
from tests.accounts.helpers import Api, sign_in
from tests.registration.factories import TEAM_HEADER, csv_bytes, setup

ROLES = ("anonymous", "admin", "zone_admin", "chief_judge", "judge", "supervisor", "arbitrator")
OPEN_RULES = {"team_size_min": 2, "team_size_max": 3, "coaches_max": 1, "max_teams_per_institution": None}
counter = itertools.count(1)


class World:
    """A competition with a team and a live board in each zone, a judge, and a draw-ready division."""

    def __init__(self, client: Any, session: Any) -> None:
        self.s = setup(session, rules=OPEN_RULES)
        admin = sign_in(client.application.test_client(), session)
        self.teams = {}
        for zone, institution in (("GD", "广东省学院0"), ("HN", "湖南省学院0")):
            response = admin.post("/api/teams", json=self.team_body(institution))
            assert response.status_code == 201
            self.teams[zone] = response.json["id"]
        stage, division = session.get(Stage, self.s.zone_stage_id), session.get(Division, self.s.division_id)
        self.boards = {code: boards.get_or_create(session, stage, division, zone_id, f"看板 {code}").id
                       for code, zone_id in self.s.zones.items()}
        session.commit()
        #: the next publication action that succeeds on each board (freeze, unfreeze, freeze, ...)
        self.next_action = dict.fromkeys(self.boards, "freeze")

    def team_body(self, institution: str) -> dict[str, Any]:
        n = next(counter)
        return {"stage": self.s.zone_stage_id, "division": self.s.division_id,
                "institution": self.s.institutions[institution], "name": f"队{n}",
                "members": [{"name": f"甲{n}"}, {"name": f"乙{n}"}]}


def upload(api: Api, w: World) -> Any:
    rows = [["YJJY", "高职组", "zone", "广东省学院1", "新队", "某人", "学生"]]
    return api.post(f"/api/competitions/{w.s.competition_id}/imports", content_type="multipart/form-data",
                    data={"kind": "teams", "file": (io.BytesIO(csv_bytes(TEAM_HEADER, rows)), "t.csv")})


def publish(zone: str) -> Callable[[Api, World], Any]:
    """Freeze the zone's board, or unfreeze it when the last allowed request froze it."""
    def request_(api: Api, w: World) -> Any:
        action = w.next_action[zone]
        response = api.post(f"/api/boards/{w.boards[zone]}/publication", json={"action": action})
        if response.status_code == 200:
            w.next_action[zone] = "unfreeze" if action == "freeze" else "freeze"
        return response
    return request_


def appeal(zone: str, path: str, body: dict[str, Any]) -> Callable[[Api, World], Any]:
    """POST to ``/api/appeals/<id>/<path>`` of a filed appeal of the zone's board (made once per world)."""
    def request_(api: Api, w: World) -> Any:
        from compete import runtime as runtime_module
        from compete.db import session_scope
        from compete.events import utcnow
        from scoring.models import Appeal

        found = getattr(w, "appeals", {})
        if zone not in found:
            with session_scope(runtime_module.current().sessions) as session:
                row = Appeal(board_id=w.boards[zone], team_id=w.teams[zone], leader="李", grounds="理由",
                             state="filed", filed_by="system", filed_at=utcnow(), updated_at=utcnow())
                session.add(row)
                session.flush()
                found[zone] = row.id
            w.appeals = found  # type: ignore[attr-defined]
        return api.post(f"/api/appeals/{found[zone]}/{path}", json=body)
    return request_


CHANGES = {"changes": [{"sheet": 1, "aspect": 1, "value": "1", "reason": "x"}]}
Request = Callable[[Api, World], Any]
#                                                                  anon admin  zone  chief judge super arbit
FAMILIES: list[tuple[str, Request, tuple[int, ...]]] = [
    ("competitions: list",
     lambda a, w: a.get("/api/competitions"), (401, 200, 200, 200, 403, 200, 200)),
    ("competitions: read",
     lambda a, w: a.get(f"/api/competitions/{w.s.competition_id}"), (401, 200, 200, 200, 403, 200, 200)),
    ("competitions: create",
     lambda a, w: a.post("/api/competitions", json={"name": "新赛", "year": 2027}),
     (401, 201, 403, 403, 403, 403, 403)),
    ("set-up: zones",
     lambda a, w: a.post(f"/api/competitions/{w.s.competition_id}/zones",
                         json={"code": f"Z{next(counter)}", "name": f"赛区{next(counter)}"}),
     (401, 201, 403, 403, 403, 403, 403)),
    ("set-up: divisions",
     lambda a, w: a.patch(f"/api/divisions/{w.s.division_id}", json={"name": f"高职组{next(counter)}"}),
     (401, 200, 403, 403, 403, 403, 403)),
    ("institutions: list",
     lambda a, w: a.get(f"/api/competitions/{w.s.competition_id}/institutions"),
     (401, 200, 200, 403, 403, 200, 200)),
    ("institutions: create in own zone",
     lambda a, w: a.post(f"/api/competitions/{w.s.competition_id}/institutions",
                         json={"name": f"学院{next(counter)}", "province": "广东省", "zone": w.s.zones["GD"]}),
     (401, 201, 201, 403, 403, 403, 403)),
    ("institutions: create in other zone",
     lambda a, w: a.post(f"/api/competitions/{w.s.competition_id}/institutions",
                         json={"name": f"学院{next(counter)}", "province": "湖南省", "zone": w.s.zones["HN"]}),
     (401, 201, 404, 403, 403, 403, 403)),
    ("institutions: read other zone",
     lambda a, w: a.get(f"/api/institutions/{w.s.institutions['湖南省学院0']}"),
     (401, 200, 404, 403, 403, 200, 200)),
    ("teams: list",
     lambda a, w: a.get(f"/api/competitions/{w.s.competition_id}/teams"), (401, 200, 200, 403, 403, 200, 200)),
    ("teams: read own zone",
     lambda a, w: a.get(f"/api/teams/{w.teams['GD']}"), (401, 200, 200, 403, 403, 200, 200)),
    ("teams: read other zone",
     lambda a, w: a.get(f"/api/teams/{w.teams['HN']}"), (401, 200, 404, 403, 403, 200, 200)),
    ("teams: register in own zone",
     lambda a, w: a.post("/api/teams", json=w.team_body("广东省学院1")), (401, 201, 201, 403, 403, 403, 403)),
    ("teams: register in other zone",
     lambda a, w: a.post("/api/teams", json=w.team_body("湖南省学院1")), (401, 201, 404, 403, 403, 403, 403)),
    ("teams: change other zone",
     lambda a, w: a.patch(f"/api/teams/{w.teams['HN']}", json={"name": f"改{next(counter)}"}),
     (401, 200, 404, 403, 403, 403, 403)),
    ("progress",
     lambda a, w: a.get(f"/api/competitions/{w.s.competition_id}/progress"), (401, 200, 200, 403, 403, 200, 403)),
    ("imports: upload", upload, (401, 202, 202, 403, 403, 403, 403)),
    ("exports: teams",
     lambda a, w: a.get(f"/api/competitions/{w.s.competition_id}/exports/teams.csv"),
     (401, 200, 200, 403, 403, 200, 200)),
    ("exports: judges",
     lambda a, w: a.get(f"/api/competitions/{w.s.competition_id}/exports/judges.csv"),
     (401, 200, 200, 200, 403, 403, 403)),
    ("draws: run",
     lambda a, w: a.post(f"/api/competitions/{w.s.competition_id}/draws",
                         json={"stage": w.s.zone_stage_id, "division": w.s.division_id, "kind": "entry",
                               "zone": w.s.zones["GD"]}),
     (401, 201, 403, 403, 403, 403, 403)),
    ("draws: list",
     lambda a, w: a.get(f"/api/competitions/{w.s.competition_id}/draws"), (401, 200, 403, 403, 403, 200, 200)),
    ("accounts",
     lambda a, w: a.get("/api/users"), (401, 200, 403, 403, 403, 403, 403)),
    ("console: home", lambda a, w: a.get("/console/"), (302, 200, 200, 403, 403, 403, 403)),
    ("console: teams",
     lambda a, w: a.get(f"/console/competitions/{w.s.competition_id}/teams"), (302, 200, 200, 403, 403, 403, 403)),
    ("console: import",
     lambda a, w: a.get(f"/console/competitions/{w.s.competition_id}/import"), (302, 200, 200, 403, 403, 403, 403)),
    ("console: judges",
     lambda a, w: a.get(f"/console/competitions/{w.s.competition_id}/judges"), (302, 200, 200, 200, 403, 403, 403)),
    ("console: draws",
     lambda a, w: a.get(f"/console/competitions/{w.s.competition_id}/draws"), (302, 200, 403, 403, 403, 200, 200)),
    ("console: wizard", lambda a, w: a.get("/console/new"), (302, 200, 403, 403, 403, 403, 403)),
    ("boards: publish own zone", publish("GD"), (401, 200, 200, 403, 403, 403, 403)),
    ("boards: publish other zone", publish("HN"), (401, 200, 404, 403, 403, 403, 403)),
    # chief judges and arbitrators read the result lifecycle there (results.read)
    ("boards: publish page",
     lambda a, w: a.get(f"/boards/{w.boards['GD']}/publish"), (302, 200, 200, 200, 403, 200, 200)),
    ("boards: publish page other zone",
     lambda a, w: a.get(f"/boards/{w.boards['HN']}/publish"), (302, 200, 404, 200, 403, 200, 200)),
    ("results: read",
     lambda a, w: a.get(f"/api/boards/{w.boards['GD']}/results"), (401, 200, 200, 200, 403, 200, 200)),
    ("results: read other zone",
     lambda a, w: a.get(f"/api/boards/{w.boards['HN']}/results"), (401, 200, 404, 200, 403, 200, 200)),
    # an organiser passes the permission check and meets the rule: the board is not decrypted (409)
    ("results: start the review",
     lambda a, w: a.post(f"/api/boards/{w.boards['GD']}/results", json={"action": "start_review"}),
     (401, 409, 409, 403, 403, 403, 403)),
    ("results: start the review other zone",
     lambda a, w: a.post(f"/api/boards/{w.boards['HN']}/results", json={"action": "start_review"}),
     (401, 409, 404, 403, 403, 403, 403)),
    # supervisors check (no review yet: 409); the team id is the GD team's
    ("results: check an entry",
     lambda a, w: a.post(f"/api/boards/{w.boards['GD']}/results/checks",
                         json={"entry": w.teams["GD"], "outcome": "confirmed"}),
     (401, 403, 403, 403, 403, 409, 403)),
    ("results: sign as chief judge",
     lambda a, w: a.post(f"/api/boards/{w.boards['GD']}/results", json={"action": "sign", "role": "chief_judge"}),
     (401, 403, 403, 409, 403, 403, 403)),
    ("results: sign as supervisor",
     lambda a, w: a.post(f"/api/boards/{w.boards['GD']}/results", json={"action": "sign", "role": "supervisor"}),
     (401, 403, 403, 403, 403, 409, 403)),
    # appeals: everyone who reads results reads them; organisers file (no public notice yet: 409);
    # only arbitrators move them and correct marks (a filed appeal is not being heard: 409)
    ("appeals: read",
     lambda a, w: a.get(f"/api/boards/{w.boards['GD']}/appeals"), (401, 200, 200, 200, 403, 200, 200)),
    ("appeals: read other zone",
     lambda a, w: a.get(f"/api/boards/{w.boards['HN']}/appeals"), (401, 200, 404, 200, 403, 200, 200)),
    ("appeals: file",
     lambda a, w: a.post(f"/api/boards/{w.boards['GD']}/appeals",
                         json={"team": w.teams["GD"], "leader": "李", "grounds": "理由"}),
     (401, 409, 409, 403, 403, 403, 403)),
    ("appeals: file other zone",
     lambda a, w: a.post(f"/api/boards/{w.boards['HN']}/appeals",
                         json={"team": w.teams["HN"], "leader": "李", "grounds": "理由"}),
     (401, 409, 404, 403, 403, 403, 403)),
    ("appeals: accept", appeal("GD", "accept", {"reason": "有理"}), (401, 403, 403, 403, 403, 403, 200)),
    ("appeals: preview corrections", appeal("HN", "corrections/preview", CHANGES),
     (401, 403, 403, 403, 403, 403, 409)),
    ("appeals: page",
     lambda a, w: a.get(f"/boards/{w.boards['GD']}/appeals"), (302, 200, 200, 200, 403, 200, 200)),
    # a supervisor passes the permission check and meets the rule: no sheet is locked yet (409)
    ("boards: co-sign decryption",
     lambda a, w: a.post(f"/api/boards/{w.boards['GD']}/publication", json={"action": "cosign_decryption"}),
     (401, 403, 403, 403, 403, 409, 403)),
    ("boards: decrypt",
     lambda a, w: a.post(f"/api/boards/{w.boards['GD']}/publication", json={"action": "decrypt"}),
     (401, 409, 409, 403, 403, 403, 403)),
]


def actor_client(client: Any, session: Any, role: str, w: World) -> Api:
    fresh = client.application.test_client()
    if role == "anonymous":
        return Api(fresh, "")
    zone = w.s.zones["GD"] if role == "zone_admin" else None
    competition = None if role == "admin" or zone else w.s.competition_id
    return sign_in(fresh, session, [role], zone_id=zone, competition_id=competition)


@pytest.mark.parametrize(("family", "request_", "expected"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_permission_matrix(client, session, family, request_, expected):
    assert len(expected) == len(ROLES)
    w = World(client, session)
    got = {}
    for role in ROLES:
        got[role] = request_(actor_client(client, session, role, w), w).status_code
    assert got == dict(zip(ROLES, expected, strict=True))


def test_a_zone_admin_sees_only_their_zones_judges_in_exports_and_pages(client, session):
    w = World(client, session)
    admin = sign_in(client.application.test_client(), session)
    from tests.registration.test_imports import run_import  # the same upload + worker path
    from compete import runtime as runtime_module

    rows = [["赵一", "评分裁判", "广东省学院0", ""], ["钱二", "评分裁判", "湖南省学院0", ""]]
    report = run_import(admin, runtime_module.current(), w.s.competition_id, "judges", "j.csv",
                        csv_bytes(["姓名", "角色", "院校名称", "省份"], rows))
    assert report["status"] == "done"
    gd = sign_in(client.application.test_client(), session, ["zone_admin"], zone_id=w.s.zones["GD"])
    text = gd.get(f"/api/competitions/{w.s.competition_id}/exports/judges.csv").data.decode("utf-8-sig")
    assert "赵一" in text and "钱二" not in text
    page = gd.get(f"/console/competitions/{w.s.competition_id}/judges").get_data(as_text=True)
    assert "赵一" in page and "钱二" not in page
    teams_page = gd.get(f"/console/competitions/{w.s.competition_id}/teams").get_data(as_text=True)
    assert "广东省学院0" in teams_page and "湖南省学院0" not in teams_page
