"""Recusal (回避): whether a judge must not score an entry, and why.

Owns: the recusal scopes an event may choose and how they are read from the event's rules
mapping (key ``recusal``: ``"institution"``, the default, or ``"province"``), the normal form
of a province name, and the conflict test between a judge's home and an entry's home.

Vocabulary: a *home* is the (institution id, province) of a judge or of an entry's institution;
either part may be unknown (None), and an unknown part never conflicts. A *conflict* is why a
judge is recused from an entry: ``"institution"`` (same institution, always checked) or
``"province"`` (same province, only under the ``province`` scope), else None. Provinces compare
by their normal form, so 湖南 and 湖南省, 广西 and 广西壮族自治区 are the same province.

Error codes: recusal.bad_scope (``ValidationFailed``, field ``recusal``).

Must not: read storage, or decide about overrides (the caller looks them up and logs them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from compete.errors import ValidationFailed

SCOPES: tuple[str, ...] = ("institution", "province")
DEFAULT_SCOPE = "institution"
#: the key of an event's rules mapping that selects the scope
RULES_KEY = "recusal"

#: longest first, so 壮族自治区 is stripped whole rather than leaving 广西壮族
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


@dataclass(frozen=True)
class Home:
    institution_id: int | None
    province: str | None


def home_of(institution_id: int | None, province: str | None, institution_province: str | None) -> Home:
    """A judge's home: their own province when recorded, else their institution's."""
    return Home(institution_id, province if province is not None else institution_province)


def scope_of(rules: Mapping[str, object] | None) -> str:
    """The recusal scope an event's rules select (the default when they say nothing)."""
    value = (rules or {}).get(RULES_KEY, DEFAULT_SCOPE)
    if value is None:
        return DEFAULT_SCOPE
    if not isinstance(value, str) or value not in SCOPES:
        raise ValidationFailed("recusal.bad_scope", field=RULES_KEY, allowed=", ".join(SCOPES))
    return value


def province_key(name: str | None) -> str | None:
    """The normal form of a province name (None when blank)."""
    if name is None:
        return None
    key = "".join(name.split()).casefold()
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
            break
    return key or None


def conflict(judge: Home, entry: Home, scope: str = DEFAULT_SCOPE) -> str | None:
    """Why ``judge`` may not score ``entry`` under ``scope``, or None when they may."""
    if scope not in SCOPES:
        raise ValidationFailed("recusal.bad_scope", field=RULES_KEY, allowed=", ".join(SCOPES))
    if judge.institution_id is not None and judge.institution_id == entry.institution_id:
        return "institution"
    if scope == "province":
        mine = province_key(judge.province)
        if mine is not None and mine == province_key(entry.province):
            return "province"
    return None
