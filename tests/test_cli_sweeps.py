"""The ``sweep`` and ``sensitivity`` commands: spec files and their scenarios, outputs checked
before the run, bad options and paths (exit status 2, one line), resuming from elsewhere, and
Ctrl-C (exit status 130, one line, a resume hint only when the store holds finished points)."""

from __future__ import annotations

import codecs
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import SPEC_SPACE, run_cli, write_spec_file

import negotiation_sim as ns
from negotiation_sim import cli
from negotiation_sim import sweeps as sw

SPACE = SPEC_SPACE


def write_spec(path: Path, **changes) -> Path:
    return write_spec_file(
        path,
        {
            "scenario": '"pressure-2017"',
            "replicates": 2,
            "seed": 5,
            "design": '"lhs"',
            "points": 4,
            "days": 20,
            **changes,
        },
    )


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def nothing_runs(monkeypatch):
    """Fail the test if any point of a sweep runs."""

    def refuse(task, points):
        raise AssertionError("a sweep ran although its options were bad")

    monkeypatch.setattr(sw, "run_points", refuse)


# --- spec files and their scenarios -----------------------------------------------------------
def test_a_scenario_path_is_relative_to_the_spec_and_without_moves_applies(tmp_path, capsys):
    folder = tmp_path / "specs"
    folder.mkdir()
    ns.load_scenario("pressure-2017").save(folder / "mine.toml")
    spec = write_spec(folder / "spec.toml", scenario='"mine.toml"', without_moves='["beijing"]')
    loaded = sw.load_spec(spec)
    assert loaded.scenario == ns.load_scenario("pressure-2017").without_moves("beijing")
    out = tmp_path / "rows.csv"
    assert cli.main(["sweep", str(spec), "--backend", "serial", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "pressure-2017: 4 points x 2 replicates (8 rows)" in said
    frame = pd.read_csv(out)
    result = sw.run_sweep(loaded, backend="serial")
    assert list(frame.columns) == list(result.frame().columns)
    assert frame["seed"].tolist() == result.outcomes["seed"].tolist()
    # A path relative to the working directory but not to the spec is not taken.
    (tmp_path / "other.toml").write_bytes((folder / "mine.toml").read_bytes())
    elsewhere = write_spec(folder / "elsewhere.toml", scenario='"other.toml"')
    assert cli.main(["sweep", str(elsewhere), "--backend", "serial"]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "scenario" in err and "relative to the specification" in err


def test_a_spec_without_space_sweeps_every_continuous_parameter(tmp_path):
    spec = tmp_path / "all.toml"
    spec.write_text('scenario = "pressure-2017"\ndesign = "lhs"\npoints = 3\n', encoding="utf-8")
    loaded = sw.load_spec(spec)
    assert len(loaded.space) == len(ns.parameters.continuous()) and loaded.size == 3


@pytest.mark.parametrize(
    ("what", "content"),
    [
        ("binary", b"\x00\x01\x02\xff\xfe binary"),
        ("latin-1", 'scenario = "pressure-2017"\n# caf\xe9\n'.encode("latin-1")),
        ("utf-16", codecs.BOM_UTF16_LE + 'scenario = "pressure-2017"\n'.encode("utf-16-le")),
        ("nested", b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n"),
        ("bad toml", b"scenario = \n"),
    ],
)
@pytest.mark.parametrize("which", ["spec", "scenario"])
def test_unreadable_spec_and_scenario_files_exit_2(tmp_path, capsys, what, content, which):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(content)
    spec = bad if which == "spec" else write_spec(tmp_path / "spec.toml", scenario='"bad.toml"')
    assert cli.main(["sweep", str(spec), "--backend", "serial"]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert str(bad) in err and "allowed" in err


# --- outputs and options, checked before the run -------------------------------------------------
def test_outputs_are_checked_before_the_run(tmp_path, capsys, nothing_runs):
    spec = write_spec(tmp_path / "spec.toml")
    morris = write_spec(
        tmp_path / "morris.toml", design='"morris"', space=SPACE + '\n"beijing.shield" = '
        "{ low = 0.0, high = 1.0 }"
    )  # fmt: skip
    store = tmp_path / "s.sqlite"
    cases = [
        (["sweep", str(spec), "--out", str(tmp_path / "rows.xlsx")], "--out"),
        (["sweep", str(spec), "--out", str(tmp_path / "missing" / "rows.csv")], "--out"),
        (["sweep", str(spec), "--out", str(tmp_path)], "--out"),
        (["sensitivity", str(morris), "--figure", str(tmp_path / "f.txt")], "--figure"),
        (["sensitivity", str(morris), "--figure", str(tmp_path / "no" / "f.png")], "--figure"),
        (["sensitivity", str(morris), "--csv", str(tmp_path / "indices.xlsx")], "--csv"),
        (["sensitivity", str(morris), "--csv", str(tmp_path / "no" / "i.csv")], "--csv"),
    ]
    for args, option in cases:
        assert cli.main([*args, "--backend", "serial", "--store", str(store)]) == 2, args
        err = one_error_line(capsys.readouterr().err)
        assert option in err and "allowed" in err
        assert not store.exists()
    assert not (tmp_path / "rows.xlsx").exists() and not (tmp_path / "indices.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--chunk", "0"], "--chunk"),
        (["--workers", "0"], "--workers"),
        (["--chunk", "-3"], "--chunk"),
        (["--workers", "100000"], "--workers"),
        (["--resume"], "--resume"),
        (["--backend", "serial", "--scheduler", "tcp://127.0.0.1:8786"], "--scheduler"),
    ],
)
@pytest.mark.parametrize("command", ["sweep", "sensitivity"])
def test_bad_options_exit_2_with_one_line(tmp_path, capsys, nothing_runs, command, args, named):
    design = '"lhs"' if command == "sweep" else '"sobol"'
    spec = write_spec(tmp_path / "spec.toml", design=design)
    assert cli.main([command, str(spec), *args]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert named in err and "<command line>" in err


def test_store_problems_exit_2_with_one_line(tmp_path, capsys, nothing_runs):
    spec = write_spec(tmp_path / "spec.toml")
    for store, words in (
        (tmp_path / "missing" / "s.sqlite", "existing folder"),
        (tmp_path, "not a folder"),
    ):
        assert cli.main(["sweep", str(spec), "--store", str(store), "--backend", "serial"]) == 2
        err = one_error_line(capsys.readouterr().err)
        assert "--store" in err and words in err
        assert err.count("allowed:") == 1, err  # said once, not wrapped in another error
    assert not (tmp_path / "missing").exists()


def test_too_many_replicates_exit_2_before_running(tmp_path, capsys, monkeypatch, nothing_runs):
    spec = write_spec(tmp_path / "spec.toml", replicates=10**9, points=2)
    assert cli.main(["sweep", str(spec), "--backend", "serial"]) == 2
    assert "replicates = 1000000000" in one_error_line(capsys.readouterr().err)
    # Replicates one batched model takes, but this machine (of 64 MiB) could not hold.
    sizes = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 2**14}
    monkeypatch.setattr(os, "sysconf", lambda name: sizes[name])
    spec = write_spec(tmp_path / "spec.toml", replicates=10**6, points=2)
    for store in ([], ["--store", str(tmp_path / "s.sqlite")]):
        assert cli.main(["sweep", str(spec), "--backend", "serial", *store]) == 2
        err = one_error_line(capsys.readouterr().err)
        assert "replicates = 1000000" in err and "memory" in err
    assert not (tmp_path / "s.sqlite").exists()


def test_an_unreachable_scheduler_exits_2_with_one_line(tmp_path, capsys):
    pytest.importorskip("distributed")
    spec = write_spec(tmp_path / "spec.toml")
    store = tmp_path / "s.sqlite"
    args = ["sweep", str(spec), "--scheduler", "tcp://127.0.0.1:1", "--store", str(store)]
    assert cli.main(args) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "--scheduler = 'tcp://127.0.0.1:1'" in err and "running Dask scheduler" in err
    assert not store.exists()


# --- resuming ---------------------------------------------------------------------------------
def test_resume_from_another_working_directory_continues_the_same_sweep(tmp_path):
    project = tmp_path / "project"
    (project / "specs").mkdir(parents=True)
    ns.load_scenario("pressure-2017").save(project / "specs" / "mine.toml")
    spec = write_spec(project / "specs" / "spec.toml", scenario='"mine.toml"', points=6)
    partial = sw.load_spec(spec)
    real = sw.run_points
    # The first run stops after two chunks (as if killed), from the project folder ...
    calls = []

    def stop_after_two(task, points):
        calls.append(1)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return real(task, points)

    store = project / "s.sqlite"
    sw.run_points = stop_after_two
    try:
        with pytest.raises(KeyboardInterrupt):
            sw.run_sweep(partial, store=store, backend="serial", chunk=1)
    finally:
        sw.run_points = real
    # ... the resume runs from elsewhere, naming the same files by other relative paths.
    done = run_cli(
        "sweep",
        "project/specs/spec.toml",
        "--store",
        "project/s.sqlite",
        "--resume",
        "--backend",
        "serial",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    whole = sw.run_sweep(sw.load_spec(spec), backend="serial")
    resumed = ns.load_sweep(store)
    assert resumed.equals(whole) and len(resumed.points) == 6


def test_resuming_with_an_edited_scenario_or_reordered_space_exits_2(tmp_path, capsys):
    ns.load_scenario("pressure-2017").save(tmp_path / "mine.toml")
    two = SPACE + '\n"beijing.shield" = { low = 0.0, high = 1.0 }'
    spec = write_spec(tmp_path / "spec.toml", scenario='"mine.toml"', space=two)
    store = str(tmp_path / "s.sqlite")
    assert cli.main(["sweep", str(spec), "--store", store, "--backend", "serial"]) == 0
    capsys.readouterr()
    reordered = write_spec(
        tmp_path / "reordered.toml",
        scenario='"mine.toml"',
        space='"beijing.shield" = { low = 0.0, high = 1.0 }\n' + SPACE,
    )
    assert cli.main(["sweep", str(reordered), "--store", store, "--resume"]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "space = ['beijing.shield', 'pyongyang.test_propensity']" in err and "order" in err
    scenario = tmp_path / "mine.toml"
    enforcement = ns.load_scenario(scenario).params["beijing.enforcement"]
    edited = ns.load_scenario(scenario).with_params({"beijing.enforcement": 0.55}, hold=False)
    edited.save(scenario)
    assert cli.main(["sweep", str(spec), "--store", store, "--resume"]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "scenario.params.beijing.enforcement = 0.55" in err
    assert f"stored specification's value {enforcement}" in err


# --- Ctrl-C -----------------------------------------------------------------------------------
def _interrupt_after(chunks: int):
    calls = []
    real = sw.run_points

    def run(task, points):
        calls.append(1)
        if len(calls) > chunks:
            raise KeyboardInterrupt
        return real(task, points)

    return run


@pytest.mark.parametrize(
    ("store", "after", "hint"),
    [(True, 2, True), (True, 0, False), (False, 2, False)],
    ids=["points stored", "nothing stored", "no store"],
)
def test_ctrl_c_says_resume_only_when_the_store_holds_points(
    tmp_path, capsys, monkeypatch, store, after, hint
):
    spec = write_spec(tmp_path / "spec.toml")
    path = tmp_path / "s.sqlite"
    monkeypatch.setattr(sw, "run_points", _interrupt_after(after))
    args = ["sweep", str(spec), "--backend", "serial", "--chunk", "1"]
    assert cli.main([*args, *(["--store", str(path)] if store else [])]) == 130
    err = one_error_line(capsys.readouterr().err)
    assert err.startswith("negotiation-sim: interrupted")
    assert ("--resume" in err) == hint
    if hint:
        assert f"2 finished point(s) are in {path}" in err
    assert path.exists() == hint  # a store left empty is removed: a rerun needs no --resume


def _finished(path: Path) -> int:
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT COUNT(*) FROM points").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("backend", ["dask", "processes"])
def test_ctrl_c_during_a_parallel_sweep_stops_quietly(tmp_path, backend):
    """SIGINT reaches the whole process group (as from a terminal): the workers stay quiet,
    the command stops them and exits 130 with one line."""
    if backend == "dask":
        pytest.importorskip("distributed")
    spec = write_spec(tmp_path / "spec.toml", replicates=400, points=400, days=365)
    store = tmp_path / "s.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-m", "negotiation_sim.cli", "sweep", str(spec), "--backend", backend,
         "--workers", "2", "--chunk", "1", "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while _finished(store) < 2 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.1)
        assert child.poll() is None, child.communicate()
        os.killpg(child.pid, signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
    assert child.returncode == 130, err
    line = one_error_line(err)
    assert line.startswith("negotiation-sim: interrupted;") and "--resume" in line
    assert 2 <= _finished(store) < 400
