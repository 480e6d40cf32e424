"""The import rules of architecture.md, checked on the source with ``ast``.

- ``*/domain/`` imports only the standard library, other ``domain`` packages and
  ``compete.errors`` (itself standard-library only).
- Kernel modules of ``compete`` import none of registration, accounts, scoring, realtime.
- ``realtime`` imports only the kernel (and its own modules).
- ``compete`` never imports ``scoring`` except in ``app.py`` and ``cli.py``.
- Services, jobs, domain, schemas, models and repositories never import ``flask``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("compete", "scoring", "realtime")
KERNEL = ("settings", "db", "queues", "errors", "security", "events", "runtime", "migrate")
OURS = PACKAGES
NO_FLASK = ("services", "jobs", "schemas", "models", "repository", "marking", "boards", "recompute", "relay",
            "demo", "simulate", "worker")


def modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found.append((name.removesuffix(".__init__"), path))
    return found


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = ".".join(path.relative_to(ROOT).with_suffix("").parts[: -node.level])
                names.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                names.add(node.module)
    return names


def top(name: str) -> str:
    return name.split(".")[0]


def is_stdlib(name: str) -> bool:
    return top(name) in sys.stdlib_module_names or top(name) == "__future__"


ALL = modules()


@pytest.mark.parametrize(("module", "path"), [m for m in ALL if ".domain" in m[0]], ids=lambda v: str(v))
def test_domain_imports_only_the_standard_library_and_domain(module: str, path: Path) -> None:
    bad = {
        name for name in imports(path)
        if not is_stdlib(name) and ".domain" not in f".{name}" and name != "compete.errors"
    }
    assert not bad, f"{module} imports {sorted(bad)}"


@pytest.mark.parametrize(("module", "path"), [m for m in ALL if m[0] in {f"compete.{k}" for k in KERNEL}],
                         ids=lambda v: str(v))
def test_kernel_imports_no_context(module: str, path: Path) -> None:
    contexts = ("compete.registration", "compete.accounts", "scoring", "realtime")
    bad = {name for name in imports(path) if name.startswith(contexts)}
    assert not bad, f"{module} imports {sorted(bad)}"


@pytest.mark.parametrize(("module", "path"), [m for m in ALL if top(m[0]) == "realtime"], ids=lambda v: str(v))
def test_realtime_imports_only_the_kernel(module: str, path: Path) -> None:
    allowed = tuple(f"compete.{k}" for k in KERNEL) + ("realtime",)
    bad = {name for name in imports(path) if top(name) in OURS and not name.startswith(allowed)}
    assert not bad, f"{module} imports {sorted(bad)}"


@pytest.mark.parametrize(("module", "path"), [m for m in ALL if top(m[0]) == "compete"], ids=lambda v: str(v))
def test_compete_never_imports_scoring(module: str, path: Path) -> None:
    if module in ("compete.app", "compete.cli"):
        return
    bad = {name for name in imports(path) if top(name) == "scoring"}
    assert not bad, f"{module} imports {sorted(bad)}"


@pytest.mark.parametrize(
    ("module", "path"),
    [m for m in ALL if m[0].split(".")[-1] in NO_FLASK or ".domain" in m[0]],
    ids=lambda v: str(v),
)
def test_services_jobs_domain_and_schemas_never_import_flask(module: str, path: Path) -> None:
    bad = {name for name in imports(path) if top(name) in ("flask", "flask_socketio", "flask_babel")}
    assert not bad, f"{module} imports {sorted(bad)}"


def test_the_rules_see_every_package() -> None:
    names = {m for m, _ in ALL}
    assert {"compete.app", "scoring.boards", "realtime.emit"} <= names
    assert any(".domain." in n for n in names)
