"""The docs stay true to the code: the generated reference is current, the ODD description
names every mechanism and parameter, and every registry parameter is read by some rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from negotiation_sim.parameters import REGISTRY
from negotiation_sim.reference import COMMAND, MECHANISM_IDS, write_reference

ROOT = Path(__file__).parents[1]
REFERENCE = ROOT / "docs" / "reference.md"
ODD = ROOT / "docs" / "ODD.md"
SRC = ROOT / "src" / "negotiation_sim"


def test_reference_is_current(tmp_path: Path) -> None:
    fresh = write_reference(tmp_path / "reference.md").read_text(encoding="utf-8")
    assert REFERENCE.is_file(), f"docs/reference.md is missing: run `{COMMAND}`"
    assert REFERENCE.read_text(encoding="utf-8") == fresh, (
        f"docs/reference.md is out of date with the package's data: run `{COMMAND}` "
        "from the repository root and commit the result"
    )


@pytest.fixture(scope="module")
def odd() -> str:
    return ODD.read_text(encoding="utf-8")


def test_odd_names_every_mechanism(odd: str) -> None:
    missing = [m for m in MECHANISM_IDS if not re.search(rf"\b{m}\b", odd)]
    assert not missing, f"docs/ODD.md never mentions {', '.join(missing)}"


def test_odd_names_every_parameter(odd: str) -> None:
    missing = [name for name in REGISTRY if not re.search(rf"(?<![\w.]){re.escape(name)}\b", odd)]
    assert not missing, "docs/ODD.md never mentions these registry parameters: " + ", ".join(
        missing
    )


def test_odd_links_to_reference(odd: str) -> None:
    assert "(reference.md)" in odd


def _code_outside_registry() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "parameters.py"
    )


def _read_by_getattr(code: str) -> set[str]:
    """Short names read as ``getattr(p, name) for name in ("a", "b", ...)``."""
    names: set[str] = set()
    loops = re.finditer(
        r"getattr\(\s*(?:self\.)?p\s*,\s*(\w+)\s*\)[)\s]*for\s+\1\s+in\s*"
        r"\(([^)]*)\)",
        code,
    )
    for loop in loops:
        names.update(re.findall(r"[\"'](\w+)[\"']", loop.group(2)))
    return names


def _is_used(name: str, short: str, actor: str, code: str, by_getattr: set[str]) -> bool:
    patterns = [
        rf"\bp\.{short}\b",  # p.<short>, self.p.<short>, moscow.p.<short>
        rf"[\"']{re.escape(name)}[\"']",  # the dotted name as a string
    ]
    if actor == "world":  # the model keeps these in self.world (alias w)
        patterns.append(rf"\b(?:world|w)\.{short}\b")
    return short in by_getattr or any(re.search(p, code) for p in patterns)


def test_every_parameter_is_used() -> None:
    """A parameter no rule reads is dead weight in sweeps and docs: report it, do not delete."""
    code = _code_outside_registry()
    by_getattr = _read_by_getattr(code)
    unused = [
        p.name
        for p in REGISTRY.values()
        if not _is_used(p.name, p.short, p.actor, code, by_getattr)
    ]
    assert not unused, (
        "registry parameters no code outside parameters.py reads: "
        + ", ".join(unused)
        + " (report them; do not delete them here)"
    )
