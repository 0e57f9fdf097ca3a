"""The ``negotiation-sim`` commands scenarios, run, chronicle, compare and viz.

Most tests call `cli.main` in-process (fast); a few run the module in a subprocess to prove
what a shell sees: the exit status, one line on stderr and no traceback.
"""

from __future__ import annotations

import fcntl
import importlib
import os
import re
import select
import socket
import struct
import subprocess
import sys
import termios

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiation_sim as ns
from negotiation_sim import cli, runner

FAST = ["--replicates", "50", "--days", "60"]
CLI = [sys.executable, "-m", "negotiation_sim.cli"]


def call(args: list[str]) -> int:
    """`cli.main`'s exit status, also when argparse exits (help, bad options)."""
    try:
        return cli.main(args)
    except SystemExit as done:
        return done.code


def one_line_error(capsys, args: list[str], status: int = 2) -> str:
    assert call(args) == status
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def row(text: str, outcome: str) -> tuple[float, float, float]:
    """Estimate, low and high of one outcome's row of `run`'s table."""
    match = re.search(
        rf"^{outcome} +\S+ +([\d.]+)%? \[([\d.]+)%?, ([\d.]+)%?\]", text, re.MULTILINE
    )
    assert match, f"no row {outcome} in\n{text}"
    return tuple(float(x) for x in match.groups())


# --- help ---------------------------------------------------------------------------------------
HELP = {
    "scenarios": ["shipped scenarios"],
    "run": [
        "SCENARIO",
        "--replicates",
        "--days",
        "--seed",
        "--set",
        "--out",
        "--plot",
        ".parquet",
        "default: 1000",
    ],
    "chronicle": ["SCENARIO", "--days", "--seed", "--set"],
    "compare": [
        "--replicates",
        "--days",
        "--seed",
        "--set-a",
        "--set-b",
        "--figure",
        "--csv",
        "default: 2000",
    ],
    "viz": ["--host", "--port", "--no-browser", "8765", "negotiation-sim[viz]"],
}


