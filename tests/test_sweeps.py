"""Sweeps: designs, results kept once per point, scenarios as values, identical results across
backends and chunkings, retries, resumes, limits, the store's crash safety through the command
line, and bad specifications (exit status 2)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli, write_spec_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negotiation_sim as ns
from negotiation_sim import cli
from negotiation_sim import parameters as registry
from negotiation_sim import sweeps as sw
from negotiation_sim.store import SweepStore, read_spec

SPACE = {
    "pyongyang.salvo": [0.2, 0.5],
    "beijing.shield": {"low": 0.0, "high": 1.0},
    "washington.precondition": ["none", "test_pause"],
}
SMALL = {"replicates": 6, "seed": 3, "design": "grid", "points": 3, "days": 90}


def assert_same(result: sw.SweepResult, reference: sw.SweepResult, what: str = "") -> None:
    """Bit-identical results: spec, points and outcomes, values and dtypes."""
    pd.testing.assert_frame_equal(result.points, reference.points, check_exact=True, obj=what)
    pd.testing.assert_frame_equal(result.outcomes, reference.outcomes, check_exact=True, obj=what)
    assert result.equals(reference), what


# --- designs ------------------------------------------------------------------------------
def test_grid_is_the_full_factorial():
    points = sw.design_points(sw.SweepSpec("pressure-2017", SPACE, **SMALL))
    assert len(points) == 2 * 3 * 2
    assert len(points.drop_duplicates()) == len(points)
    assert sorted(points["beijing.shield"].unique()) == [0.0, 0.5, 1.0]


@given(
    st.lists(
        st.sampled_from(["pyongyang.salvo", "beijing.shield", "washington.pause_days"]),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    st.integers(1, 4),
    st.data(),
)
@settings(max_examples=25, deadline=None)
def test_grid_rows_come_in_product_order(names, levels, data):
    """The grid is built column by column; its rows are `itertools.product`'s, in order."""
    space = {}
    for name in names:
        entry = registry.REGISTRY[name]
        if data.draw(st.booleans()):
            space[name] = {"low": entry.low, "high": entry.high}
        else:
            space[name] = sorted(
                data.draw(
                    st.lists(
                        st.integers(int(entry.low), int(entry.high)),
                        min_size=1,
                        max_size=3,
                        unique=True,
                    )
                )
            )
    spec = sw.SweepSpec("pressure-2017", space, 1, 0, "grid", levels)
    points = sw.design_points(spec)
    expected = list(itertools.product(*(sw._grid_levels(space[n], spec.points) for n in names)))
    assert len(points) == spec.size == len(expected)
    for name_index, name in enumerate(names):
        column = [row[name_index] for row in expected]
        if registry.REGISTRY[name].kind == "integer":
            column = np.round(column).astype(np.int64)
        np.testing.assert_array_equal(points[name].to_numpy(), np.asarray(column))


@pytest.mark.parametrize(
    ("design", "rows"), [("lhs", 16), ("sobol", 16 * (2 + 2)), ("morris", 16 * (2 + 1))]
)
def test_sampled_designs_are_seeded_and_inside_their_ranges(design, rows):
    space = {
        "pyongyang.salvo": {"low": 0.1, "high": 0.5},
        "washington.pause_days": {"low": 10, "high": 100},
    }
    spec = sw.SweepSpec("pressure-2017", space, 2, 1, design, 16)
    points = sw.design_points(spec)
    assert len(points) == rows == spec.size
    assert points["pyongyang.salvo"].between(0.1, 0.5).all()
    assert points["washington.pause_days"].between(10, 100).all()
    assert points["washington.pause_days"].dtype == np.int64
    pd.testing.assert_frame_equal(points, sw.design_points(spec))
    other = sw.design_points(sw.SweepSpec("pressure-2017", space, 2, 2, design, 16))
    assert not points.equals(other)


def test_default_space_is_every_continuous_parameter_over_its_range():
    spec = sw.SweepSpec("pressure-2017", None, design="lhs", points=4)
    assert set(spec.space) == {e.name for e in registry.continuous()}
    assert all(
        v == {"low": e.low, "high": e.high}
        for e in registry.continuous()
        for v in [spec.space[e.name]]
    )


