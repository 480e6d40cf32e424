"""Marking schemes (评分标准) as organisers edit them: the tree, its validation, XLSX in and out.

Owns: the editable form of an event's scheme - criteria (模块, each with a weight and an
optional ``scale_to``) → optional sub-criteria → aspects (评分项: code, name, kind, max, and
``step`` or a ``tolerance`` table) - and ``replace_scheme``, which stores a whole new tree at
once. ``scheme_tree`` reads it back (with which aspects already have marks); ``export_xlsx`` /
``draft_from_xlsx`` write and read the same tree as one spreadsheet row per aspect (headers in
either language, see ``COLUMNS``).

Validation: the whole draft is checked by ``scoring.domain.scheme.validate_scheme`` before
anything is written; its error fields (``modules[1].weight``, ``aspects[4].max_mark``) are
mapped to the tree's paths (``criteria[1].weight``, ``criteria[0].sub_criteria[1].aspects[0]
.max``), or to spreadsheet rows (``rows[7].max``) for an import. Stored marks constrain edits:
an aspect with marks may not be removed or change kind, nor its maximum drop below a stored
value (``scheme.aspect_has_marks``, ``scheme.kind_locked``, ``scheme.max_below_marks``); and
the event's stored rules must still fit it (``scheme.breaks_rules``: a per-aspect setting or a
criterion tie-breaker naming a code the new scheme lacks).

Storage: criteria and aspects are matched by code, so ids (and the marks that reference them)
survive an edit; new aspects join the panels that covered the whole scheme before. Every
replacement appends one ``scheme.replaced`` event (before and after) and one ``board.changed``
per board of the event, in the same transaction.

Must not: import flask, commit, or compute boards.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from compete import events
from compete.accounts import permissions
from compete.errors import NotFound, ValidationFailed
from compete.registration.domain.rows import Column, Shape, match_header, text
from compete.registration.models import SkillEvent, Stage
from compete.registration.spreadsheets import read_rows, write_rows
from compete.security import Actor
from scoring import event_rules
from scoring.domain.scheme import Aspect as DomainAspect
from scoring.domain.scheme import AspectKind, Module, Scheme, ToleranceBand, validate_scheme
from scoring.models import Aspect, Criterion, Mark, Panel, PanelAspect
from scoring.models import Scheme as SchemeRow

KINDS = tuple(k.value for k in AspectKind)


@dataclasses.dataclass(frozen=True)
class AspectDraft:
    code: str
    name: str
    kind: str
    max: Decimal
    step: Decimal | None = None
    tolerance: tuple[tuple[Decimal, Decimal], ...] = ()  # (within, mark)


@dataclasses.dataclass(frozen=True)
class GroupDraft:
    """A sub-criterion: a labelled group of aspects inside a criterion."""

    code: str
    name: str
    aspects: tuple[AspectDraft, ...] = ()


@dataclasses.dataclass(frozen=True)
class CriterionDraft:
    code: str
    name: str
    weight: Decimal
    scale_to: Decimal | None = None
    aspects: tuple[AspectDraft, ...] = ()
    sub_criteria: tuple[GroupDraft, ...] = ()


@dataclasses.dataclass(frozen=True)
class SchemeDraft:
    name: str
    criteria: tuple[CriterionDraft, ...]


@dataclasses.dataclass(frozen=True)
class SchemeChange:
    tree: dict[str, Any]
    #: (board id, ``board.changed`` event id) to dispatch after the commit
    boards: list[tuple[int, int]]
    event_record_id: int


# -- reading ----------------------------------------------------------------------------

def _event(session: Session, event_id: int) -> SkillEvent:
    event = session.get(SkillEvent, event_id)
    if event is None:
        raise NotFound("event.not_found", field="event")
    return event


def _number(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value).normalize():f}"


def scheme_tree(session: Session, actor: Actor, event_id: int) -> dict[str, Any]:
    """The event's scheme as the editor shows it (an empty tree when there is none yet)."""
    event = _event(session, event_id)
    permissions.require(actor, "setup.read", event.competition_id, not_found="event.not_found")
    return _tree(session, event)


