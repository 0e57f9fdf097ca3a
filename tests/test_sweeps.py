"""Sweeps: designs, identical results across backends and chunkings, retries, the store's
crash safety through the command line, and bad specifications (exit status 2)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiation_sim as ns
from negotiation_sim import cli
from negotiation_sim import parameters as registry
from negotiation_sim import sweeps as sw
from negotiation_sim.store import SweepStore

SPACE = {
    "pyongyang.salvo": [0.2, 0.5],
    "beijing.shield": {"low": 0.0, "high": 1.0},
    "washington.precondition": ["none", "test_pause"],
}
SMALL = {"replicates": 6, "seed": 3, "design": "grid", "points": 3, "days": 90}


# --- designs ------------------------------------------------------------------------------
def test_grid_is_the_full_factorial():
    points = sw.design_points(sw.SweepSpec("pressure-2017", SPACE, **SMALL))
    assert len(points) == 2 * 3 * 2
    assert len(points.drop_duplicates()) == len(points)
    assert sorted(points["beijing.shield"].unique()) == [0.0, 0.5, 1.0]


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
    assert len(points) == rows
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


@given(
    st.lists(st.sampled_from([0.0, 0.1, 0.3, 0.9]), min_size=1, max_size=4, unique=True),
    st.integers(1, 4),
)
@settings(max_examples=15, deadline=None)
def test_rows_are_points_times_replicates(values, replicates):
    frame = sw.sweep(
        "pressure-2017",
        {"pyongyang.salvo": values},
        replicates=replicates,
        days=20,
        backend="serial",
    )
    assert len(frame) == len(values) * replicates
    assert frame.groupby("point").size().eq(replicates).all()
    assert list(frame.columns[:3]) == ["point", "pyongyang.salvo", "seed"]
    assert set(ns.OUTCOMES) <= set(frame.columns)
    # Common random numbers: every point runs the same replicate seeds.
    seeds = frame.groupby("point")["seed"].apply(tuple)
    assert seeds.nunique() == 1


def test_a_point_equals_a_plain_run_with_those_parameters():
    frame = sw.sweep("pressure-2017", SPACE, backend="serial", **SMALL)
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
    for key, frame in runs.items():
        pd.testing.assert_frame_equal(frame, reference, obj=str(key))


def test_a_store_holds_what_memory_holds(tmp_path):
    in_memory = sw.sweep("pressure-2017", SPACE, backend="serial", **SMALL)
    stored = sw.sweep(
        "pressure-2017", SPACE, backend="serial", store=tmp_path / "s.sqlite", chunk=4, **SMALL
    )
    pd.testing.assert_frame_equal(stored, in_memory)
    pd.testing.assert_frame_equal(ns.load_sweep(tmp_path / "s.sqlite"), in_memory)


def test_a_failing_chunk_is_retried_once(monkeypatch):
    real, calls = sw.run_points, []

    def flaky(spec, points):
        calls.append(points.index[0])
        if calls.count(points.index[0]) == 1 and points.index[0] == 4:
            raise RuntimeError("transient")
        return real(spec, points)

    monkeypatch.setattr(sw, "run_points", flaky)
    frame = sw.sweep("pressure-2017", SPACE, backend="serial", chunk=4, **SMALL)
    assert calls.count(4) == 2 and frame["point"].nunique() == 12


def test_a_chunk_failing_twice_is_reported_by_point_and_the_rest_kept(monkeypatch, tmp_path):
    real = sw.run_points

    def broken(spec, points):
        if 5 in points.index:
            raise RuntimeError("always")
        return real(spec, points)

    monkeypatch.setattr(sw, "run_points", broken)
    store = tmp_path / "s.sqlite"
    with pytest.raises(sw.SweepFailed, match=r"4, 5, 6, 7") as caught:
        sw.sweep("pressure-2017", SPACE, backend="serial", chunk=4, store=store, **SMALL)
    assert caught.value.failures[0][0] == [4, 5, 6, 7]
    with SweepStore.open(
        store, sw.SweepSpec("pressure-2017", SPACE, **SMALL).to_dict(), resume=True
    ) as kept:
        assert kept.finished_points() == set(range(12)) - {4, 5, 6, 7}
        assert sorted(kept.failures()["point"]) == [4, 5, 6, 7]


def _dies_once(spec, points):
    """Kill the worker process the first time point 0 runs (marker file from the environment);
    module-level so that it pickles to worker processes."""
    marker = Path(os.environ["NEGOTIATION_SIM_TEST_MARKER"])
    if points.index[0] == 0 and not marker.exists():
        marker.touch()
        os._exit(1)  # the worker process dies: the pool breaks
    return _REAL_RUN_POINTS(spec, points)


_REAL_RUN_POINTS = sw.run_points


def test_a_dead_worker_process_is_replaced_and_its_chunk_retried(monkeypatch, tmp_path):
    marker = tmp_path / "died"
    monkeypatch.setenv("NEGOTIATION_SIM_TEST_MARKER", str(marker))
    monkeypatch.setattr(sw, "run_points", _dies_once)
    frame = sw.sweep("pressure-2017", SPACE, backend="processes", workers=2, chunk=3, **SMALL)
    assert marker.exists() and frame["point"].nunique() == 12


# --- the command line and the store -------------------------------------------------------
def write_spec(path: Path, **changes) -> Path:
    spec = {
        "scenario": '"pressure-2017"',
        "replicates": 40,
        "seed": 5,
        "design": '"lhs"',
        "points": 60,
        "days": 365,
        **changes,
    }
    lines = [f"{k} = {v}" for k, v in spec.items() if k != "space"]
    lines += [
        "",
        "[space]",
        spec.get("space", '"pyongyang.test_propensity" = { low = 0.01, high = 0.1 }'),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "negotiation_sim.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
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
    spec_dict = sw.load_spec(spec).to_dict()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if store.exists() and len(_finished(store, spec_dict)) >= 6:
            break
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    finished = _finished(store, spec_dict)
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
    assert len(killed) == 60 * 40 and not killed.duplicated(["point", "seed"]).any()
    pd.testing.assert_frame_equal(killed, uninterrupted)


def _finished(store: Path, spec: dict) -> set[int]:
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
            backend="dask",
            scheduler=cluster.scheduler_address,
            chunk=5,
            **SMALL,
        )
    pd.testing.assert_frame_equal(remote, reference)


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