# --- results: parameters once per point -----------------------------------------------------
@given(
    st.lists(st.sampled_from([0.0, 0.1, 0.3, 0.9]), min_size=1, max_size=4, unique=True),
    st.integers(1, 4),
)
@settings(max_examples=15, deadline=None)
def test_rows_are_points_times_replicates(values, replicates):
    result = sw.sweep(
        "pressure-2017",
        {"pyongyang.salvo": values},
        replicates=replicates,
        days=20,
        backend="serial",
    )
    outcomes = result.outcomes
    assert len(result) == len(outcomes) == len(values) * replicates
    assert len(result.points) == len(values) and result.points.index.name == "point"
    assert outcomes.groupby("point").size().eq(replicates).all()
    assert list(outcomes.columns) == ["point", *ns.OUTCOMES]
    frame = result.frame()
    assert list(frame.columns[:3]) == ["point", "pyongyang.salvo", "seed"]
    # Common random numbers: every point runs the same replicate seeds.
    seeds = outcomes.groupby("point")["seed"].apply(tuple)
    assert seeds.nunique() == 1


def test_parameters_are_kept_once_per_point_and_joined_on_demand():
    result = sw.sweep("pressure-2017", SPACE, backend="serial", **SMALL)
    spec = result.spec
    assert result.parameters == list(SPACE)
    pd.testing.assert_frame_equal(
        result.points, sw.design_points(spec), check_index_type=False, check_exact=True
    )
    assert not set(SPACE) & set(result.outcomes.columns)  # no parameter in replicate rows
    frame = result.frame()
    assert len(frame) == len(result) == spec.size * spec.replicates
    assert list(frame.columns) == ["point", *SPACE, *ns.OUTCOMES]
    # Every replicate row carries its own point's parameters, with the points' dtypes.
    for name in SPACE:
        expected = result.points[name].reindex(frame["point"]).to_numpy()
        np.testing.assert_array_equal(frame[name].to_numpy(), expected)
        assert frame[name].dtype == result.points[name].dtype
    pd.testing.assert_frame_equal(frame.drop(columns=list(SPACE)), result.outcomes)
    chosen = result.frame(["washington.precondition"])
    assert list(chosen.columns[:3]) == ["point", "washington.precondition", "seed"]
    with pytest.raises(KeyError, match="not swept"):
        result.frame(["pyongyang.nothing"])
    # The README's analysis works on the result as it did on one wide frame.
    by = result.groupby("washington.precondition")["talks_reached"].mean()
    pd.testing.assert_series_equal(
        by, frame.groupby("washington.precondition")["talks_reached"].mean()
    )
    two = result.groupby(["pyongyang.salvo", "washington.precondition"])["missiles"].sum()
    assert two.sum() == result.outcomes["missiles"].sum()


def test_a_sweep_of_every_parameter_keeps_far_fewer_bytes_per_replicate():
    result = sw.sweep("pressure-2017", None, 10, 1, "lhs", points=12, days=10, backend="serial")
    wide = result.frame()
    assert len(result.parameters) == len(registry.continuous())
    compact = result.memory_usage() / len(result)
    joined = wide.memory_usage(deep=True).sum() / len(wide)
    assert compact < joined / 2.5


def test_a_point_equals_a_plain_run_with_those_parameters():
    result = sw.sweep("pressure-2017", SPACE, backend="serial", **SMALL)
    frame = result.frame()
    row = frame[frame["point"] == 7]
    params = {k: row[k].iloc[0] for k in SPACE}
    model = ns.run(
        "pressure-2017",
        days=SMALL["days"],
        params=params,
        seeds=row["seed"].to_list(),
        record_daily=False,
        record_events=False,
    )
    pd.testing.assert_frame_equal(
        row[list(model.outcomes.columns)].reset_index(drop=True), model.outcomes
    )


# --- scenarios are values -------------------------------------------------------------------
def test_a_scenario_object_sweeps_like_its_name():
    by_name = sw.sweep("pressure-2017", SPACE, backend="serial", **SMALL)
    by_value = sw.sweep(ns.load_scenario("pressure-2017"), SPACE, backend="serial", **SMALL)
    assert_same(by_value, by_name)
    assert isinstance(by_value.spec.scenario, ns.Scenario)


