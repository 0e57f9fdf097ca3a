"""Each actor's declarations are checked against the code, the tests and the docs, as Axelrod
checks its strategies' classifiers: a declared mechanism is tested and documented, every
mechanism is declared by some actor, and every declared quantity is computed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import negotiation_sim as ns
from negotiation_sim.actors import ACTORS, BY_KEY, CHANNELS, HOOKS
from negotiation_sim.outcomes import DAILY, EVENT_KINDS, OUTCOMES
from negotiation_sim.scenarios import ACTOR_ALIASES, MOVE_KINDS

ROOT = Path(__file__).resolve().parents[1]
MECHANISMS = {f"M{i}" for i in range(1, 21)}


def mechanism_tests() -> dict[str, str]:
    """The source of every mechanism test (a ``test_mNN_...`` function in any test file),
    joined by mechanism id."""
    sources: dict[str, str] = {}
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        for node in ast.parse(text).body:
            match = re.fullmatch(r"test_m(\d\d)_\w+", getattr(node, "name", ""))
            if isinstance(node, ast.FunctionDef) and match:
                mechanism = f"M{int(match.group(1))}"
                sources[mechanism] = sources.get(mechanism, "") + ast.get_source_segment(text, node)
    return sources


def odd_code_columns() -> dict[str, dict[str, str]]:
    """The ODD's table of where the code implements each mechanism: per id, per actor class,
    the code column's references to it (the legend maps letters to classes)."""
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    section = odd.split("## Mechanisms and where the code implements them", 1)[1]
    legend = section.split("| id |", 1)[0]
    pairs = re.findall(r"`(\w)`\s+(?:stands\s+)?for\s+`actors/\w+\.py: (\w+)`", legend)
    assert {cls for _, cls in pairs} == {a.__name__ for a in ACTORS}, pairs
    out = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"M\d+", cells[0]):
            out[cells[0]] = {cls: cells[2] for letter, cls in pairs if f"`{letter}." in cells[2]}
    return out


def test_every_mechanism_is_declared_by_some_actor():
    declared = {m for actor in ACTORS for m in actor.mechanisms}
    assert declared == MECHANISMS, sorted(MECHANISMS ^ declared)


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.key)
def test_declared_mechanisms_are_the_documented_ones(actor):
    """The ODD's table names the actor's code for exactly the mechanisms it declares."""
    documented = {m for m, actors in odd_code_columns().items() if actor.__name__ in actors}
    assert set(actor.mechanisms) == documented, (
        f"{actor.__name__}.mechanisms {sorted(actor.mechanisms)} but docs/ODD.md's table "
        f"names its code under {sorted(documented)}"
    )


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.key)
def test_declared_mechanisms_are_tested_on_the_actor(actor):
    """Each declared mechanism has a direction test that varies, reads or names this actor: one
    of its parameters, its class, its name, or a quantity it declares."""
    tests = mechanism_tests()
    declared = [
        *(m.name for m in (*actor.outcome_measures, *actor.daily_series)),
        *(e.kind for e in actor.event_kinds),
    ]
    marks = [f'"{actor.key}.', f"ns.{actor.__name__}", actor.label, *(f'"{n}"' for n in declared)]
    for mechanism in actor.mechanisms:
        assert mechanism in tests, f"no test_m{int(mechanism[1:]):02d}_... for {mechanism}"
        assert any(mark in tests[mechanism] for mark in marks), (
            f"{mechanism}'s tests never touch {actor.__name__}: none of {marks}"
        )


def test_every_declaration_carries_declared_mechanisms():
    for actor in ACTORS:
        for declared in (
            *actor.outcome_measures,
            *actor.daily_series,
            *actor.event_kinds,
            *actor.move_kinds,
            *actor.channels,
        ):
            assert set(declared.mechanisms) <= MECHANISMS, declared


def test_tables_gather_every_declaration_once():
    for table, attribute in (
        (OUTCOMES, "outcome_measures"),
        (DAILY, "daily_series"),
        (EVENT_KINDS, "event_kinds"),
    ):
        for actor in ACTORS:
            for declared in getattr(actor, attribute):
                key = getattr(declared, "name", None) or declared.kind
                assert table[key].owner == actor.key
    assert set(MOVE_KINDS) == {(m.actor, m.kind) for a in ACTORS for m in a.move_kinds}
    assert all(m.actor == a.key for a in ACTORS for m in a.move_kinds)
    assert {c.name for a in ACTORS for c in a.channels} <= set(CHANNELS)
    for actor in ACTORS:
        assert ACTOR_ALIASES[actor.key] == actor.key == BY_KEY[actor.key].key
        assert set(actor.influences) <= set(HOOKS)
        assert getattr(ns, actor.__name__) is actor


def test_every_declared_quantity_is_computed():
    """A model computes every outcome, daily series and event kind from its declaration, with
    one value per replicate."""
    model = ns.run("no-preconditions-2022", 7, seed=3)
    assert list(model.outcomes.columns) == list(OUTCOMES)
    for name in DAILY:
        assert model.daily(name).shape == (365, 7), name
    owners = {"world": model, **model.actors}
    for event in EVENT_KINDS.values():
        mask = np.broadcast_to(event.happened(owners[event.owner], model.today), (7,))
        assert mask.dtype == bool, event.kind
        if event.detail is not None:
            assert np.shape(event.detail(owners[event.owner], model.today)) in ((7,), ()), event