def _tree(session: Session, event: SkillEvent) -> dict[str, Any]:
    row = session.scalar(select(SchemeRow).where(SchemeRow.event_id == event.id))
    out: dict[str, Any] = {"event": event.id, "event_name": event.name, "name": row.name if row else "",
                           "criteria": []}
    if row is None:
        return out
    criteria = list(session.scalars(select(Criterion).where(Criterion.scheme_id == row.id)
                                    .order_by(Criterion.position, Criterion.id)))
    aspects = list(session.scalars(select(Aspect).where(Aspect.scheme_id == row.id)
                                   .order_by(Aspect.position, Aspect.id)))
    marked = _marked(session, [a.id for a in aspects])

    def aspect_dict(a: Aspect) -> dict[str, Any]:
        return {"id": a.id, "code": a.code, "name": a.name, "kind": a.kind, "max": _number(a.max_mark),
                "step": _number(a.step), "tolerance": [dict(b) for b in a.tolerance or []],
                "marked": a.id in marked}

    by_parent: dict[int, list[Aspect]] = {}
    for a in aspects:
        by_parent.setdefault(a.criterion_id, []).append(a)
    for c in (c for c in criteria if c.parent_id is None):
        out["criteria"].append({
            "id": c.id, "code": c.code, "name": c.name, "weight": _number(c.weight),
            "scale_to": _number(c.scale_to), "aspects": [aspect_dict(a) for a in by_parent.get(c.id, [])],
            "sub_criteria": [{"id": s.id, "code": s.code, "name": s.name,
                              "aspects": [aspect_dict(a) for a in by_parent.get(s.id, [])]}
                             for s in criteria if s.parent_id == c.id],
        })
    return out


def _marked(session: Session, aspect_ids: Sequence[int]) -> dict[int, Decimal]:
    """Aspect id → the largest value ever stored for it (any revision), for aspects with marks."""
    if not aspect_ids:
        return {}
    return {aspect_id: Decimal(top) for aspect_id, top in session.execute(
        select(Mark.aspect_id, func.max(Mark.value)).where(Mark.aspect_id.in_(list(aspect_ids)))
        .group_by(Mark.aspect_id))}


# -- validating ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Flat:
    """The draft flattened in scheme order, with the tree path of every criterion and aspect."""

    criteria: list[tuple[str, CriterionDraft | GroupDraft, str | None]]  # path, draft, parent code
    aspects: list[tuple[str, AspectDraft, str, str]]  # path, draft, owner code, module code


def _flatten(draft: SchemeDraft) -> _Flat:
    criteria: list[tuple[str, CriterionDraft | GroupDraft, str | None]] = []
    aspects: list[tuple[str, AspectDraft, str, str]] = []
    for i, c in enumerate(draft.criteria):
        path = f"criteria[{i}]"
        criteria.append((path, c, None))
        aspects.extend((f"{path}.aspects[{j}]", a, c.code, c.code) for j, a in enumerate(c.aspects))
        for k, s in enumerate(c.sub_criteria):
            sub = f"{path}.sub_criteria[{k}]"
            criteria.append((sub, s, c.code))
            aspects.extend((f"{sub}.aspects[{j}]", a, s.code, c.code) for j, a in enumerate(s.aspects))
    return _Flat(criteria, aspects)


_DOMAIN_FIELD = re.compile(r"^(modules|aspects)\[(\d+)\](.*)$")
_RENAMED = {".max_mark": ".max", ".module_code": "", ".id": ".code"}


def _tree_field(field: str | None, flat: _Flat) -> str | None:
    """A domain error's field (``aspects[4].max_mark``) as the draft's path."""
    if field is None:
        return None
    if field == "modules":
        return "criteria"
    match = _DOMAIN_FIELD.match(field)
    if match is None:
        return field
    kind, index, rest = match.group(1), int(match.group(2)), match.group(3)
    if kind == "modules":
        return f"criteria[{index}]{rest}"
    for old, new in _RENAMED.items():
        if rest.startswith(old):
            rest = new + rest[len(old):]
    return flat.aspects[index][0] + rest


