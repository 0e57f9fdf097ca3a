"""The public API: names, Mesa conventions, `ns.run`, outcomes, daily series, events, chronicle,
the DataCollector and `mesa.batch_run`."""

from __future__ import annotations

import datetime as dt
import re

import mesa
import numpy as np
import pandas as pd
import pytest
from conftest import quiet_world

import negotiation_sim as ns
from negotiation_sim.actors import ACTORS as registered_actors
from negotiation_sim.streams import replicate_seeds

#: Every registered actor's class name: the first five, and any added since.
ACTORS = tuple(actor.__name__ for actor in registered_actors)
assert {"Washington", "Pyongyang", "Beijing", "Moscow", "UnitedNations"} <= set(ACTORS)
REQUIRED_OUTCOMES = (
    "seed",
    "talks_reached",
    "days_to_contact",
    "days_to_talks",
    "talks_days",
    "talks_collapsed",
    "launch_days",
    "missiles",
    "icbm_tests",
    "nuclear_tests",
    "us_sanctions_rounds",
    "un_resolutions",
    "un_vetoes",
    "reneged",
    "longest_pause",
    "crisis",
    "max_tension",
    "final_capability",
    "final_trust",
)


@pytest.fixture(scope="module")
def year():
    """The 2017 scenario, 6 replicates, to its horizon."""
    return ns.run("pressure-2017", replicates=6, seed=3)


def talks_world() -> tuple[ns.Scenario, dict]:
    """A world where talks are near certain when acceptance is possible, and impossible when
    it is not: per-replicate ``pyongyang.accept_rate`` splits a batch into both kinds."""
    scenario = quiet_world(
        horizon=120,
        initial={"talks_state": 1, "offer_active": True, "trust": 0.9},
        params={
            "washington.precondition": "none",
            "pyongyang.willingness_bias": 2.0,
            "pyongyang.contact_lapse": 0.0,
            "pyongyang.signal_wait_days": 0,
        },
    )
    return scenario, {"pyongyang.accept_rate": [0.0] * 4 + [1.0] * 4}


# --- names and Mesa conventions ----------------------------------------------------------------
def test_public_names():
    for name in (
        "load_scenario",
        "list_scenarios",
        "NegotiationModel",
        "ScenarioError",
        "run",
        "OUTCOMES",
        "DAILY",
        "EVENT_KINDS",
        "REGISTRY",
        "Scenario",
        "scenario_from_dict",
    ):
        assert hasattr(ns, name), name
        assert name in ns.__all__, name
    for name in ACTORS:  # every registered actor, by its class name
        assert getattr(ns, name).__name__ == name and name in dir(ns)
    assert issubclass(ns.ScenarioError, ValueError)
    assert issubclass(ns.NegotiationModel, mesa.Model)
    assert callable(ns.run) and callable(ns.load_scenario)


def test_actors_are_mesa_agents_one_of_each():
    model = ns.NegotiationModel("pressure-2017", replicates=3)
    classes = [getattr(ns, name) for name in ACTORS]
    assert all(issubclass(cls, mesa.Agent) for cls in classes)
    assert len(model.agents) == len(ACTORS)
    by_type = model.agents_by_type
    assert set(by_type) == set(classes)
    for cls in classes:
        assert len(by_type[cls]) == 1
        (agent,) = list(by_type[cls])
        assert isinstance(agent, cls) and agent.model is model
    assert {type(a) for a in model.agents} == set(classes)
    assert model.washington in model.agents and model.pyongyang in model.agents


# --- ns.run -------------------------------------------------------------------------------------
def test_run_returns_the_finished_model(year):
    assert isinstance(year, ns.NegotiationModel)
    horizon = year.scenario.horizon_days
    assert year.day == horizon and not year.running
    assert year.replicates == 6 and year.daily("tension").shape == (horizon, 6)
    assert year.date() == year.scenario.start + dt.timedelta(days=horizon)
    # Running a finished model on without a number of days does nothing.
    before = year.outcomes
    year.run()
    assert year.day == horizon
    pd.testing.assert_frame_equal(year.outcomes, before)


def test_run_matches_the_model_class():
    by_run = ns.run("no-preconditions-2022", replicates=4, days=90, seed=8)
    by_hand = ns.NegotiationModel("no-preconditions-2022", replicates=4, seed=8).run(90)
    pd.testing.assert_frame_equal(by_run.outcomes, by_hand.outcomes, check_exact=True)
    assert by_run.day == 90


