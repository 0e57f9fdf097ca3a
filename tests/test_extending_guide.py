"""The contributor's guide (docs/extending.md) and the ODD stay true to the package: every
declaration an actor can make and every hook is explained, every file the guide names exists,
the ODD lists every actor's draws, and every registry quotation is found in its source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from negotiation_sim.actors import ACTORS, HOOKS
from negotiation_sim.actors.base import Actor
from negotiation_sim.model import WORLD_DRAWS
from negotiation_sim.parameters import RECORD, REGISTRY

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
SEEDS = ROOT.parent / "shared" / "seeds"
RECORDS = ROOT / "src" / "negotiation_sim" / "data" / "records"


def test_the_guide_explains_every_declaration_and_hook():
    for declaration in Actor.__annotations__:
        assert f"`{declaration}`" in GUIDE, f"docs/extending.md never names `{declaration}`"
    for hook in HOOKS:
        assert f"`{hook}`" in GUIDE, f"docs/extending.md never names the hook `{hook}`"
        assert f"`{hook}`" in ODD, f"docs/ODD.md never names the hook `{hook}`"


def test_every_file_the_guide_names_exists():
    paths = set(re.findall(r"`((?:src|tests|docs)/[\w./-]+)`", GUIDE))
    assert paths, "the guide names no files"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"docs/extending.md names files that do not exist: {missing}"


def _odd_draws() -> dict[str, set[str]]:
    """The ODD's table of draws (section 4.9): the names in each row, by its first cell."""
    section = ODD.split("**4.9 Stochasticity.**", 1)[1].split("**4.10", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and line.startswith("| "):
            rows[cells[0]] = set(re.findall(r"`([\w.-]+)`", cells[1]))
    return rows


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.key)
def test_the_odd_lists_each_actors_draws(actor):
    listed = _odd_draws().get(f"`{actor.__name__}`")
    assert listed is not None, f"docs/ODD.md 4.9 has no row of draws for {actor.__name__}"
    declared = set(actor.draws)
    assert declared <= listed, f"{actor.__name__}: {sorted(declared - listed)} not in ODD 4.9"
    # Beyond the declared draws, a row may name only draws made on first use (contact channels).
    assert all(name.startswith("contact.") for name in listed - declared), listed - declared


def test_the_odd_lists_the_worlds_draws():
    rows = _odd_draws()
    world = next(names for cell, names in rows.items() if cell.startswith("the world"))
    assert set(WORLD_DRAWS) == world


def _normal(text: str) -> str:
    """Typographic quotes as plain ones, and whitespace as single spaces."""
    for curly, plain in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, plain)
    return " ".join(text.split())


def _quoted_parts(quote: str) -> list[str]:
    """What must be found verbatim: the parts between double quotes when the entry quotes
    inside its own words (the Hwasong-15 "capable of ..."), else the whole; "..." elides."""
    quote = _normal(quote)
    inner = quote.split('"')[1::2] if quote.count('"') >= 2 else [quote]
    return [part.strip(" .") for q in inner for part in q.split("...") if part.strip(" .")]


@pytest.mark.parametrize("entry", list(REGISTRY.values()), ids=lambda p: p.name)
def test_registry_quotations_are_found_in_their_source(entry):
    if entry.source == RECORD:
        path = RECORDS / RECORD
    else:
        path = SEEDS / entry.source
        if not SEEDS.is_dir():
            pytest.skip("../shared/seeds is not beside the project")
    assert path.is_file(), f"{entry.name}: no source file {entry.source}"
    text = _normal(path.read_text(encoding="utf-8"))
    for part in _quoted_parts(entry.quote):
        assert part in text, f"{entry.name}: {part!r} is not in {entry.source}"