def _domain_scheme(flat: _Flat, ids: dict[str, int]) -> Scheme:
    modules = tuple(Module(c.code, c.name, c.weight, c.scale_to) for _, c, parent in flat.criteria
                    if parent is None and isinstance(c, CriterionDraft))
    names = {c.code: c.name for _, c, _ in flat.criteria}
    aspects = tuple(
        DomainAspect(ids.get(a.code, -(i + 1)), a.code, a.name, AspectKind(a.kind), a.max, module,
                     sub_criterion=names[owner] if owner != module else "",
                     tolerance=tuple(ToleranceBand(w, m) for w, m in a.tolerance), step=a.step)
        for i, (_, a, owner, module) in enumerate(flat.aspects))
    return Scheme(modules, aspects)


def validate_draft(draft: SchemeDraft, ids: dict[str, int] | None = None) -> Scheme:
    """The draft as a domain scheme; raises ``ValidationFailed`` naming the draft's path."""
    flat = _flatten(draft)
    seen: dict[str, str] = {}
    for path, c, _ in flat.criteria:
        if c.code in seen:
            raise ValidationFailed("scheme.duplicate_criterion", field=f"{path}.code", criterion=c.code)
        seen[c.code] = path
    for path, a, _, _ in flat.aspects:
        if a.kind not in KINDS:
            raise ValidationFailed("scheme.unknown_kind", field=f"{path}.kind", allowed=", ".join(KINDS))
    for path, c, parent in flat.criteria:
        if parent is not None and isinstance(c, GroupDraft) and not c.aspects:
            raise ValidationFailed("scheme.empty_sub_criterion", field=f"{path}.aspects", criterion=c.code)
    scheme = _domain_scheme(flat, ids or {})
    try:
        validate_scheme(scheme)
    except ValidationFailed as error:
        raise ValidationFailed(error.code, field=_tree_field(error.field, flat), **error.params) from None
    return scheme


# -- replacing ----------------------------------------------------------------------------

def replace_scheme(session: Session, actor: Actor, event_id: int, draft: SchemeDraft) -> SchemeChange:
    """Validate ``draft`` and make it the event's scheme (see the module docstring)."""
    event = _event(session, event_id)
    permissions.require(actor, "setup.write", event.competition_id, not_found="event.not_found")
    row = session.scalar(select(SchemeRow).where(SchemeRow.event_id == event.id))
    old_aspects = {a.code: a for a in session.scalars(select(Aspect).where(Aspect.scheme_id == row.id))} \
        if row is not None else {}
    flat = _flatten(draft)
    scheme = validate_draft(draft, {code: a.id for code, a in old_aspects.items()})
    _check_rules(event, scheme)
    _check_marks(session, flat, old_aspects)
    before = _tree(session, event)

    if row is None:
        row = SchemeRow(event_id=event.id, name=draft.name)
        session.add(row)
        session.flush()
    row.name = draft.name
    old_criteria = {c.code: c for c in session.scalars(select(Criterion).where(Criterion.scheme_id == row.id))}
    had_all = _panels_covering(session, event.id, {a.id for a in old_aspects.values()})

    kept: dict[str, Criterion] = {}
    for position, (_, c, parent) in enumerate(flat.criteria):
        criterion = old_criteria.get(c.code) or Criterion(scheme_id=row.id, code=c.code)
        criterion.name = c.name
        criterion.position = position
        criterion.parent_id = kept[parent].id if parent is not None else None
        if isinstance(c, CriterionDraft):
            criterion.weight, criterion.scale_to = c.weight, c.scale_to
        else:
            criterion.weight, criterion.scale_to = Decimal(1), None
        session.add(criterion)
        session.flush()
        kept[c.code] = criterion
    new_ids: list[int] = []
    for position, (_, a, owner, _module) in enumerate(flat.aspects):
        aspect = old_aspects.get(a.code)
        if aspect is None:
            aspect = Aspect(scheme_id=row.id, code=a.code)
            session.add(aspect)
        aspect.criterion_id = kept[owner].id
        aspect.name, aspect.kind, aspect.max_mark, aspect.step = a.name, a.kind, a.max, a.step
        aspect.tolerance = [{"within": f"{w.normalize():f}", "mark": f"{m.normalize():f}"}
                            for w, m in a.tolerance] or None
        aspect.position = position
        session.flush()
        if a.code not in old_aspects:
            new_ids.append(aspect.id)
    wanted = {a.code for _, a, _, _ in flat.aspects}
    for code, aspect in old_aspects.items():
        if code not in wanted:
            session.delete(aspect)
    session.flush()
    gone = [c for code, c in old_criteria.items() if code not in kept]
    for criterion in sorted(gone, key=lambda c: c.parent_id is None):  # sub-criteria first
        session.delete(criterion)
        session.flush()
    for panel_id in had_all:
        session.add_all(PanelAspect(panel_id=panel_id, aspect_id=aspect_id) for aspect_id in new_ids)
    session.flush()

    after = _tree(session, event)
    record = events.append(session, "scheme.replaced",
                           {"event": event.id, "scheme": row.id, "before": before, "after": after},
                           actor=actor.label, competition_id=event.competition_id, device_id=actor.device_id)
    boards = event_rules.announce_boards(session, actor, event, "scheme")
    session.flush()
    return SchemeChange(after, boards, record.id)