def test_days_may_exceed_the_horizon(year):
    longer = ns.run("pressure-2017", replicates=6, seed=3, days=500)
    assert longer.scenario.horizon_days == 365
    assert longer.day == 500
    for name in ns.DAILY:
        assert longer.daily(name).shape == (500, 6), name
        # Running on does not change the past.
        assert np.array_equal(longer.daily(name)[:365], year.daily(name)), name
    assert len(longer.datacollector.get_model_vars_dataframe()) == 500
    events = longer.events(0)
    assert events["day"].max() < 500
    for name, outcome in (("launch_day", "launch_days"), ("missiles", "missiles")):
        np.testing.assert_array_equal(longer.daily(name).sum(axis=0), longer.outcomes[outcome])


def test_running_in_pieces_equals_running_at_once():
    whole = ns.run("pressure-2017", replicates=3, seed=4, days=150)
    pieces = ns.NegotiationModel("pressure-2017", replicates=3, seed=4)
    pieces.run(40).run(0).run(70).run(40)
    assert pieces.day == 150
    pd.testing.assert_frame_equal(whole.outcomes, pieces.outcomes, check_exact=True)
    assert np.array_equal(whole.daily("tension"), pieces.daily("tension"))


def test_recording_does_not_change_results():
    full = ns.run("pressure-2017", replicates=4, seed=2, days=120)
    bare = ns.run(
        "pressure-2017", replicates=4, seed=2, days=120, record_daily=False, record_events=False
    )
    pd.testing.assert_frame_equal(full.outcomes, bare.outcomes, check_exact=True)
    with pytest.raises(RuntimeError):
        bare.daily("tension")
    with pytest.raises(RuntimeError):
        bare.events(0)


def test_recording_some_series_keeps_exactly_those():
    """record_daily may name the series to keep (calibration keeps only what it reads)."""
    full = ns.run("no-preconditions-2022", replicates=4, seed=2, days=200)
    some = ns.run(
        "no-preconditions-2022", replicates=4, seed=2, days=200, record_daily=["icbm", "tension"]
    )
    pd.testing.assert_frame_equal(full.outcomes, some.outcomes, check_exact=True)
    for name in ("icbm", "tension"):
        assert np.array_equal(full.daily(name), some.daily(name))
    with pytest.raises(RuntimeError, match="'trust' was not recorded"):
        some.daily("trust")
    assert not ns.NegotiationModel("pressure-2017", record_daily=[]).record.enabled
    for bad in (["nonsense"], [3], "trust_level", 5):
        with pytest.raises(ns.ScenarioError, match="record_daily.*names of daily series"):
            ns.NegotiationModel("pressure-2017", record_daily=bad)


def test_seed_none_draws_a_seed_that_reproduces():
    model = ns.run("pressure-2017", replicates=3, seed=None, days=60)
    assert isinstance(model.seed, int) and model.seed >= 0
    again = ns.run("pressure-2017", replicates=3, seed=model.seed, days=60)
    pd.testing.assert_frame_equal(model.outcomes, again.outcomes, check_exact=True)


# --- outcomes -----------------------------------------------------------------------------------
def test_outcomes_columns_and_rows(year):
    out = year.outcomes
    assert isinstance(out, pd.DataFrame)
    assert len(out) == year.replicates == 6
    assert list(out.columns) == list(ns.OUTCOMES)
    assert set(REQUIRED_OUTCOMES) <= set(out.columns)
    np.testing.assert_array_equal(out["seed"], replicate_seeds(3, 6))
    # A fresh copy each time: changing it does not change the model.
    out.loc[0, "launch_days"] = -5
    assert year.outcomes.loc[0, "launch_days"] >= 0


def test_days_to_talks_is_nan_exactly_without_talks():
    scenario, params = talks_world()
    model = ns.run(scenario, replicates=8, seed=1, params=params)
    out = model.outcomes
    reached = out["talks_reached"].to_numpy()
    assert out["talks_reached"].dtype == bool
    # The setup gives both kinds of replicate, so the check below can fail.
    assert not reached[:4].any() and reached[4:].all()
    np.testing.assert_array_equal(np.isnan(out["days_to_talks"].to_numpy()), ~reached)
    assert (out["days_to_talks"][reached] >= 0).all()
    assert (out["talks_days"][~reached] == 0).all() and (out["talks_days"][reached] > 0).all()
    # Contact was there from the start in every replicate.
    assert (out["days_to_contact"] == 0).all()


