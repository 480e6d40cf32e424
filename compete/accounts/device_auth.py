"""The tablet's credential at the HTTP edge: ``Authorization: Device <token>``.

``device_actor(session)`` is the judge acting through the device named by the request's
header; with ``required=False`` a request without a Device header yields None (so a view can
fall back to the cookie-signed-in user). Unknown or revoked tokens are always refused.
"""

from __future__ import annotations

from flask import request
from sqlalchemy.orm import Session

from compete.accounts.services import authenticate_device
from compete.errors import Unauthenticated
from compete.security import Actor


def device_actor(session: Session, *, required: bool = True) -> Actor | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "device":
        if required:
            raise Unauthenticated("device.missing", field="Authorization")
        return None
    if not token.strip():
        raise Unauthenticated("device.missing", field="Authorization")
    return authenticate_device(session, token.strip())