def _check_rules(event: SkillEvent, scheme: Scheme) -> None:
    """The event's stored rules must still fit: per-aspect settings and criterion tie-breakers
    name codes of this scheme (otherwise every board of the event would stop computing)."""
    try:
        event_rules.parse(event.rules).validate_for(scheme)
    except ValidationFailed as error:
        raise ValidationFailed("scheme.breaks_rules", field="criteria", rule=error.field or "") from None


def _check_marks(session: Session, flat: _Flat, old_aspects: dict[str, Aspect]) -> None:
    marked = _marked(session, [a.id for a in old_aspects.values()])
    if not marked:
        return
    drafts = {a.code: (path, a) for path, a, _, _ in flat.aspects}
    for code, aspect in old_aspects.items():
        if aspect.id not in marked:
            continue
        if code not in drafts:
            raise ValidationFailed("scheme.aspect_has_marks", field="criteria", aspect=code)
        path, draft = drafts[code]
        if draft.kind != aspect.kind:
            raise ValidationFailed("scheme.kind_locked", field=f"{path}.kind", aspect=code)
        if draft.max < marked[aspect.id]:
            raise ValidationFailed("scheme.max_below_marks", field=f"{path}.max", aspect=code,
                                   min=str(marked[aspect.id]))


def _panels_covering(session: Session, event_id: int, aspect_ids: set[int]) -> list[int]:
    """Panels of the event's stages that hold every one of ``aspect_ids`` (and at least one)."""
    if not aspect_ids:
        return []
    panels = session.scalars(select(Panel.id).join(Stage, Stage.id == Panel.stage_id)
                             .where(Stage.event_id == event_id)).all()
    out = []
    for panel_id in panels:
        have = set(session.scalars(select(PanelAspect.aspect_id).where(PanelAspect.panel_id == panel_id)))
        if aspect_ids <= have:
            out.append(panel_id)
    return out


# -- spreadsheets ---------------------------------------------------------------------------

SHAPE = Shape("scheme", (
    Column("criterion_code", "Criterion code", "模块代码"),
    Column("criterion_name", "Criterion", "模块名称"),
    Column("weight", "Weight", "权重"),
    Column("scale_to", "Scale to", "折算分值", required=False),
    Column("sub_code", "Sub-criterion code", "子模块代码", required=False),
    Column("sub_name", "Sub-criterion", "子模块名称", required=False),
    Column("aspect_code", "Aspect code", "评分项代码"),
    Column("aspect_name", "Aspect", "评分项名称"),
    Column("kind", "Kind", "类型"),
    Column("max", "Max", "满分"),
    Column("step", "Step", "步长", required=False),
    Column("tolerance", "Tolerance", "容差表", required=False),
))
COLUMNS = SHAPE.columns
#: aspect kinds as written in a file: key → (English, Chinese)
KIND_NAMES = {"measurement": ("measurement", "测量"), "judgement": ("judgement", "评价"),
              "points": ("points", "评分"), "deduction": ("deduction", "扣分")}


