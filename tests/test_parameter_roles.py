"""Every registry parameter has a role: behaviour (calibrated once for all years), context (the
world of a period, set by a scenario from the record) or policy (a lever a user varies)."""

from __future__ import annotations

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


def test_roles_have_meanings() -> None:
    assert ROLES == ("behaviour", "context", "policy")
    assert set(ROLE_MEANINGS) == set(ROLES)
    assert all(ROLE_MEANINGS[r].strip() for r in ROLES)


def test_every_parameter_has_a_valid_role() -> None:
    bad = {p.name: p.role for p in REGISTRY.values() if p.role not in ROLES}
    assert not bad


@pytest.mark.parametrize("name", HISTORICAL)
def test_historical_scenarios_set_only_context_and_policy(name: str) -> None:
    """One model for every year: a period's file sets its world and its policies, never how
    an actor decides."""
    text = (SCENARIOS / f"{name}.toml").read_text(encoding="utf-8")
    declared = set(tomllib.loads(text)["params"])
    assert declared
    wrong = {p: REGISTRY[p].role for p in declared if REGISTRY[p].role == "behaviour"}
    assert not wrong, f"{name} sets behaviour parameters: {wrong}"
    assert not ns.load_scenario(name).changes_behaviour


def test_no_shipped_file_sets_behaviour_unless_it_is_a_counterfactual() -> None:
    for name in ns.list_scenarios():
        raw = tomllib.loads((SCENARIOS / f"{name}.toml").read_text(encoding="utf-8"))
        behaviour = [p for p in raw.get("params", {}) if REGISTRY[p].role == "behaviour"]
        assert not behaviour or "base" in raw or raw.get("counterfactual") is True, name


def _write(tmp_path, body: str):
    path = tmp_path / "file.toml"
    path.write_text(
        'name = "mine"\nstart = 2022-01-01\nhorizon_days = 30\n' + body, encoding="utf-8"
    )
    return path


def test_a_file_that_sets_behaviour_is_refused_naming_file_key_and_way_out(tmp_path) -> None:
    path = _write(tmp_path, '[params]\n"pyongyang.test_propensity" = 0.05\n')
    with pytest.raises(ScenarioError) as err:
        ns.load_scenario(path)
    message = str(err.value)
    for part in (
        str(path),
        "pyongyang.test_propensity",
        "0.05",
        "behaviour",
        "base",
        "counterfactual",
    ):
        assert part in message
    # Context and policy are the file's to set.
    ok = _write(tmp_path, '[params]\n"beijing.enforcement" = 0.9\n"washington.pressure" = 0.2\n')
    assert not ns.load_scenario(ok).changes_behaviour


def test_a_counterfactual_may_set_behaviour(tmp_path) -> None:
    marked = _write(tmp_path, 'counterfactual = true\n[params]\n"pyongyang.salvo" = 0.5\n')
    assert ns.load_scenario(marked).params["pyongyang.salvo"] == 0.5
    based = tmp_path / "based.toml"
    based.write_text(
        'name = "b"\nbase = "pressure-2017"\n[params]\n"pyongyang.salvo" = 0.5\n',
        encoding="utf-8",
    )
    assert ns.load_scenario(based).changes_behaviour
    with pytest.raises(ScenarioError, match="counterfactual.*true or false"):
        ns.load_scenario(_write(tmp_path, 'counterfactual = "yes"\n'))


def test_a_scenario_with_changed_behaviour_saves_as_a_counterfactual(tmp_path) -> None:
    """with_params may vary anything; what it writes says it is a counterfactual and reads back."""
    changed = ns.load_scenario("pressure-2017").with_params({"pyongyang.salvo": 0.5})
    assert changed.changes_behaviour
    path = changed.save(tmp_path / "changed.toml")
    assert "counterfactual = true" in path.read_text(encoding="utf-8")
    assert ns.load_scenario(path) == changed
    plain = ns.load_scenario("pressure-2017").save(tmp_path / "plain.toml")
    assert "counterfactual" not in plain.read_text(encoding="utf-8")


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