def test_a_derived_scenario_is_swept_by_its_content():
    """A Scenario with its own values used to be turned into a string and opened as a path."""
    derived = ns.load_scenario("pressure-2017").with_params({"beijing.enforcement": 0.9})
    space = {"pyongyang.salvo": [0.2, 0.5]}
    result = sw.sweep(derived, space, replicates=5, seed=2, days=120, backend="serial")
    plain = sw.sweep("pressure-2017", space, replicates=5, seed=2, days=120, backend="serial")
    assert result.spec.scenario == derived
    assert not result.outcomes.equals(plain.outcomes)
    frame = result.frame()
    row = frame[frame["point"] == 1]
    model = ns.run(
        derived,
        days=120,
        params={"pyongyang.salvo": 0.5},
        seeds=row["seed"].to_list(),
        record_daily=False,
        record_events=False,
    )
    pd.testing.assert_frame_equal(
        row[list(model.outcomes.columns)].reset_index(drop=True), model.outcomes
    )


def test_a_spec_keeps_the_resolved_scenario_and_pickles(tmp_path):
    import pickle

    derived = ns.load_scenario("pressure-2017").with_params({"beijing.enforcement": 0.9})
    spec = sw.SweepSpec(derived, SPACE, **SMALL)
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec and again.scenario == derived and hash(again) == hash(spec)
    path = derived.save(tmp_path / "derived.toml")
    from_path = sw.SweepSpec(path, SPACE, **SMALL)
    assert from_path == spec and isinstance(from_path.scenario, ns.Scenario)
    reordered = sw.SweepSpec(derived, dict(reversed(list(SPACE.items()))), **SMALL)
    assert reordered != spec  # the space's order decides the design's points
    assert sw.SweepSpec.from_dict(spec.to_dict()) == spec
    assert "pressure-2017" in repr(spec) and len(repr(spec)) < 300


@pytest.mark.parametrize(
    ("name", "values", "outcome"),
    [
        # Beijing's enforcement, set by the move of 18 February 2017, drives the pain.
        ("beijing.enforcement", [0.0, 1.0], "final_economic_pain"),
        # The pause the precondition of 30 October 2017 asks for (60 days, before the next
        # precondition on 13 December): a short one lets a willing Pyongyang into talks.
        ("washington.pause_days", [180, 7], "talks_reached"),
    ],
)
def test_sweeping_a_quantity_a_scripted_move_sets_changes_outcomes(name, values, outcome):
    """The sweep's values hold over the scripted moves that set the same quantities."""
    scenario = ns.load_scenario("pressure-2017")
    assert any(name in move.quantities() for move in scenario.moves)
    space = {name: values, "pyongyang.accept_rate": [0.9]}
    result = sw.sweep(scenario, space, replicates=60, seed=4, backend="serial")
    first, second = (
        result.outcomes[result.outcomes["point"] == p].drop(columns="point").reset_index(drop=True)
        for p in (0, 1)
    )
    assert not first.equals(second), f"{name} made no difference"
    assert second[outcome].mean() > first[outcome].mean()


def test_without_moves_drops_scripted_moves_before_the_sweep():
    space = {"pyongyang.salvo": [0.3]}
    dropped = sw.sweep(
        "pressure-2017",
        space,
        replicates=4,
        days=100,
        without_moves=["beijing"],
        backend="serial",
    )
    by_value = sw.sweep(
        ns.load_scenario("pressure-2017").without_moves("beijing"),
        space,
        replicates=4,
        days=100,
        backend="serial",
    )
    assert_same(dropped, by_value)
    assert not any(m.actor == "beijing" for m in dropped.spec.scenario.moves)
    with pytest.raises(ns.ScenarioError) as error:
        sw.SweepSpec("pressure-2017", space, without_moves=["nobody"])
    assert error.value.key == "without_moves" and error.value.source == "<sweep>"


# --- backends and chunks ------------------------------------------------------------------
def test_backends_worker_counts_and_chunk_sizes_give_identical_results():
    runs = {
        ("serial", 1): sw.sweep("no-preconditions-2022", SPACE, backend="serial", chunk=1, **SMALL),
        ("serial", 5): sw.sweep("no-preconditions-2022", SPACE, backend="serial", chunk=5, **SMALL),
        ("processes", 2): sw.sweep(
            "no-preconditions-2022", SPACE, backend="processes", workers=2, chunk=2, **SMALL
        ),
        ("dask", 3): sw.sweep(
            "no-preconditions-2022", SPACE, backend="dask", workers=2, chunk=3, **SMALL
        ),
    }
    reference = runs[("serial", 1)]
    assert len(reference) == 12 * SMALL["replicates"]
    for key, result in runs.items():
        assert_same(result, reference, str(key))


