"""The tablet's pages: one shell for every tablet address, its service worker, the sign-in pad."""

from __future__ import annotations

import json
import re

import pytest

from scoring.tablet_web import ASSETS


def strings_of(page: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="tablet-strings">(.*?)</script>', page, re.S)
    assert found
    return json.loads(found.group(1))  # type: ignore[no-any-return]


@pytest.mark.parametrize(("lang", "title", "online"), [("en", "Scoring tablet", "Online"), ("zh_CN", "评分平板", "在线")])
@pytest.mark.parametrize("path", ["/tablet/", "/tablet/sheets/7"])
def test_every_tablet_address_is_the_same_shell_in_the_chosen_language(client, lang, title, online, path):
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"<title>{title}</title>" in page
    assert f'data-lang="{lang}"' in page and 'data-sw="/tablet/sw.js"' in page and 'data-home="/tablet/"' in page
    strings = strings_of(page)
    assert strings["online"] == online
    assert "{n}" in strings["waiting"] and "{min}" in strings["out_of_range"] and "{max}" in strings["out_of_range"]
    for script in ("queue.js", "decimal.js", "scoresheet.js", "app.js"):
        assert f"/static/js/tablet/{script}" in page


def test_the_shell_does_not_depend_on_the_address(client):
    """The service worker serves one cached shell for every tablet page."""
    def without_csrf(text: str) -> str:
        return re.sub(r'<meta name="csrf-token" content="[^"]*">', "", text)

    home = client.get("/tablet/?lang=en").get_data(as_text=True)
    sheet = client.get("/tablet/sheets/42?lang=en").get_data(as_text=True)
    assert without_csrf(home) == without_csrf(sheet)


def test_the_service_worker_covers_the_tablet_and_caches_the_shell_and_its_assets(client):
    response = client.get("/tablet/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert 'var SHELL = "/tablet/";' in body
    assets = json.loads(re.search(r"var ASSETS = (\[.*?\]);", body).group(1))  # type: ignore[union-attr]
    assert assets == [f"/static/{path}" for path in ASSETS]
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "/api/" not in re.sub(r"/\*.*?\*/", "", body, flags=re.S)  # marks and reads never go through it
    version = re.search(r'var VERSION = "([0-9a-f]{16})";', body)
    assert version and client.get("/tablet/sw.js").get_data(as_text=True) == body


@pytest.mark.parametrize(("lang", "heading"), [("en", "Judge sign-in"), ("zh_CN", "裁判登录")])
def test_the_sign_in_link_opens_a_pin_pad(client, lang, heading):
    response = client.get(f"/j/an-invite-token.abc?lang={lang}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = response.get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in page
    assert 'data-invite="an-invite-token.abc"' in page and 'data-endpoint="/api/devices"' in page
    assert all(f'data-key="{digit}"' in page for digit in "0123456789")
    assert "/static/js/tablet/sign_in.js" in page