def export_xlsx(session: Session, actor: Actor, event_id: int, locale: str) -> tuple[str, bytes]:
    """The scheme as one row per aspect, headers and kinds spelled in ``locale``."""
    tree = scheme_tree(session, actor, event_id)
    zh = locale.startswith("zh")
    rows: list[list[Any]] = []
    for c in tree["criteria"]:
        groups = [(None, c["aspects"])] + [(s, s["aspects"]) for s in c["sub_criteria"]]
        for sub, aspects in groups:
            for a in aspects:
                rows.append([c["code"], c["name"], c["weight"], c["scale_to"], sub["code"] if sub else None,
                             sub["name"] if sub else None, a["code"], a["name"],
                             KIND_NAMES[a["kind"]][1 if zh else 0], a["max"], a["step"],
                             "; ".join(f"{b['within']}:{b['mark']}" for b in a["tolerance"]) or None])
    header = [col.label(locale) for col in COLUMNS]
    event = _event(session, event_id)
    return f"scheme-{event.code}.xlsx", write_rows("xlsx", header, rows, title="scheme")


@dataclasses.dataclass(frozen=True)
class ImportedDraft:
    draft: SchemeDraft
    #: tree path prefix (``criteria[0].aspects[1]``) → spreadsheet row, for error messages
    rows: dict[str, int]

    def field_for(self, field: str | None) -> str | None:
        """A tree path as the file's row (``rows[7].max``), when it names an aspect or criterion."""
        if field is None:
            return None
        for prefix in sorted(self.rows, key=len, reverse=True):
            if field == prefix or field.startswith(prefix + "."):
                return f"rows[{self.rows[prefix]}]{field[len(prefix):]}"
        return field


def _cell_decimal(value: Any, row: int, key: str, *, percent: bool = False) -> Decimal | None:
    raw = text(value)
    if raw == "":
        return None
    try:
        if percent and raw.endswith("%"):
            return Decimal(raw[:-1].strip()) / 100
        number = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed("scheme.bad_cell", field=f"rows[{row}].{key}", row=row, value=raw) from None
    if not number.is_finite():
        raise ValidationFailed("scheme.bad_cell", field=f"rows[{row}].{key}", row=row, value=raw)
    return number


def _kind(value: Any, row: int) -> str:
    raw = "".join(text(value).split()).lower()
    for key, (en, zh) in KIND_NAMES.items():
        if raw in (key, en, zh):
            return key
    raise ValidationFailed("scheme.unknown_kind", field=f"rows[{row}].kind", allowed=", ".join(KINDS))


def _tolerance(value: Any, row: int) -> tuple[tuple[Decimal, Decimal], ...]:
    raw = text(value)
    bands = []
    for part in filter(None, (p.strip() for p in re.split(r"[;；]", raw))):
        within, _, mark = part.replace("：", ":").partition(":")
        try:
            bands.append((Decimal(within.strip()), Decimal(mark.strip())))
        except InvalidOperation:
            raise ValidationFailed("scheme.bad_cell", field=f"rows[{row}].tolerance", row=row, value=part) from None
    return tuple(bands)


