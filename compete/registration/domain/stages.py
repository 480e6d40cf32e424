"""The order of an event's stages: zone selection rounds come before the final.

Owns: ``check_stages`` over an event's stages as (code, kind, position) triples: codes unique,
at most one final, every zone round placed before the final, a ``single`` stage (a one-round
contest) alone. Raises ``ValidationFailed`` naming the field at fault.

Must not: import anything but the standard library and ``compete.errors``; read storage.
"""

from __future__ import annotations

from collections.abc import Sequence

from compete.errors import ValidationFailed

KINDS = ("zone", "final", "single")


def check_stages(stages: Sequence[tuple[str, str, int]]) -> None:
    codes = [code for code, _, _ in stages]
    if len(set(codes)) != len(codes):
        raise ValidationFailed("stage.code_taken", field="code")
    kinds = [kind for _, kind, _ in stages]
    if any(kind not in KINDS for kind in kinds):
        raise ValidationFailed("stage.unknown_kind", field="kind")
    if kinds.count("final") > 1:
        raise ValidationFailed("stage.one_final", field="kind")
    if "single" in kinds and len(stages) > 1:
        raise ValidationFailed("stage.single_alone", field="kind")
    finals = [position for _, kind, position in stages if kind == "final"]
    if finals and any(position >= finals[0] for _, kind, position in stages if kind == "zone"):
        raise ValidationFailed("stage.zone_after_final", field="position")