def test_days_to_talks_nan_pattern_in_a_shipped_scenario():
    out = ns.run("no-preconditions-2022", replicates=50, seed=12, days=200).outcomes
    np.testing.assert_array_equal(np.isnan(out["days_to_talks"]), ~out["talks_reached"])
    np.testing.assert_array_equal(
        np.isnan(out["days_to_contact"]), np.isnan(out["days_to_contact"]) & ~out["talks_reached"]
    )


# --- daily series -------------------------------------------------------------------------------
def test_daily_shapes(year):
    for name in ns.DAILY:
        values = year.daily(name)
        assert isinstance(values, np.ndarray)
        assert values.shape == (365, 6), name
    with pytest.raises(KeyError):
        year.daily("no_such_series")
    with pytest.raises(KeyError):
        year.daily("launch_days")  # an outcome, not a daily series


def test_daily_shape_follows_days_run():
    model = ns.NegotiationModel("pressure-2017", replicates=2)
    assert model.daily("tension").shape == (0, 2)
    model.run(7)
    assert model.daily("tension").shape == (7, 2)
    model.step()
    assert model.daily("launch_day").shape == (8, 2)


# --- events and chronicle -----------------------------------------------------------------------
def test_events_frame(year):
    for replicate in range(year.replicates):
        events = year.events(replicate)
        assert isinstance(events, pd.DataFrame)
        assert list(events.columns) == ["day", "date", "actor", "kind", "detail"]
        assert set(events["kind"]) <= set(ns.EVENT_KINDS)
        assert (events["day"].diff().dropna() >= 0).all()
        assert ((events["day"] >= 0) & (events["day"] < 365)).all()
        for row in events.itertuples(index=False):
            assert row.date == year.scenario.start + dt.timedelta(days=int(row.day))
            assert row.actor == ns.EVENT_KINDS[row.kind].actor
        launches = events.loc[events["kind"] == "launch", "day"].to_numpy()
        np.testing.assert_array_equal(
            launches, np.flatnonzero(year.daily("launch_day")[:, replicate])
        )
        nuclear = events.loc[events["kind"] == "nuclear_test", "day"].to_numpy()
        np.testing.assert_array_equal(nuclear, np.flatnonzero(year.daily("nuclear")[:, replicate]))
        rounds = events.loc[events["kind"] == "us_sanctions", "day"].to_numpy()
        np.testing.assert_array_equal(
            rounds, np.flatnonzero(year.daily("us_sanctions_round")[:, replicate])
        )
    with pytest.raises(ns.ScenarioError, match="replicate"):
        year.events(year.replicates)


@pytest.mark.parametrize("replicate", [99, -1, 1.5, "0", True, None])
@pytest.mark.parametrize("method", ["events", "chronicle"])
def test_a_bad_replicate_index_names_the_allowed_range(year, method, replicate):
    """events() and chronicle() check the replicate alike: no raw IndexError, no empty frame."""
    with pytest.raises(ns.ScenarioError, match=rf"replicate = .*\[0, {year.replicates - 1}\]"):
        getattr(year, method)(replicate)


def test_events_include_the_scripted_moves(year):
    """Every scripted Washington sanctions round appears on its date in every replicate."""
    scripted = {m.day for m in year.scenario.moves if m.kind == "us_sanctions"}
    assert scripted
    for replicate in range(year.replicates):
        events = year.events(replicate)
        days = set(events.loc[events["kind"] == "us_sanctions", "day"])
        assert scripted <= days


def test_chronicle(year):
    text = year.chronicle(0)
    assert isinstance(text, str)
    lines = text.splitlines()
    assert str(year.seeds[0]) in lines[0] and year.scenario.name in lines[0]
    dated = [line for line in lines if re.match(r"^\d{4}-\d{2}-\d{2} \(day +\d+\)", line)]
    events = year.events(0)
    assert len(dated) == len(events) > 0
    for line, row in zip(dated, events.itertuples(index=False), strict=True):
        assert line.startswith(row.date.isoformat())
        assert row.actor in line


def test_chronicle_of_a_quiet_replicate():
    model = ns.NegotiationModel(quiet_world(horizon=10), replicates=1)
    text = model.chronicle(0)  # nothing run yet
    assert isinstance(text, str) and len(text.splitlines()) >= 3
    assert not re.search(r"^\d{4}-\d{2}-\d{2} ", text, flags=re.MULTILINE)


# --- Mesa's DataCollector and batch_run --------------------------------------------------------
def test_datacollector_single_run():
    model = ns.run("pressure-2017", replicates=1, seed=9, days=120)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 120
    assert {"tension", "launch_days"} <= set(frame.columns)
    np.testing.assert_allclose(frame["tension"], model.daily("tension")[:, 0], atol=1e-6)
    np.testing.assert_array_equal(frame["launch_days"], np.cumsum(model.daily("launch_day")[:, 0]))
    assert frame["launch_days"].iloc[-1] == model.outcomes["launch_days"][0]