def draft_from_xlsx(content: bytes, name: str) -> ImportedDraft:
    """Read a scheme file (``export_xlsx``'s shape); raises ``ValidationFailed`` naming the row."""
    rows = read_rows(content, "xlsx")
    if not rows:
        raise ValidationFailed("import.empty", field="file")
    index, missing = match_header(SHAPE, rows[0][1])
    if missing:
        raise ValidationFailed("import.missing_column", field="file", column=missing[0].params["column"])
    if len(rows) == 1:
        raise ValidationFailed("import.no_rows", field="file")

    def cell(cells: list[Any], key: str) -> Any:
        position = index.get(key)
        return cells[position] if position is not None and position < len(cells) else None

    criteria: dict[str, dict[str, Any]] = {}
    origin: dict[str, int] = {}
    for number, cells in rows[1:]:
        code = text(cell(cells, "criterion_code"))
        aspect_code = text(cell(cells, "aspect_code"))
        for key, value in (("criterion_code", code), ("aspect_code", aspect_code),
                           ("criterion_name", text(cell(cells, "criterion_name"))),
                           ("aspect_name", text(cell(cells, "aspect_name")))):
            if not value:
                raise ValidationFailed("import.required", field=f"rows[{number}].{key}")
        weight = _cell_decimal(cell(cells, "weight"), number, "weight", percent=True)
        scale_to = _cell_decimal(cell(cells, "scale_to"), number, "scale_to")
        c = criteria.setdefault(code, {"name": text(cell(cells, "criterion_name")), "weight": weight,
                                       "scale_to": scale_to, "aspects": [], "subs": {}, "row": number})
        if weight is not None and c["weight"] is not None and weight != c["weight"]:
            raise ValidationFailed("scheme.conflicting_rows", field=f"rows[{number}].weight", row=number,
                                   first=c["row"], criterion=code)
        c["weight"] = c["weight"] if c["weight"] is not None else weight
        maximum = _cell_decimal(cell(cells, "max"), number, "max")
        if maximum is None:
            raise ValidationFailed("import.required", field=f"rows[{number}].max")
        aspect = AspectDraft(aspect_code, text(cell(cells, "aspect_name")), _kind(cell(cells, "kind"), number),
                             maximum, _cell_decimal(cell(cells, "step"), number, "step"),
                             _tolerance(cell(cells, "tolerance"), number))
        sub_code = text(cell(cells, "sub_code"))
        if sub_code:
            sub = c["subs"].setdefault(sub_code, {"name": text(cell(cells, "sub_name")) or sub_code, "aspects": []})
            sub["aspects"].append((aspect, number))
        else:
            c["aspects"].append((aspect, number))
    drafts = []
    for i, (code, c) in enumerate(criteria.items()):
        path = f"criteria[{i}]"
        origin[path] = c["row"]
        for j, (_, number) in enumerate(c["aspects"]):
            origin[f"{path}.aspects[{j}]"] = number
        for k, sub in enumerate(c["subs"].values()):
            for j, (_, number) in enumerate(sub["aspects"]):
                origin[f"{path}.sub_criteria[{k}].aspects[{j}]"] = number
        if c["weight"] is None:
            raise ValidationFailed("import.required", field=f"rows[{c['row']}].weight")
        drafts.append(CriterionDraft(
            code, c["name"], c["weight"], c["scale_to"], tuple(a for a, _ in c["aspects"]),
            tuple(GroupDraft(sub_code, sub["name"], tuple(a for a, _ in sub["aspects"]))
                  for sub_code, sub in c["subs"].items())))
    return ImportedDraft(SchemeDraft(name, tuple(drafts)), origin)


def import_xlsx(session: Session, actor: Actor, event_id: int, content: bytes) -> SchemeChange:
    """Replace the scheme with a file's; errors name the file's rows (``rows[7].max``)."""
    event = _event(session, event_id)
    permissions.require(actor, "setup.write", event.competition_id, not_found="event.not_found")
    current = session.scalar(select(SchemeRow.name).where(SchemeRow.event_id == event.id))
    imported = draft_from_xlsx(content, current or event.name)
    try:
        return replace_scheme(session, actor, event_id, imported.draft)
    except ValidationFailed as error:
        raise ValidationFailed(error.code, field=imported.field_for(error.field), **error.params) from None


def tree_codes(tree: dict[str, Any]) -> Iterable[str]:
    """Every aspect code of a tree, in scheme order."""
    for c in tree["criteria"]:
        yield from (a["code"] for a in c["aspects"])
        for s in c["sub_criteria"]:
            yield from (a["code"] for a in s["aspects"])