@given(st.integers(1, 13))
@settings(max_examples=6, deadline=None)
def test_any_chunk_size_gives_the_same_result(chunk):
    space = {"pyongyang.salvo": [0.2, 0.6], "beijing.shield": {"low": 0.0, "high": 1.0}}
    options = {"replicates": 3, "seed": 9, "days": 40, "points": 6, "backend": "serial"}
    reference = sw.sweep("pressure-2017", space, chunk=12, **options)
    assert_same(sw.sweep("pressure-2017", space, chunk=chunk, **options), reference)


def test_a_store_holds_what_memory_holds(tmp_path):
    in_memory = sw.sweep("pressure-2017", SPACE, backend="serial", **SMALL)
    stored = sw.sweep(
        "pressure-2017", SPACE, backend="serial", store=tmp_path / "s.sqlite", chunk=4, **SMALL
    )
    assert_same(stored, in_memory)
    assert_same(ns.load_sweep(tmp_path / "s.sqlite"), in_memory)
    left = sw.run_sweep(
        sw.SweepSpec("pressure-2017", SPACE, **SMALL),
        store=tmp_path / "t.sqlite",
        backend="serial",
        load=False,
    )
    assert left is None
    assert_same(ns.load_sweep(tmp_path / "t.sqlite"), in_memory)


def test_a_failing_chunk_is_retried_once(monkeypatch):
    real, calls = sw.run_points, []

    def flaky(task, points):
        calls.append(points.index[0])
        if calls.count(points.index[0]) == 1 and points.index[0] == 4:
            raise RuntimeError("transient")
        return real(task, points)

    monkeypatch.setattr(sw, "run_points", flaky)
    result = sw.sweep("pressure-2017", SPACE, backend="serial", chunk=4, **SMALL)
    assert calls.count(4) == 2 and result.outcomes["point"].nunique() == 12


def test_a_chunk_failing_twice_is_reported_by_point_and_the_rest_kept(monkeypatch, tmp_path):
    real = sw.run_points

    def broken(task, points):
        if 5 in points.index:
            raise RuntimeError("always")
        return real(task, points)

    monkeypatch.setattr(sw, "run_points", broken)
    store = tmp_path / "s.sqlite"
    with pytest.raises(sw.SweepFailed, match=r"4, 5, 6, 7") as caught:
        sw.sweep("pressure-2017", SPACE, backend="serial", chunk=4, store=store, **SMALL)
    assert caught.value.failures[0][0] == [4, 5, 6, 7]
    with SweepStore.open(store, sw.SweepSpec("pressure-2017", SPACE, **SMALL), resume=True) as kept:
        assert kept.finished_points() == set(range(12)) - {4, 5, 6, 7}
        assert sorted(kept.failures()["point"]) == [4, 5, 6, 7]
    monkeypatch.setattr(sw, "run_points", real)
    resumed = sw.sweep(
        "pressure-2017", SPACE, backend="serial", chunk=3, store=store, resume=True, **SMALL
    )
    assert_same(resumed, sw.sweep("pressure-2017", SPACE, backend="serial", **SMALL))


def _dies_once(task, points):
    """Kill the worker process the first time point 0 runs (marker file from the environment);
    module-level so that it pickles to worker processes."""
    marker = Path(os.environ["NEGOTIATION_SIM_TEST_MARKER"])
    if points.index[0] == 0 and not marker.exists():
        marker.touch()
        os._exit(1)  # the worker process dies: the pool breaks
    return _REAL_RUN_POINTS(task, points)


_REAL_RUN_POINTS = sw.run_points


def test_a_dead_worker_process_is_replaced_and_its_chunk_retried(monkeypatch, tmp_path):
    marker = tmp_path / "died"
    monkeypatch.setenv("NEGOTIATION_SIM_TEST_MARKER", str(marker))
    monkeypatch.setattr(sw, "run_points", _dies_once)
    result = sw.sweep("pressure-2017", SPACE, backend="processes", workers=2, chunk=3, **SMALL)
    assert marker.exists() and result.outcomes["point"].nunique() == 12


# --- resuming: only the same sweep ------------------------------------------------------------
def test_the_store_records_the_scenario_version_and_key_order(tmp_path):
    derived = ns.load_scenario("pressure-2017").with_params({"beijing.enforcement": 0.9})
    store = tmp_path / "s.sqlite"
    sw.sweep(derived, SPACE, backend="serial", store=store, **SMALL)
    stored = read_spec(store)
    assert stored["scenario_fingerprint"] == derived.fingerprint()
    assert ns.scenario_from_dict(sw._dated(stored["scenario"])) == derived
    assert list(stored["space"]) == list(SPACE)
    with SweepStore.open_read_only(store) as opened:
        assert opened.version == ns.__version__
    assert ns.load_sweep(store).spec == sw.SweepSpec(derived, SPACE, **SMALL)


