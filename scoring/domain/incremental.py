"""The live board: one board's current marks kept in memory, rescoring only what changed.

Owns: ``LiveBoard``, which holds a board's *panels* ((entry, aspect) → judge → current value)
between recomputes, maintains the inferred panel sizes as histograms (the most judges seen per
aspect, or per module at sheet level: see ``engine``), and caches each entry's scored record.
``put`` records one judge's current value; ``result`` rescores the entries whose values
changed - every entry when an inferred panel size moved, since that changes flags - and then
assembles the board: ranking, standardisation and awards are board-wide and run every time
(a few milliseconds for 300 entries, against tens for rescoring 90,000 marks).

Contract: ``result()`` equals ``engine.compute_panels(scheme, entries, panels, rules)`` for the
same panels, always (tests check it with hypothesis, including values changed in any order).
Values are only ever added or replaced, never removed: marks are append-only, so a removal (a
sheet or team deleted) calls for a new ``LiveBoard`` built from storage. A different set of
entry ids rebuilds the histograms from the panels held; other entry fields (code, status,
completion time, lot) may change freely between calls to ``result``.

Must not: read storage or decide which revision of a mark is current (the caller puts values
in commit order, the latest last).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence, ValuesView
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import TypeVar

from .engine import (
    BoardResult,
    EntryInput,
    EventRules,
    RowMemo,
    Scored,
    Setup,
    assemble,
    empty_board,
    score_entry,
)
from .scheme import AspectKind, Scheme, validate_scheme

Key = tuple[int, int]
K = TypeVar("K", bound=Hashable)


class LiveBoard:
    """The current marks of one board and its cached per-entry scores (see the module doc)."""

    def __init__(self, scheme: Scheme, rules: EventRules, entries: Sequence[EntryInput],
                 panels: Mapping[Key, Mapping[int, Decimal]] | None = None) -> None:
        self.scheme = scheme
        self.rules = rules
        self._empty = not scheme.modules and not scheme.aspects
        if self._empty:
            rules.validate()
        else:
            validate_scheme(scheme)
            rules.validate_for(scheme)
        self._setup = Setup.build(scheme, rules)
        self._known_aspects = {a.id for a in scheme.aspects}
        self._module_of = {p.id: p.module_code for p in self._setup.plans
                           if p.kind is not AspectKind.MEASUREMENT}
        self._entries: dict[int, EntryInput] = {e.id: e for e in entries}
        self._order: list[EntryInput] = list(entries)
        self._panels: dict[Key, dict[int, Decimal]] = {}
        self._views: dict[Key, ValuesView[Decimal]] = {}
        self._aspect_sizes: dict[int, Counter[int]] = {}
        self._module_judges: dict[tuple[int, str], set[int]] = {}
        self._module_sizes: dict[str, Counter[int]] = {}
        self._ignored = 0
        self._values = 0
        self._scored: dict[int, Scored] = {}
        self._dirty: set[int] = set(self._entries)
        self._scored_with: tuple[dict[int, int], dict[str, int]] | None = None
        self._rows: RowMemo = {}
        if panels:
            self._load({key: dict(judged) for key, judged in panels.items()})

    @classmethod
    def adopt(cls, scheme: Scheme, rules: EventRules, entries: Sequence[EntryInput],
              panels: dict[Key, dict[int, Decimal]]) -> LiveBoard:
        """A live board that takes ``panels`` over (the caller must not change them after)."""
        board = cls(scheme, rules, entries)
        board._load(panels)
        return board

    def _load(self, panels: dict[Key, dict[int, Decimal]]) -> None:
        """Bulk load into an empty board: one pass over the panels, not one ``put`` per value."""
        self._panels = panels
        self._views = {key: judged.values() for key, judged in panels.items()}
        entries, aspects, module_of = self._entries, self._known_aspects, self._module_of
        sizes: dict[int, dict[int, int]] = {}
        judges_of: dict[tuple[int, str], set[int]] = {}
        values = ignored = 0
        for (entry_id, aspect_id), judged in panels.items():
            n = len(judged)
            values += n
            if entry_id not in entries or aspect_id not in aspects:
                ignored += n
                continue
            if n:
                counts = sizes.get(aspect_id)
                if counts is None:
                    counts = sizes[aspect_id] = {}
                counts[n] = counts.get(n, 0) + 1
            module = module_of.get(aspect_id)
            if module is not None:
                seen = judges_of.get((entry_id, module))
                if seen is None:
                    judges_of[(entry_id, module)] = set(judged)
                else:
                    seen.update(judged)
        self._values += values
        self._ignored += ignored
        self._aspect_sizes = {a: Counter(c) for a, c in sizes.items()}
        self._module_judges = judges_of
        for (_entry, module), judges in judges_of.items():
            if judges:
                self._module_sizes.setdefault(module, Counter())[len(judges)] += 1

    @property
    def values(self) -> int:
        """How many current values the board holds (known or not)."""
        return self._values

    @property
    def entry_ids(self) -> set[int]:
        return set(self._entries)

    def panels(self) -> Mapping[Key, Mapping[int, Decimal]]:
        return self._panels

    def put(self, entry_id: int, aspect_id: int, judge_id: int, value: Decimal) -> bool:
        """Record ``judge_id``'s current value; True if anything changed."""
        key = (entry_id, aspect_id)
        judged = self._panels.get(key)
        if judged is None:
            judged = self._panels[key] = {}
            self._views[key] = judged.values()
        old = judged.get(judge_id)
        if old is not None and old == value and old.as_tuple() == value.as_tuple():
            return False
        judged[judge_id] = value
        known = entry_id in self._entries and aspect_id in self._known_aspects
        if old is None:
            self._values += 1
            if not known:
                self._ignored += 1
                return True
            _grow(self._aspect_sizes.setdefault(aspect_id, Counter()), len(judged))
            module = self._module_of.get(aspect_id)
            if module is not None:
                judges = self._module_judges.setdefault((entry_id, module), set())
                if judge_id not in judges:
                    judges.add(judge_id)
                    _grow(self._module_sizes.setdefault(module, Counter()), len(judges))
        if known:
            self._dirty.add(entry_id)
        return True

    def put_many(self, values: Iterable[tuple[int, int, int, Decimal]]) -> int:
        """``put`` each (entry, aspect, judge, value) in order; returns how many changed."""
        return sum(1 for e, a, j, v in values if self.put(e, a, j, v))

    def result(self, entries: Sequence[EntryInput] | None = None) -> BoardResult:
        """The board now; ``entries`` (optional) replaces the entries' fields or set."""
        if entries is not None:
            self._set_entries(entries)
        with localcontext() as ctx:
            ctx.prec = 28
            ctx.rounding = ROUND_HALF_EVEN
            if self._empty:
                return empty_board(self._order, self.rules, self._values)
            inferred = _maxima(self._aspect_sizes)
            seen = _maxima(self._module_sizes) if self._setup.sheet else {}
            if (inferred, seen) != self._scored_with:
                self._dirty = set(self._entries)
            if self._dirty:
                fast = self._setup.fast(inferred)
                for entry_id in self._dirty:
                    self._scored[entry_id] = score_entry(
                        self._setup, fast, self._entries[entry_id], self._views, self._panels,
                        seen)
                self._dirty.clear()
                self._scored_with = (inferred, seen)
            scored = []
            for entry in self._order:
                s = self._scored[entry.id]
                if s.entry is not entry and s.entry != entry:
                    s = self._scored[entry.id] = replace(s, entry=entry)
                scored.append(s)
            return assemble(scored, self.rules, self._ignored, self._rows)

    def _set_entries(self, entries: Sequence[EntryInput]) -> None:
        ids = {e.id for e in entries}
        if ids == set(self._entries):
            self._order = list(entries)
            self._entries = {e.id: e for e in entries}
            return
        fresh = LiveBoard(self.scheme, self.rules, entries, self._panels)
        self.__dict__.update(fresh.__dict__)


def _grow(sizes: Counter[int], n: int) -> None:
    """One more panel (or module) now has ``n`` judges instead of ``n - 1``."""
    if n > 1:
        sizes[n - 1] -= 1
    sizes[n] += 1


def _maxima(sizes: Mapping[K, Counter[int]]) -> dict[K, int]:
    out: dict[K, int] = {}
    for key, counter in sizes.items():
        top = max((n for n, count in counter.items() if count > 0), default=0)
        if top:
            out[key] = top
    return out