def batch(rng, max_steps=60, **parameters):
    return mesa.batch_run(
        ns.NegotiationModel,
        parameters={"scenario": "pressure-2017", "replicates": 1, **parameters},
        rng=rng,
        max_steps=max_steps,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )


def test_mesa_batch_run():
    rows = batch([1, 2, 3])
    assert len(rows) == 3
    frame = pd.DataFrame(rows)
    assert sorted(frame["seed"]) == [1, 2, 3]
    assert (frame["Step"] == 60).all()
    for row in rows:
        model = ns.NegotiationModel("pressure-2017", replicates=1, seed=row["seed"]).run(60)
        last = model.datacollector.get_model_vars_dataframe().iloc[-1]
        for column in ("tension", "talks_share", "launch_days", "un_resolutions"):
            assert row[column] == last[column], (row["seed"], column)
        assert row["launch_days"] == model.outcomes["launch_days"][0]
        # The model seed derives the replicate's seed.
        alone = ns.NegotiationModel(
            "pressure-2017", seeds=[int(replicate_seeds(row["seed"], 1)[0])]
        ).run(60)
        assert row["launch_days"] == alone.outcomes["launch_days"][0]
    # Different seeds give different runs; the same seeds again give the same rows.
    assert frame["tension"].nunique() > 1
    again = pd.DataFrame(batch([1, 2, 3]))
    pd.testing.assert_frame_equal(frame, again)


def test_mesa_batch_run_stops_at_the_horizon():
    scenario = quiet_world(horizon=40)
    rows = batch([5], max_steps=1000, scenario=scenario)
    assert len(rows) == 1 and rows[0]["Step"] == 40


def test_mesa_batch_run_sweeps_a_parameter():
    rows = mesa.batch_run(
        ns.NegotiationModel,
        parameters={"scenario": "pressure-2017", "replicates": [1, 3]},
        rng=[7],
        max_steps=30,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert sorted(r["replicates"] for r in rows) == [1, 3]
    assert all(r["seed"] == 7 for r in rows)


# --- seeds ---------------------------------------------------------------------------------------
def test_single_seed_equals_its_row_in_a_batch(year):
    for replicate in (0, 4):
        seed = int(year.outcomes["seed"][replicate])
        alone = ns.NegotiationModel("pressure-2017", seeds=[seed]).run()
        expected = year.outcomes.iloc[[replicate]].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone.outcomes, expected, check_exact=True)
        for name in ns.DAILY:
            assert np.array_equal(alone.daily(name)[:, 0], year.daily(name)[:, replicate]), name
        pd.testing.assert_frame_equal(alone.events(0), year.events(replicate))
        assert alone.chronicle(0).splitlines()[2:] == year.chronicle(replicate).splitlines()[2:]


def test_seeds_override_replicates():
    model = ns.NegotiationModel("pressure-2017", replicates=10, seeds=[4, 5])
    assert model.replicates == 2
    assert model.outcomes["seed"].tolist() == [4, 5]


def test_chronicle_marks_scripted_moves_with_their_record_and_leaves_choices_unmarked():
    model = ns.run("pressure-2017", replicates=1, seed=5)
    lines = model.chronicle(0).splitlines()
    for move in model.scenario.moves:
        if move.kind == "us_sanctions":
            assert any(
                line.startswith(move.date.isoformat()) and move.note in line for line in lines
            ), f"no record note for {move}"
    scripted_days = {move.date.isoformat() for move in model.scenario.moves}
    for line in lines:
        if "Pyongyang:" in line:  # Pyongyang's moves are never scripted
            assert "[record:" not in line
        if "[record:" in line:
            assert line[:10] in scripted_days


def test_actor_state_reports_one_replicate_by_name():
    model = ns.run("pressure-2017", replicates=3, seed=8, days=40)
    for actor in model.agents:
        state = actor.state(2)
        assert list(state) == list(actor.state_names)
        for name, value in state.items():
            array = np.asarray(getattr(actor, name)).reshape(-1)
            assert value == array[2 if array.size == 3 else 0]


def test_registry_lists_the_parameters_of_each_mechanism():
    for mechanism in (f"M{i}" for i in range(1, 21)):
        serving = ns.parameters.for_mechanism(mechanism)
        assert serving, f"no parameter serves {mechanism}"
        assert all(mechanism in p.mechanisms for p in serving)