def test_resuming_with_the_space_keys_reordered_is_refused(tmp_path):
    store = tmp_path / "s.sqlite"
    spec = {**SMALL, "design": "lhs", "points": 4}
    sw.sweep("pressure-2017", SPACE, backend="serial", store=store, **spec)
    reordered = dict(reversed(list(SPACE.items())))
    with pytest.raises(ns.ScenarioError) as error:
        sw.sweep("pressure-2017", reordered, backend="serial", store=store, resume=True, **spec)
    assert error.value.key == "space" and error.value.value == list(reordered)
    assert str(list(SPACE)) in error.value.allowed and "order" in error.value.allowed


def test_resuming_with_an_edited_scenario_file_is_refused(tmp_path):
    path = ns.load_scenario("pressure-2017").save(tmp_path / "mine.toml")
    store = tmp_path / "s.sqlite"
    sw.sweep(path, SPACE, backend="serial", store=store, **SMALL)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("horizon_days = 365", "horizon_days = 364"), encoding="utf-8")
    with pytest.raises(ns.ScenarioError) as error:
        sw.sweep(path, SPACE, backend="serial", store=store, resume=True, **SMALL)
    assert (error.value.key, error.value.value) == ("scenario.horizon_days", 364)
    assert "365" in error.value.allowed
    path.write_text(text, encoding="utf-8")  # the same content again: the resume goes on
    sw.sweep(path, SPACE, backend="serial", store=store, resume=True, **SMALL)


def test_resuming_with_another_package_version_is_refused(tmp_path, monkeypatch):
    store, written_by = tmp_path / "s.sqlite", ns.__version__
    sw.sweep("pressure-2017", SPACE, backend="serial", store=store, **SMALL)
    monkeypatch.setattr(ns, "__version__", "99.0.0")
    with pytest.raises(ns.ScenarioError) as error:
        sw.sweep("pressure-2017", SPACE, backend="serial", store=store, resume=True, **SMALL)
    assert (error.value.key, error.value.value) == ("version", "99.0.0")
    assert written_by in error.value.allowed
    assert_same(ns.load_sweep(store), sw.sweep("pressure-2017", SPACE, backend="serial", **SMALL))


# --- limits and bad input -------------------------------------------------------------------
HUGE = 10**30
ABSURD = [
    (
        "default space on a grid",
        {"space": None, "design": "grid"},
        f"5^{len(registry.continuous())}",
    ),
    ("a billion points", {"design": "lhs", "points": 10**9}, "1,000,000,000 points"),
    ("30-digit lhs points", {"design": "lhs", "points": HUGE}, "e30"),
    ("30-digit sobol base", {"design": "sobol", "points": HUGE}, "N x (D + 2)"),
    ("30-digit morris base", {"design": "morris", "points": HUGE}, "N x (D + 1)"),
    ("30-digit grid levels", {"design": "grid", "points": HUGE}, "e30"),
    ("30-digit replicates", {"replicates": HUGE}, "replicates"),
    ("30-digit days", {"days": HUGE}, "days"),
    ("30-digit seed", {"seed": HUGE}, "seed"),
]


@pytest.mark.parametrize(("changes", "named"), [a[1:] for a in ABSURD], ids=[a[0] for a in ABSURD])
def test_absurd_sweeps_are_refused_before_anything_is_allocated(changes, named):
    options = {"space": {"pyongyang.salvo": {"low": 0.1, "high": 0.5}}, **changes}
    space = options.pop("space")
    start = time.perf_counter()
    with pytest.raises(ns.ScenarioError) as error:
        sw.sweep("pressure-2017", space, backend="serial", **options)
    assert time.perf_counter() - start < 2
    assert named in str(error.value) and len(str(error.value).splitlines()) == 1


