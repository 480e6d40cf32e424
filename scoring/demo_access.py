"""Ways into the demo for a newcomer: an organiser account, a chief judge, a tablet link.

``open_demo(session, tokens, competition_id)`` makes (once) the user ``admin`` with the admin
role and the user ``chief`` linked to the first zone's chief judge, each with a fresh random
password, and issues a one-time sign-in link for that zone's first scoring judge with the PIN
``2468``. It returns what ``compete run --demo`` prints. Called again, it resets the two
passwords and issues a new link (older ones are superseded), so the printout always works.

Must not: run outside the demo (it knows the demo's shape), or commit.
"""

from __future__ import annotations

import dataclasses
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from compete.accounts import judges, users
from compete.accounts.models import Judge, User
from compete.security import SYSTEM, Tokens, hash_password
from scoring.models import Panel, PanelJudge

DEMO_PIN = "2468"


@dataclasses.dataclass(frozen=True)
class DemoAccess:
    admin_password: str = dataclasses.field(repr=False)
    chief_username: str
    chief_password: str = dataclasses.field(repr=False)
    chief_panel_id: int
    judge_name: str
    invite_path: str = dataclasses.field(repr=False)
    pin: str = DEMO_PIN

    def lines(self, base_url: str) -> list[str]:
        return [
            f"  organiser:   {base_url}login  user admin  password {self.admin_password}",
            f"  chief judge: {base_url}officials/panels/{self.chief_panel_id}  "
            f"user {self.chief_username}  password {self.chief_password}",
            f"  judge tablet ({self.judge_name}): {base_url.rstrip('/')}{self.invite_path}  PIN {self.pin}",
        ]


def _account(session: Session, username: str, display_name: str) -> tuple[User, str]:
    password = secrets.token_urlsafe(9)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = users.create_user(session, username, password, display_name=display_name, actor=SYSTEM)
    else:
        user.password_hash = hash_password(password)
    return user, password


def open_demo(session: Session, tokens: Tokens, competition_id: int) -> DemoAccess:
    admin, admin_password = _account(session, "admin", "组委会管理员")
    if not any(g.role == "admin" for g in admin.grants):
        users.grant(session, admin, "admin", actor=SYSTEM)
    panel = session.scalars(select(Panel).order_by(Panel.id)).first()
    assert panel is not None, "seed the demo first"
    seats = session.execute(
        select(Judge, PanelJudge.role).join(PanelJudge, PanelJudge.judge_id == Judge.id)
        .where(PanelJudge.panel_id == panel.id).order_by(Judge.id)
    ).all()
    chief = next(j for j, role in seats if role == "chief_judge" or j.role == "chief_judge")
    scorer = next(j for j, role in seats if j.role == "scoring")
    chief_user, chief_password = _account(session, "chief", chief.name)
    chief.user_id = chief_user.id
    if not any(g.role == "chief_judge" for g in chief_user.grants):
        users.grant(session, chief_user, "chief_judge", actor=SYSTEM, competition_id=competition_id,
                    zone_id=panel.zone_id)
    session.flush()
    admin_actor = users.actor_for(session, admin.id)
    assert admin_actor is not None
    judges.set_pin(session, scorer.id, DEMO_PIN, actor=admin_actor)
    _invite, token = judges.issue_invite(session, tokens, scorer.id, actor=admin_actor)
    return DemoAccess(admin_password=admin_password, chief_username="chief", chief_password=chief_password,
                      chief_panel_id=panel.id, judge_name=scorer.name, invite_path=f"/j/{token}")
