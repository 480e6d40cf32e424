"""Two languages from the first page: chosen by ?lang=, then the cookie, then Accept-Language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[1] / "compete" / "translations"


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({"Accept-Language": "zh-CN,zh;q=0.9"}, "", "赛事"),
        ({"Accept-Language": "en-US,en;q=0.8"}, "", "Competitions"),
        ({"Accept-Language": "en-US"}, "?lang=zh_CN", "赛事"),
        ({"Accept-Language": "zh-CN"}, "?lang=en", "Competitions"),
        ({}, "", "赛事"),  # the default locale is zh_CN
    ],
)
def test_the_home_page_speaks_the_chosen_language(client, headers, query, expected):
    response = client.get("/" + query, headers=headers)
    assert response.status_code == 200
    assert f"<h1>{expected}</h1>" in response.get_data(as_text=True)


def test_the_choice_is_remembered(client):
    client.get("/?lang=en", headers={"Accept-Language": "zh-CN"})
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "<h1>Competitions</h1>" in page


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_catalogues_cover_every_message(locale):
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = {m.id: m for m in read_po(f) if m.id}
    assert template <= catalogue.keys(), sorted(template - catalogue.keys())
    if locale == "zh":  # English is the source language; Chinese must be complete and current
        untranslated = [m.id for m in catalogue.values() if not m.string or m.fuzzy]
        assert not untranslated, untranslated