def test_in_memory_results_are_bounded(monkeypatch, tmp_path):
    space = {"pyongyang.salvo": {"low": 0.1, "high": 0.5}}
    with pytest.raises(ns.ScenarioError, match=r"at most 1,000,000,000 replicate rows"):
        sw.sweep("pressure-2017", space, 100_000, design="lhs", points=100_000)
    monkeypatch.setattr(sw, "_machine_memory", lambda: 2**20)  # a machine of 1 MiB
    with pytest.raises(
        ns.ScenarioError,
        match=r"fits in memory: 100 points x 100 replicates need .* MiB.*load=False",
    ):
        sw.sweep("pressure-2017", space, 100, design="lhs", points=100, backend="serial")
    # Into a store, left there: no bound but the disk's.
    spec = sw.SweepSpec("pressure-2017", space, 2, design="lhs", points=3, days=5)
    assert sw.run_sweep(spec, store=tmp_path / "s.sqlite", backend="serial", load=False) is None
    with pytest.raises(ns.ScenarioError, match="only with a store"):
        sw.run_sweep(spec, backend="serial", load=False)
    # The design itself must fit, store or not; nothing is created before the check.
    everything = sw.SweepSpec("pressure-2017", None, 1, design="lhs", points=1000)
    with pytest.raises(ns.ScenarioError, match="1,000 points need") as error:
        sw.run_sweep(everything, store=tmp_path / "t.sqlite", backend="serial", load=False)
    assert error.value.key == "design" and not (tmp_path / "t.sqlite").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [("chunk", 0), ("workers", 0), ("chunk", -1), ("workers", 10**6), ("backend", "gpu")],
)
def test_bad_run_options_are_errors_not_defaults(option, value):
    with pytest.raises(ns.ScenarioError) as error:
        sw.sweep("pressure-2017", {"pyongyang.salvo": [0.2]}, 1, days=5, **{option: value})
    assert error.value.key == option


def test_a_chunk_must_fit_one_batched_model():
    spec = sw.SweepSpec("pressure-2017", {"pyongyang.salvo": {"low": 0.1, "high": 0.5}}, 10**7)
    with pytest.raises(ns.ScenarioError) as error:
        sw.run_sweep(spec, chunk=5, backend="serial", store=None, load=True)
    assert error.value.key in ("chunk", "replicates")


SCALARS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**400), 10**400),
    st.just(10**400),
    st.just(-(10**400)),
    st.booleans(),
    st.text(max_size=3),
    st.none(),
)
DIMENSIONS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.fixed_dictionaries({"low": inner, "high": inner}),
        st.dictionaries(st.sampled_from(["low", "high", "mid"]), inner, max_size=3),
    ),
    max_leaves=6,
)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "pyongyang.salvo",
                "washington.pause_days",
                "un.channel_open",
                "washington.precondition",
            ]
        ),
        DIMENSIONS,
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(sw.DESIGNS),
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_space_is_accepted_or_named_never_an_overflow(space, design):
    try:
        spec = sw.SweepSpec("pressure-2017", space, 1, design=design, points=2)
    except ns.ScenarioError as error:
        assert error.key.startswith("space") and "allowed" in str(error)
        return
    points = sw.design_points(spec)
    assert len(points) == spec.size
    for name in spec.space:
        registry.REGISTRY[name].validate(points[name].to_numpy())


def test_a_store_path_must_be_a_file_in_an_existing_folder(tmp_path):
    options = {"replicates": 1, "days": 5, "backend": "serial"}
    space = {"pyongyang.salvo": [0.2]}
    for path, words in (
        (tmp_path / "nowhere" / "s.sqlite", "existing folder"),
        (tmp_path, "folder"),
    ):
        with pytest.raises(ns.ScenarioError, match=words) as error:
            sw.sweep("pressure-2017", space, store=path, **options)
        assert error.value.key == "store"
    assert not (tmp_path / "nowhere").exists()


def test_an_unreachable_scheduler_is_named_quickly(tmp_path):
    pytest.importorskip("distributed")
    store = tmp_path / "s.sqlite"
    start = time.perf_counter()
    for address in ("tcp://127.0.0.1:1", "not an address"):
        with pytest.raises(ns.ScenarioError) as error:
            sw.sweep("pressure-2017", {"pyongyang.salvo": [0.2]}, 1, days=5, scheduler=address,
                     store=store)  # fmt: skip
        assert (error.value.key, error.value.value) == ("scheduler", address)
        assert not store.exists()  # a store this call created and nothing was written to
    assert time.perf_counter() - start < sw.SCHEDULER_TIMEOUT
    with pytest.raises(ns.ScenarioError, match="backend dask"):
        sw.sweep("pressure-2017", {"pyongyang.salvo": [0.2]}, 1, days=5, backend="serial",
                 scheduler="tcp://127.0.0.1:8786")  # fmt: skip


