"""Every registry parameter has a role: behaviour (calibrated once for all years), context (the
world of a period, set by a scenario from the record) or policy (a lever a user varies)."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

import negotiation_sim as ns
from negotiation_sim import parameters
from negotiation_sim.actors import ACTORS
from negotiation_sim.errors import ScenarioError
from negotiation_sim.parameters import REGISTRY, ROLE_MEANINGS, ROLES, with_role

SCENARIOS = resources.files("negotiation_sim") / "data" / "scenarios"
HISTORICAL = ("pressure-2017", "no-preconditions-2022")
#: Calibrated against the record, yet the period's Security Council politics, not behaviour.
CALIBRATED_CONTEXT = {"beijing.shield", "moscow.rivalry_veto"}
_PARAM_LINE = re.compile(r'^\s*"([a-z_]+\.[a-z_]+)"\s*=')


def _params_split(name: str) -> tuple[set[str], set[str]]:
    """The parameters a shipped scenario file sets outside and inside its calibrated block."""
    text = (SCENARIOS / f"{name}.toml").read_text(encoding="utf-8")
    declared = set(tomllib.loads(text)["params"])
    outside: set[str] = set()
    inside: set[str] = set()
    block = None
    for line in text.splitlines():
        if line.startswith("# --- calibrated"):
            block = inside
        elif line.startswith("# --- end calibrated"):
            block = None
        elif match := _PARAM_LINE.match(line):
            (inside if block is inside else outside).add(match.group(1))
    assert outside | inside == declared, f"{name}: lines read disagree with the TOML"
    assert not outside & inside, f"{name}: set both outside and inside the calibrated block"
    return outside, inside


def test_roles_have_meanings() -> None:
    assert ROLES == ("behaviour", "context", "policy")
    assert set(ROLE_MEANINGS) == set(ROLES)
    assert all(ROLE_MEANINGS[r].strip() for r in ROLES)


def test_every_parameter_has_a_valid_role() -> None:
    bad = {p.name: p.role for p in REGISTRY.values() if p.role not in ROLES}
    assert not bad


@pytest.mark.parametrize("name", HISTORICAL)
def test_historical_scenarios_set_no_behaviour_outside_the_calibrated_block(name: str) -> None:
    outside, inside = _params_split(name)
    assert inside, f"{name}: no calibrated block found"
    wrong = {p: REGISTRY[p].role for p in outside if REGISTRY[p].role == "behaviour"}
    assert not wrong, f"{name} sets behaviour parameters from the record: {wrong}"


@pytest.mark.parametrize("name", HISTORICAL)
def test_calibrated_blocks_hold_behaviour_or_security_council_context(name: str) -> None:
    _, inside = _params_split(name)
    for p in inside:
        expected = "context" if p in CALIBRATED_CONTEXT else "behaviour"
        assert REGISTRY[p].role == expected, (name, p, REGISTRY[p].role)


def test_with_role_partitions_the_registry() -> None:
    groups = [with_role(r) for r in ROLES]
    names = [p.name for group in groups for p in group]
    assert sorted(names) == sorted(REGISTRY)
    assert len(names) == len(set(names))
    for role, group in zip(ROLES, groups, strict=True):
        assert group, f"no {role} parameter"
        assert all(p.role == role for p in group)
        assert [p.name for p in group] == [n for n in REGISTRY if REGISTRY[n].role == role]


@pytest.mark.parametrize("role", ["calibrated", "", "Behaviour", None])
def test_a_bad_role_names_the_allowed_ones(role) -> None:
    with pytest.raises(ScenarioError) as err:
        with_role(role)
    assert all(repr(r) in str(err.value) for r in ROLES)


def test_a_parameter_with_a_bad_role_is_refused() -> None:
    entry = REGISTRY["washington.pressure"]
    with pytest.raises(ScenarioError, match="behaviour"):
        parameters.Parameter(
            entry.name,
            entry.default,
            entry.low,
            entry.high,
            entry.unit,
            entry.mechanisms,
            entry.source,
            entry.quote,
            entry.doc,
            role="lever",
        )


@pytest.mark.parametrize("actor", [a.key for a in ACTORS] + ["world"])
def test_every_actor_has_a_behaviour_parameter(actor: str) -> None:
    assert any(p.actor == actor for p in with_role("behaviour")), actor


# --- sweeps and sensitivity select parameters by role ----------------------------------------
@pytest.mark.parametrize("roles", ["policy", "behaviour", ["policy", "context"]])
def test_a_sweep_space_may_be_roles(roles):
    from negotiation_sim.sweeps import parse_space

    chosen = [roles] if isinstance(roles, str) else roles
    space = parse_space(roles)
    expected = [p.name for p in parameters.continuous() if p.role in chosen]
    assert list(space) == expected and expected
    for name in expected:
        entry = parameters.REGISTRY[name]
        assert space[name] == {"low": float(entry.low), "high": float(entry.high)}


def test_a_sweep_over_policy_varies_only_policy(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'scenario = "pressure-2017"\nspace = "policy"\nreplicates = 2\ndesign = "lhs"\n'
        "points = 4\ndays = 20\n",
        encoding="utf-8",
    )
    result = ns.sweeps.run_sweep(ns.load_spec(spec))
    varied = [c for c in result.points.columns if c in parameters.REGISTRY]
    assert varied and all(parameters.REGISTRY[c].role == "policy" for c in varied)
    assert result.outcomes["point"].nunique() == 4


@pytest.mark.parametrize("space", ["nonsense", ["policy", "levers"]])
def test_an_unknown_role_is_refused(space):
    with pytest.raises(ns.ScenarioError, match="roles among behaviour, context, policy"):
        ns.sweep("pressure-2017", space=space, replicates=1, points=2, days=5)