@pytest.mark.parametrize("command", list(HELP))
def test_help_describes_every_option(command, capsys):
    assert call([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: negotiation-sim {command}")
    for word in HELP[command]:
        assert word in out, word


def test_top_level_help_lists_every_command(capsys):
    assert call(["--help"]) == 0
    out = capsys.readouterr().out
    for command in [*HELP, "sweep", "sensitivity"]:
        assert command in out


# --- scenarios ----------------------------------------------------------------------------------
def test_scenarios_lists_each_with_its_period_and_base(capsys):
    assert cli.main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "period", "description"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert sorted(rows) == ns.list_scenarios()
    assert "2017-01-01 to 2017-12-31" in rows["pressure-2017"]
    assert "counterfactual of pressure-2017:" in rows["moratorium-honored-2017"]
    assert "counterfactual" not in rows["no-preconditions-2022"]
    column = lines[0].index("description")  # aligned: every description starts there
    assert all(line[column - 2 : column] == "  " and line[column] != " " for line in lines)


# --- run ----------------------------------------------------------------------------------------
def test_run_prints_a_header_and_outcomes_with_intervals(capsys):
    assert cli.main(["run", "pressure-2017", *FAST, "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("pressure-2017: 50 replicates x 60 days from 2017-01-01, seed 3")
    share, share_low, share_high = row(out, "talks_reached")
    assert share_low <= share <= share_high and "Wilson" in out
    days, days_low, days_high = row(out, "launch_days")
    assert days_low <= days <= days_high and "median, 10%-90% of replicates" in out


def test_run_reads_a_scenario_file(tmp_path, capsys):
    path = tmp_path / "short.toml"
    path.write_text('name = "short"\nstart = 2020-03-01\nhorizon_days = 30\n', encoding="utf-8")
    assert cli.main(["run", str(path), "--replicates", "20"]) == 0
    assert capsys.readouterr().out.startswith("short: 20 replicates x 30 days from 2020-03-01")


@pytest.mark.parametrize(
    "items",
    [
        ["--set", "washington.pause_days=30", "un.channel_open=false"],
        ["--set", "washington.pause_days=30", "--set", "un.channel_open=false"],
    ],
)
def test_set_takes_several_overrides_either_way(items, monkeypatch):
    seen = {}

    def record(scenario, *args, **options):
        seen.update({name: scenario.params[name] for name in scenario.held})
        raise KeyboardInterrupt  # stop before running: only the parsing is under test

    monkeypatch.setattr(runner, "run", record)
    assert cli.main(["run", "pressure-2017", *items]) == 130
    assert seen == {"washington.pause_days": 30, "un.channel_open": False}


def test_set_moves_launch_days_the_expected_way(capsys):
    estimates = {}
    for propensity in ("0.005", "0.1"):
        assert (
            cli.main(
                [
                    "run",
                    "pressure-2017",
                    "--replicates",
                    "200",
                    "--days",
                    "120",
                    "--set",
                    f"pyongyang.test_propensity={propensity}",
                    "--set",  # development never completes: the propensity sets the pace
                    "pyongyang.development_per_test=0",
                ]
            )
            == 0
        )
        out = capsys.readouterr().out
        assert f"--set pyongyang.test_propensity={propensity}" in out.splitlines()[0]
        estimates[propensity] = row(out, "launch_days")
    # Median near 0 against about 50: the 10-90 % ranges do not even overlap.
    assert estimates["0.005"][2] + 10 < estimates["0.1"][1]


def test_out_csv_and_parquet_round_trip(tmp_path, capsys):
    expected = ns.run("pressure-2017", 50, 60, 0, record_events=False).outcomes
    csv = tmp_path / "outcomes.csv"
    assert cli.main(["run", "pressure-2017", *FAST, "--out", str(csv)]) == 0
    assert f"outcomes written to {csv}" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_csv(csv), expected, check_dtype=False)
    pytest.importorskip("pyarrow")
    parquet = tmp_path / "outcomes.parquet"
    assert cli.main(["run", "pressure-2017", *FAST, "--out", str(parquet)]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), expected)


def test_plot_writes_the_overview(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    figure = tmp_path / "overview.png"
    assert cli.main(["run", "pressure-2017", *FAST, "--plot", str(figure)]) == 0
    assert f"figure written to {figure}" in capsys.readouterr().out
    assert figure.stat().st_size > 10_000


def test_missing_parquet_extra_fails_before_running(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails
    err = one_line_error(
        capsys, ["run", "pressure-2017", "--out", str(tmp_path / "x.parquet")], status=1
    )
    assert "pip install 'negotiation-sim[parquet]'" in err
    assert not (tmp_path / "x.parquet").exists()


def test_an_output_path_that_is_a_folder_exits_2_before_running(tmp_path, capsys, monkeypatch):
    (tmp_path / "taken.csv").mkdir()
    monkeypatch.setattr(runner, "run", lambda *a, **k: pytest.fail("ran before the check"))
    err = one_line_error(
        capsys, ["run", "pressure-2017", *FAST, "--out", str(tmp_path / "taken.csv")]
    )
    assert "taken.csv" in err and "folder" in err


def test_interrupted_run_exits_130_without_a_resume_hint(capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run", interrupted)
    err = one_line_error(capsys, ["run", "pressure-2017"], status=130)
    assert "interrupted" in err and "--resume" not in err


# --- progress -----------------------------------------------------------------------------------
def test_progress_bar_changes_nothing_in_the_results():
    plain = runner.run("pressure-2017", 30, 90, 5, record_events=False)
    shown = runner.run("pressure-2017", 30, 90, 5, record_events=False, progress=True)
    pd.testing.assert_frame_equal(plain.outcomes, shown.outcomes)
    assert shown.day == 90


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys):
    assert cli.main(["run", "pressure-2017", *FAST]) == 0
    assert capsys.readouterr().err == ""


def test_progress_bar_on_a_terminal():
    leader, follower = os.openpty()
    # A fresh pseudo-terminal has 0 columns, where tqdm draws nothing; a real one has some.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    child = subprocess.Popen(
        [*CLI, "run", "pressure-2017", "--replicates", "20"],
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    while True:  # read as it comes, so a full terminal buffer never blocks the child
        ready, _, _ = select.select([leader], [], [], 60)
        try:
            chunk = os.read(leader, 4096) if ready else b""
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0
    assert b"launch_days" in out and b"365/365" not in out
    assert b"pressure-2017" in shown and b"365/365" in shown and b"day" in shown


def test_compare_shows_progress_only_on_a_terminal(capsys, monkeypatch):
    command = ["compare", "pressure-2017", "pressure-2017", "--replicates", "20", "--days", "30"]
    assert cli.main(command) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(command) == 0
    assert capsys.readouterr().err.count("30/30") == 2  # one bar per side


# --- chronicle ----------------------------------------------------------------------------------
def test_chronicle_is_dated_and_reproducible(capsys):
    texts = []
    for seed in ("7", "7", "8"):
        assert cli.main(["chronicle", "pressure-2017", "--seed", seed, "--days", "120"]) == 0
        texts.append(capsys.readouterr().out)
    assert texts[0] == texts[1] and texts[0] != texts[2]
    dated = re.findall(r"^2017-\d\d-\d\d \(day +\d+\)", texts[0], re.MULTILINE)
    assert len(dated) >= 5
    assert texts[0].startswith("pressure-2017: replicate 0")


def test_chronicle_takes_overrides(capsys):
    args = ["chronicle", "pressure-2017", "--days", "120", "--seed", "7"]
    steady = ["--set", "pyongyang.development_per_test=0"]  # the propensity sets the pace
    assert cli.main([*args, *steady]) == 0
    assert cli.main([*args, *steady, "--set", "pyongyang.test_propensity=0.3"]) == 0
    plain, tested = capsys.readouterr().out.split("pressure-2017: replicate 0")[1:]
    assert tested.count("launches") > plain.count("launches")


# --- compare ------------------------------------------------------------------------------------
def test_compare_prints_the_summary_and_writes_its_files(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    figure, table = tmp_path / "compare.png", tmp_path / "compare.csv"
    assert (
        cli.main(
            [
                "compare",
                "pressure-2017",
                "moratorium-honored-2017",
                *FAST,
                "--figure",
                str(figure),
                "--csv",
                str(table),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("pressure-2017 vs moratorium-honored-2017: 50 replicates")
    assert "difference (b - a)" in out and "Kaplan-Meier" in out
    assert figure.stat().st_size > 10_000
    written = pd.read_csv(table, index_col="outcome")
    assert {"talks_reached", "launch_days"} <= set(written.index)


def test_compare_one_scenario_with_two_settings(capsys):
    assert (
        cli.main(
            [
                "compare",
                "pressure-2017",
                "pressure-2017",
                *FAST,
                "--set-b",
                "pyongyang.test_propensity=0.2",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "pressure-2017 (a) vs pressure-2017 (b)" in out
    launch = next(line for line in out.splitlines() if line.startswith("launch_days "))
    assert launch.split()[-3].startswith("+")  # side b launches more


# --- viz ----------------------------------------------------------------------------------------
def dashboard():
    """The dashboard module, or a skip while it is missing (someone else writes it)."""
    try:
        return importlib.import_module("negotiation_sim.app")
    except Exception as error:  # noqa: BLE001 - any failure to import: not testable yet
        pytest.skip(f"negotiation_sim.app is not importable: {error}")


def test_viz_serves_with_the_options_given(monkeypatch):
    calls = []
    monkeypatch.setattr(dashboard(), "serve", lambda **kwargs: calls.append(kwargs))
    assert cli.main(["viz", "--host", "0.0.0.0", "--port", "9001", "--no-browser"]) == 0
    assert cli.main(["viz"]) == 0
    assert calls == [
        {"host": "0.0.0.0", "port": 9001, "open_browser": False},
        {"host": "127.0.0.1", "port": 8765, "open_browser": True},
    ]


def test_viz_names_a_port_in_use_or_a_host_it_cannot_use(capsys, monkeypatch):
    monkeypatch.setattr(dashboard(), "serve", lambda **kwargs: pytest.fail("served"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = one_line_error(capsys, ["viz", "--port", str(port)], status=2)
    assert f"--port = {port}" in err and "a free port on 127.0.0.1" in err
    err = one_line_error(capsys, ["viz", "--host", "no-such-host.invalid"], status=2)
    assert "--host = 'no-such-host.invalid'" in err


def test_viz_without_the_extra_says_what_to_install(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "negotiation_sim.app", None)  # import fails
    err = one_line_error(capsys, ["viz"], status=1)
    assert "pip install 'negotiation-sim[viz]'" in err


# --- bad input ----------------------------------------------------------------------------------
BAD = [
    ("unknown scenario", ["run", "nowhere-2030"], ["nowhere-2030", "pressure-2017"]),
    (
        "unknown parameter",
        ["run", "pressure-2017", "--set", "pyongyang.test_propensty=0.1"],
        ["--set", "pyongyang.test_propensty", "allowed", "pyongyang.test_propensity"],
    ),
    (
        "out of range",
        ["run", "pressure-2017", "--set", "pyongyang.test_propensity=5"],
        ["--set", "pyongyang.test_propensity", "allowed: a finite number in [0.002, 0.3]"],
    ),
    (
        "not a number",
        ["chronicle", "pressure-2017", "--set", "pyongyang.test_propensity=x"],
        ["pyongyang.test_propensity", "'x'", "allowed"],
    ),
    (
        "not a flag",
        ["run", "pressure-2017", "--set", "washington.honor_pause=maybe"],
        ["washington.honor_pause", "allowed: true or false"],
    ),
    (
        "not a choice",
        ["run", "pressure-2017", "--set", "washington.precondition=nothing"],
        ["washington.precondition", "'test_pause'"],
    ),
    (
        "malformed --set",
        ["run", "pressure-2017", "--set", "pyongyang.test_propensity"],
        ["--set", "NAME=VALUE"],
    ),
    (
        "bad --out suffix",
        ["run", "pressure-2017", "--out", "outcomes.xlsx"],
        ["--out", "outcomes.xlsx", ".csv, .parquet"],
    ),
    (
        "missing directory",
        ["run", "pressure-2017", "--out", "{tmp}/missing/x.csv"],
        ["--out", "missing", "does not exist"],
    ),
    ("bad --plot suffix", ["run", "pressure-2017", "--plot", "overview.gif"], ["--plot", ".png"]),
    (
        "negative replicates",
        ["run", "pressure-2017", "--replicates", "-5"],
        ["--replicates", "-5", "[1, 100000000]"],
    ),
    ("zero days", ["chronicle", "pressure-2017", "--days", "0"], ["--days", "[1, 36500]"]),
    (
        "negative seed",
        ["run", "pressure-2017", "--seed", "-1"],
        ["--seed", ">= 0"],
    ),
    (
        "not an integer",
        ["run", "pressure-2017", "--replicates", "x"],
        [
            "negotiation-sim run: error: argument --replicates: invalid int value: 'x'",
            "(see negotiation-sim run --help)",
        ],
    ),
    (
        "unknown option",
        ["run", "pressure-2017", "--colour", "red"],
        ["negotiation-sim run: error:", "--colour"],
    ),
    ("unknown command", ["simulate"], ["simulate", "scenarios"]),
    ("no command", [], ["COMMAND"]),
    (
        "one replicate to compare",
        ["compare", "pressure-2017", "pressure-2017", "--replicates", "1"],
        ["--replicates", "[2, 100000000]"],
    ),
    (
        "bad side b",
        ["compare", "pressure-2017", "pressure-2017", "--set-b", "un.channel_open=2"],
        ["--set-b", "un.channel_open"],
    ),
    (
        "compare horizons",
        ["compare", "pressure-2017", "{tmp}/short.toml", "--replicates", "10"],
        ["days", "horizons differ"],
    ),
    (
        "bad --figure suffix",
        ["compare", "pressure-2017", "pressure-2017", "--figure", "x.jpg"],
        ["--figure", "x.jpg"],
    ),
    (
        "bad --csv suffix",
        ["compare", "pressure-2017", "pressure-2017", "--csv", "x.tsv"],
        ["--csv", "x.tsv"],
    ),
    ("port out of range", ["viz", "--port", "70000"], ["--port", "70000", "65535"]),
    ("port not a number", ["viz", "--port", "http"], ["negotiation-sim viz", "--port", "'http'"]),
]


@pytest.mark.parametrize(
    ("args", "named"), [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
def test_bad_input_exits_2_with_one_line_naming_it(tmp_path, capsys, args, named):
    (tmp_path / "short.toml").write_text(
        'name = "short"\nstart = 2020-03-01\nhorizon_days = 30\n', encoding="utf-8"
    )
    err = one_line_error(capsys, [arg.format(tmp=tmp_path) for arg in args])
    for word in named:
        assert word in err, (word, err)
    assert capsys.readouterr().out == ""  # nothing ran


@pytest.mark.parametrize(
    "args",
    [
        ["run", "nowhere-2030"],
        ["run", "pressure-2017", "--replicates", "many"],
        ["viz", "--port", "0"],
    ],
    ids=["unknown scenario", "argparse error", "bad port"],
)
def test_shell_sees_status_2_and_one_line(args):
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""


# --- --set parsing ------------------------------------------------------------------------------
FLAG_WORDS = {True: ["true", "True", "YES", "yes", "1"], False: ["false", "FALSE", "no", "0"]}


@st.composite
def assignments(draw):
    """A registry parameter, a valid value of it, and that value as a user might type it."""
    entry = draw(st.sampled_from(sorted(ns.REGISTRY.values(), key=lambda p: p.name)))
    if entry.kind == "real":
        value = draw(st.floats(entry.low, entry.high))
        text = draw(st.sampled_from([repr(value), str(value)]))
    elif entry.kind == "integer":
        value = draw(st.integers(int(entry.low), int(entry.high)))
        text = draw(st.sampled_from([str(value), f"{value}.0", f" {value} "]))
    elif entry.kind == "flag":
        value = draw(st.booleans())
        text = draw(st.sampled_from(FLAG_WORDS[value]))
    else:
        value = draw(st.sampled_from(entry.choices))
        text = value
    return entry, value, text


@settings(max_examples=300, deadline=None)
@given(assignments())
def test_set_parses_any_valid_value_by_its_kind(assignment):
    entry, value, text = assignment
    parsed = cli.parse_overrides([f"{entry.name}={text}"])
    assert parsed == {entry.name: value}
    kind = {"real": float, "integer": int, "flag": bool, "choice": str}[entry.kind]
    assert type(parsed[entry.name]) is kind


@pytest.mark.parametrize("kind", ["real", "integer", "flag", "choice"])
def test_every_kind_of_parameter_is_covered(kind):
    assert any(p.kind == kind for p in ns.REGISTRY.values())


def test_later_settings_win_and_each_option_is_named():
    assert cli.parse_overrides(["un.channel_open=no", "un.channel_open=yes"]) == {
        "un.channel_open": True
    }
    with pytest.raises(ns.ScenarioError, match="--set-a"):
        cli.parse_overrides(["un.channel_opn=no"], "--set-a")