def _interrupting(after: int):
    """run_points that raises KeyboardInterrupt on the chunk after ``after`` chunks."""
    calls = []

    def run(task, points):
        calls.append(points.index[0])
        if len(calls) > after:
            raise KeyboardInterrupt
        return _REAL_RUN_POINTS(task, points)

    return run


def test_an_interrupted_sweep_says_what_its_store_holds(monkeypatch, tmp_path):
    store = tmp_path / "s.sqlite"
    monkeypatch.setattr(sw, "run_points", _interrupting(2))
    with pytest.raises(sw.SweepInterrupted) as caught:
        sw.sweep("pressure-2017", SPACE, backend="serial", chunk=3, store=store, **SMALL)
    assert (caught.value.store, caught.value.stored) == (str(store), 6)
    assert isinstance(caught.value, KeyboardInterrupt)
    monkeypatch.setattr(sw, "run_points", _interrupting(0))
    empty = tmp_path / "empty.sqlite"
    with pytest.raises(sw.SweepInterrupted) as caught:
        sw.sweep("pressure-2017", SPACE, backend="serial", chunk=3, store=empty, **SMALL)
    assert caught.value.stored == 0 and not empty.exists()  # nothing to resume: no store left
    with pytest.raises(sw.SweepInterrupted) as caught:
        sw.sweep("pressure-2017", SPACE, backend="serial", chunk=3, **SMALL)
    assert (caught.value.store, caught.value.stored) == (None, 0)


# --- the command line and the store -------------------------------------------------------
def write_spec(path: Path, **changes) -> Path:
    return write_spec_file(
        path,
        {
            "scenario": '"pressure-2017"',
            "replicates": 40,
            "seed": 5,
            "design": '"lhs"',
            "points": 60,
            "days": 365,
            **changes,
        },
    )


def test_sigkill_mid_sweep_then_resume_loses_and_duplicates_nothing(tmp_path):
    spec = write_spec(tmp_path / "spec.toml")
    store = tmp_path / "killed.sqlite"
    args = [
        sys.executable,
        "-m",
        "negotiation_sim.cli",
        "sweep",
        str(spec),
        "--store",
        str(store),
        "--backend",
        "serial",
        "--chunk",
        "2",
    ]
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    loaded = sw.load_spec(spec)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if store.exists() and len(_finished(store, loaded)) >= 6:
            break
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stderr.close()
    finished = _finished(store, loaded)
    assert 6 <= len(finished) < 60, "the sweep was not killed mid-run"
    resumed = run_cli(
        "sweep", str(spec), "--store", str(store), "--resume", "--backend", "serial", "--chunk", "7"
    )
    assert resumed.returncode == 0, resumed.stderr
    whole = run_cli(
        "sweep",
        str(spec),
        "--store",
        str(tmp_path / "whole.sqlite"),
        "--backend",
        "processes",
        "--workers",
        "2",
    )
    assert whole.returncode == 0, whole.stderr
    killed, uninterrupted = ns.load_sweep(store), ns.load_sweep(tmp_path / "whole.sqlite")
    assert len(killed) == 60 * 40 and not killed.outcomes.duplicated(["point", "seed"]).any()
    assert_same(killed, uninterrupted)


def _finished(store: Path, spec: sw.SweepSpec) -> set[int]:
    try:
        with SweepStore.open(store, spec, resume=True) as opened:
            return opened.finished_points()
    except ns.ScenarioError:
        return set()  # created but not yet initialised


def test_resuming_a_different_sweep_names_the_difference(tmp_path):
    spec = write_spec(tmp_path / "spec.toml", points=4, days=30, replicates=2)
    store = str(tmp_path / "s.sqlite")
    assert cli.main(["sweep", str(spec), "--store", store, "--backend", "serial"]) == 0
    other = write_spec(tmp_path / "other.toml", points=4, days=30, replicates=3)
    done = run_cli("sweep", str(other), "--store", store, "--resume", "--backend", "serial")
    assert done.returncode == 2
    assert "replicates" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


BAD_SPECS = [
    ("unknown parameter", {"space": '"pyongyang.salvoo" = [0.1]'}, "space.pyongyang.salvoo"),
    (
        "range outside the registry",
        {"space": '"pyongyang.salvo" = { low = 0.1, high = 0.95 }'},
        "space.pyongyang.salvo",
    ),
    ("empty space", {"space": ""}, "space"),
    ("low above high", {"space": '"pyongyang.salvo" = { low = 0.5, high = 0.1 }'}, "low < high"),
    (
        "a range for a choice",
        {"space": '"washington.precondition" = { low = 0, high = 1 }'},
        "list of values",
    ),
    ("unknown design", {"design": '"random"'}, "grid"),
    ("unknown scenario", {"scenario": '"nowhere-2030"'}, "nowhere-2030"),
    ("zero replicates", {"replicates": 0}, "replicates"),
    (
        "lists with sobol",
        {"design": '"sobol"', "space": '"pyongyang.salvo" = [0.1, 0.2]'},
        "ranges",
    ),
    ("unknown key", {"colour": '"red"'}, "colour"),
    ("infinite bound", {"space": '"pyongyang.salvo" = { low = 0.1, high = 1e999 }'}, "inf"),
    (
        "an integer past a float",
        {"space": '"pyongyang.salvo" = [0.1, ' + "9" * 400 + "]"},
        "space.pyongyang.salvo",
    ),
    (
        "a list in a list",
        {"space": '"pyongyang.salvo" = [[0.1, 0.2]]'},
        "single values",
    ),
    ("30-digit points", {"points": "1" + "0" * 29}, "points"),
    ("30-digit replicates", {"replicates": "1" + "0" * 29}, "replicates"),
    ("30-digit days", {"days": "1" + "0" * 29}, "days"),
    ("a billion lhs points", {"points": 10**9}, "1,000,000,000 points"),
    (
        "the default space on a grid",
        {"design": '"grid"', "space": None, "points": None},
        f"5^{len(registry.continuous())}",
    ),
    ("a bad selector", {"without_moves": '["nobody"]'}, "without_moves"),
    ("selectors not a list", {"without_moves": '"beijing"'}, "without_moves"),
]


@pytest.mark.parametrize(
    ("changes", "named"), [c[1:] for c in BAD_SPECS], ids=[c[0] for c in BAD_SPECS]
)
def test_bad_specification_exits_2_with_one_line(tmp_path, capsys, changes, named):
    spec = write_spec(tmp_path / "bad.toml", **changes)
    assert cli.main(["sweep", str(spec), "--backend", "serial"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and named in err and str(spec) in err
    assert "allowed" in err


def test_bad_paths_exit_2_without_traceback(tmp_path):
    missing = run_cli("sweep", str(tmp_path / "missing.toml"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "missing.toml" in missing.stderr
    not_a_store = tmp_path / "junk.sqlite"
    not_a_store.write_text("not a database", encoding="utf-8")
    spec = write_spec(tmp_path / "spec.toml", points=2, days=10, replicates=1)
    junk = run_cli("sweep", str(spec), "--store", str(not_a_store), "--resume")
    assert junk.returncode == 2 and "Traceback" not in junk.stderr


@pytest.mark.parametrize("command", [[], ["sweep"], ["sensitivity"]])
def test_help_of_every_command(command, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([*command, "--help"])
    assert done.value.code == 0 and "usage: negotiation-sim" in capsys.readouterr().out


def test_a_given_dask_scheduler_is_used():
    distributed = pytest.importorskip("distributed")
    reference = sw.sweep("pressure-2017", SPACE, backend="serial", **SMALL)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = sw.sweep(
            "pressure-2017",
            SPACE,
            scheduler=cluster.scheduler_address,  # a scheduler means the dask backend
            chunk=5,
            **SMALL,
        )
    assert_same(remote, reference)


def test_sensitivity_command_prints_indices_and_writes_them(tmp_path, capsys):
    spec = write_spec(
        tmp_path / "morris.toml",
        design='"morris"',
        points=4,
        days=60,
        replicates=3,
        space='"pyongyang.test_propensity" = '
        '{ low = 0.01, high = 0.1 }\n"moscow.trade_share" = { low = 0.0, high = 1.0 }',
    )
    figure, table = tmp_path / "indices.png", tmp_path / "indices.csv"
    assert (
        cli.main(
            [
                "sensitivity",
                str(spec),
                "--outputs",
                "launch_days",
                "--backend",
                "serial",
                "--figure",
                str(figure),
                "--csv",
                str(table),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "pyongyang.test_propensity" in out and "launch_days" in out
    assert figure.stat().st_size > 10_000
    indices = pd.read_csv(table)
    assert set(indices["parameter"]) == {"pyongyang.test_propensity", "moscow.trade_share"}
    grid = write_spec(tmp_path / "grid.toml", design='"grid"', points=2, days=10)
    assert cli.main(["sensitivity", str(grid), "--backend", "serial"]) == 2
