"""The bad-input contract: every mistake a user can make with a scenario, a value or the command
line is a `ScenarioError` naming the file, the key, the value and what is allowed (the CLI:
exit status 2 and one line on stderr, never a traceback).

A table of the input classes that once broke the contract, then fuzzing with hypothesis over
byte strings, mutated scenario documents and command lines.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negotiation_sim as ns
from negotiation_sim import cli

HEAD = 'name = "bad"\nstart = 2017-01-01\nhorizon_days = 30\n'
HUGE = 10**400  # too large for a float
DEEP = 5000  # deeper than Python's recursion limit


def write(tmp_path: Path, text: str | bytes, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


def expect_error(call, *named: str) -> ns.ScenarioError:
    with pytest.raises(ns.ScenarioError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message and len(message) < 2000, message
    for text in named:
        assert text in message, (text, message)
    return caught.value


def cli_error(capsys, argv: list[str]) -> str:
    """Run the CLI in-process: exit status 2 and one line on stderr."""
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("negotiation-sim: error: "), err
    return err


# --- encodings ----------------------------------------------------------------------------------
ENCODINGS = {
    "binary": bytes(range(256)) * 4,
    "latin-1": (HEAD + 'title = "Pyongyang caf\xe9"\n').encode("latin-1"),
    "utf-16": (HEAD + 'title = "t"\n').encode("utf-16"),
    "utf-16-be without a mark": (HEAD + 'title = "t"\n').encode("utf-16-be"),
}


@pytest.mark.parametrize("data", ENCODINGS.values(), ids=ENCODINGS)
def test_a_file_that_is_not_utf8_is_named(tmp_path, capsys, data):
    path = write(tmp_path, data)
    error = expect_error(lambda: ns.load_scenario(path), str(path), "UTF-8")
    assert error.source == str(path)
    cli_error(capsys, ["run", str(path), "--replicates", "2"])


@pytest.mark.parametrize("data", ENCODINGS.values(), ids=ENCODINGS)
def test_a_counterfactuals_base_that_is_not_utf8_is_named(tmp_path, data):
    base = write(tmp_path, data, "base.toml")
    path = write(tmp_path, 'name = "cf"\nbase = "base.toml"\n')
    expect_error(lambda: ns.load_scenario(path), str(base), "UTF-8")


def test_utf8_with_a_byte_order_mark_is_read(tmp_path):
    path = write(tmp_path, (HEAD + 'title = "café"\n').encode("utf-8-sig"))
    assert ns.load_scenario(path).title == "café"


# --- numbers too large for a float ------------------------------------------------------------
OVERFLOWS = {
    "real parameter": (f'[params]\n"pyongyang.salvo" = {HUGE}\n', "pyongyang.salvo"),
    "integer parameter": (f'[params]\n"washington.pause_days" = {HUGE}\n', "pause_days"),
    "per-replicate list": (f'[params]\n"pyongyang.salvo" = [0.1, {HUGE}]\n', "pyongyang.salvo"),
    "initial real": (f"[initial]\ntension = {HUGE}\n", "initial.tension"),
    "initial integer": (f"[initial]\ndays_since_test = -{HUGE}\n", "initial.days_since_test"),
    "move value": (
        f'[[moves]]\ndate = 2017-01-02\nactor = "beijing"\nkind = "enforcement"\nvalue = {HUGE}\n',
        "moves[0].value",
    ),
    "move days": (
        (
            '[[moves]]\ndate = 2017-01-02\nactor = "washington"\nkind = "precondition"\n'
            f'value = "test_pause"\ndays = {HUGE}\n'
        ),
        "moves[0].days",
    ),
    "horizon": (None, "horizon_days"),
}


@pytest.mark.parametrize(("text", "key"), OVERFLOWS.values(), ids=OVERFLOWS)
def test_integers_too_large_for_a_float_are_named(tmp_path, text, key):
    body = HEAD + text if text else HEAD.replace("= 30", f"= {HUGE}")
    path = write(tmp_path, body)
    error = expect_error(lambda: ns.load_scenario(path), key, "allowed")
    assert "..." in str(error)  # the 400 digits are shortened


@pytest.mark.parametrize(
    "call",
    [
        lambda: ns.load_scenario("pressure-2017").with_params({"pyongyang.salvo": HUGE}),
        lambda: ns.load_scenario("pressure-2017").with_initial({"tension": -HUGE}),
        lambda: ns.run("pressure-2017", params={"washington.pause_days": [HUGE, 30]}),
        lambda: cli.parse_overrides([f"pyongyang.salvo={HUGE}"]),
        lambda: cli.parse_overrides([f"washington.pause_days={HUGE}"]),
    ],
)
def test_huge_numbers_given_in_code_are_named(call):
    expect_error(call, "allowed")


# --- recursion: bases and nesting -------------------------------------------------------------
def test_a_base_that_names_its_own_file_is_refused(tmp_path):
    path = write(tmp_path, 'name = "a"\nbase = "bad.toml"\n')
    expect_error(lambda: ns.load_scenario(path), "base", "does not lead back")


def test_a_loop_of_bases_is_refused(tmp_path):
    write(tmp_path, 'name = "b"\nbase = "c.toml"\n', "b.toml")
    write(tmp_path, 'name = "c"\nbase = "./sub/../b.toml"\n', "c.toml")
    (tmp_path / "sub").mkdir()
    expect_error(lambda: ns.load_scenario(tmp_path / "b.toml"), "base", "does not lead back")


def test_a_long_chain_of_bases_is_refused(tmp_path):
    write(tmp_path, HEAD.replace('"bad"', '"s0"'), "s0.toml")
    for i in range(1, 40):
        write(tmp_path, f'name = "s{i}"\nbase = "s{i - 1}.toml"\n', f"s{i}.toml")
    assert ns.load_scenario(tmp_path / "s5.toml").name == "s5"
    expect_error(lambda: ns.load_scenario(tmp_path / "s39.toml"), "base", "at most")


NESTED = {
    "arrays in params": HEAD + '[params]\n"pyongyang.salvo" = ' + "[" * DEEP + "]" * DEEP + "\n",
    "arrays at the top": HEAD + "x = " + "[" * DEEP + "1" + "]" * DEEP + "\n",
    "inline tables": HEAD + "x = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
    "dotted keys": HEAD + "[params]\n" + ".".join(["a"] * DEEP) + " = 1\n",
    "moderately deep": HEAD + "[initial]\ntension = " + "[" * 300 + "]" * 300 + "\n",
}


@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED)
def test_absurd_nesting_is_one_line_not_a_recursion_error(tmp_path, capsys, text):
    path = write(tmp_path, text)
    expect_error(lambda: ns.load_scenario(path), str(path))
    cli_error(capsys, ["run", str(path), "--replicates", "2"])


# --- the calendar, sizes and counts -----------------------------------------------------------
def test_a_run_that_would_pass_the_calendars_end_is_refused(tmp_path, capsys):
    late = HEAD.replace("2017-01-01", "9999-12-01")
    path = write(tmp_path, late.replace("= 30", "= 365"))
    expect_error(lambda: ns.load_scenario(path), "horizon_days", "9999-12-31")
    path = write(tmp_path, late.replace("= 30", "= 31"), "late.toml")
    assert cli.main(["chronicle", str(path)]) == 0  # runs to the calendar's last day
    assert "9999-12-01 + 31 days" in capsys.readouterr().out
    expect_error(lambda: ns.run(path, days=32), "days", "[0, 31]")
    cli_error(capsys, ["chronicle", str(path), "--days", "40"])


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: ns.run("pressure-2017", replicates=10**30), "replicates"),
        (lambda: ns.run("pressure-2017", days=10**30), "days"),
        (lambda: ns.NegotiationModel("pressure-2017", replicates=50_000_000), "GiB"),
        (lambda: ns.NegotiationModel("pressure-2017", 2).run(36_501), "[0, 36500]"),
    ],
)
def test_sizes_have_an_upper_bound_checked_before_allocating(call, named):
    expect_error(call, named, "allowed")


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["run", "pressure-2017", "--replicates", "1" + "0" * 30], "--replicates"),
        (["run", "pressure-2017", "--days", "1" + "0" * 30], "--days"),
        (["compare", "pressure-2017", "pressure-2017", "--replicates", "10" * 15], "--replicates"),
    ],
)
def test_absurd_counts_on_the_command_line_exit_2(capsys, argv, named):
    assert named in cli_error(capsys, argv)


# --- texts ------------------------------------------------------------------------------------
TEXTS = {
    "title a number": (HEAD + "title = 3\n", "title"),
    "description a table": (HEAD + "description = {a = 1}\n", "description"),
    "empty name": (HEAD.replace('"bad"', '""'), "name"),
    "blank name": (HEAD.replace('"bad"', '"   "'), "name"),
    "name with a newline": (HEAD.replace('"bad"', '"a\\nb"'), "name"),
    "note a list": (
        HEAD + '[[moves]]\ndate = 2017-01-02\nactor = "un"\nkind = "envoy"\nnote = [1]\n',
        "moves[0].note",
    ),
    "source a date": (
        HEAD + '[[moves]]\ndate = 2017-01-02\nactor = "un"\nkind = "envoy"\nsource = 2017-01-01\n',
        "moves[0].source",
    ),
    "hold not a list": (HEAD + 'hold = "beijing.enforcement"\n', "hold"),
    "hold an unknown name": (HEAD + 'hold = ["beijing.enforcment"]\n', "hold"),
}


@pytest.mark.parametrize(("text", "key"), TEXTS.values(), ids=TEXTS)
def test_texts_must_be_strings(tmp_path, text, key):
    expect_error(lambda: ns.load_scenario(write(tmp_path, text)), key, "allowed")


# --- values given in code ---------------------------------------------------------------------
def test_a_pandas_series_gives_one_value_per_replicate():
    values = pd.Series([0.01, 0.2, 0.01, 0.2], index=[10, 11, 12, 13])
    model = ns.run("pressure-2017", replicates=4, params={"pyongyang.test_propensity": values})
    np.testing.assert_array_equal(model.pyongyang.p.test_propensity, values.to_numpy())
    choices = pd.Series(["none", "test_pause"])
    assert ns.run("pressure-2017", replicates=2,
                  params={"washington.precondition": choices}).replicates == 2  # fmt: skip


@pytest.mark.parametrize("params", [[("pyongyang.salvo", 0.2)], "pyongyang.salvo=0.2", 3])
def test_params_that_are_not_a_mapping_are_named(params):
    expect_error(lambda: ns.run("pressure-2017", params=params), "params", "mapping")


@pytest.mark.parametrize("scenario", [3, None, ["pressure-2017"], b"pressure-2017"])
def test_a_scenario_that_is_neither_name_path_nor_scenario_is_named(scenario):
    expect_error(lambda: ns.load_scenario(scenario), "scenario", "allowed")


def test_a_name_too_long_for_the_system_is_a_missing_scenario():
    expect_error(lambda: ns.load_scenario("x" * 5000), "allowed: a path to a TOML file")


# --- the command line as a process ------------------------------------------------------------
COMMAND = [sys.executable, "-m", "negotiation_sim"]


def test_results_are_written_when_the_reader_of_stdout_goes_away(tmp_path):
    """``negotiation-sim run ... --out runs.csv | head -1``: the CSV is written, exit 0."""
    out = tmp_path / "runs.csv"
    argv = [*COMMAND, "run", "pressure-2017", "--replicates", "300", "--out", str(out)]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        process.stdout.readline()
        process.stdout.close()  # the reader goes away after one line
        status = process.wait(timeout=120)
        err = process.stderr.read().decode()
    assert status == 0, err
    assert "Traceback" not in err and "Broken pipe" not in err, err
    assert len(pd.read_csv(out)) == 300


@pytest.mark.parametrize("delay", [0.1, 0.3, 0.8, 2.5])
def test_ctrl_c_at_any_moment_is_one_line_and_status_130(delay):
    """SIGINT while the modules load (about 1.5 s), or during the run."""
    argv = [*COMMAND, "run", "pressure-2017", "--replicates", "200000", "--days", "3000"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    status = process.wait(timeout=120)
    err = process.stderr.read().decode()
    process.stderr.close()
    if status == -signal.SIGINT:  # before Python installed its handler: killed, silently
        assert err == "", err
        return
    assert status == 130, err
    assert err.strip() == "negotiation-sim: interrupted", err


# --- fuzzing ----------------------------------------------------------------------------------
FUZZ = settings(
    max_examples=int(os.environ.get("NEGOTIATION_SIM_FUZZ_EXAMPLES", "700")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_SHIPPED = ns.load_scenario("pressure-2017").to_dict()


def check_contract(path: Path) -> None:
    """Loading either gives a scenario that then runs, or a one-line `ScenarioError`."""
    try:
        scenario = ns.load_scenario(path)
        ns.run(scenario, replicates=2, days=min(3, scenario.max_days), seed=1)
    except ns.ScenarioError as error:
        message = str(error)
        assert "\n" not in message and len(message) < 2000
        assert "allowed" in message or "missing" in message, message


@FUZZ
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_fuzz_bytes(tmp_path, data):
    check_contract(write(tmp_path, HEAD.encode() + data))
    check_contract(write(tmp_path, data, "raw.toml"))


_scalars = (
    st.integers(-(10**30), 10**30) | st.sampled_from([HUGE, -HUGE, 2**63, -1, 0, 1])
    | st.floats(allow_nan=True, allow_infinity=True) | st.booleans() | st.text(max_size=12)
    | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
    | st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31))
    | st.sampled_from(["pressure-2017", "none", "test_pause", "beijing.enforcement", ""])
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_PATHS = [
    ("name",), ("start",), ("horizon_days",), ("title",), ("base",), ("hold",), ("drop_moves",),
    ("initial",), ("initial", "tension"), ("initial", "days_since_test"), ("params",),
    ("params", "pyongyang.salvo"), ("params", "washington.pause_days"),
    ("params", "washington.precondition"), ("params", "un.channel_open"), ("moves",),
    ("moves", 0), ("moves", 0, "date"), ("moves", 0, "actor"), ("moves", 0, "kind"),
    ("moves", 3, "value"), ("moves", 3, "days"), ("moves", 0, "note"), ("unknown",),
]  # fmt: skip


@FUZZ
@given(
    changes=st.lists(st.tuples(st.sampled_from(_PATHS), _values), min_size=1, max_size=3),
    drop=st.lists(st.sampled_from(_PATHS), max_size=2),
)
def test_fuzz_scenario_documents(tmp_path, changes, drop):
    """A valid scenario with some keys replaced by arbitrary TOML values, or removed."""
    document = tomlkit.parse(tomlkit.dumps(_SHIPPED)).unwrap()
    for path in drop:
        _remove(document, path)
    for path, value in changes:
        _assign(document, path, value)
    try:
        text = tomlkit.dumps(document)
    except (TypeError, ValueError):  # a value TOML cannot hold (tomlkit refuses it)
        return
    check_contract(write(tmp_path, text))


def _container(document: dict, path: tuple) -> tuple[object, object] | None:
    node = document
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node, path[-1]


def _assign(document: dict, path: tuple, value: object) -> None:
    found = _container(document, path)
    if found is not None:
        node, key = found
        try:
            node[key] = value
        except (IndexError, TypeError):
            pass


def _remove(document: dict, path: tuple) -> None:
    found = _container(document, path)
    if found is not None:
        node, key = found
        try:
            del node[key]
        except (KeyError, IndexError, TypeError):
            pass


_tokens = st.sampled_from([
    "--set", "--replicates", "--days", "--seed", "--out", "--plot", "--without-moves",
    "pyongyang.salvo=0.2", "pyongyang.salvo=", "=3", "washington.pause_days=1e999",
    f"pyongyang.salvo={HUGE}", "un.channel_open=maybe", "x.csv", "x.xlsx", "/", "-1", "0", "2",
    "1" + "0" * 40, "beijing", "nothing.such", "pressure-2017", "no-such-scenario", "\x00",
]) | st.text(max_size=10)  # fmt: skip


@FUZZ
@given(command=st.sampled_from(["run", "chronicle"]), tokens=st.lists(_tokens, max_size=6))
def test_fuzz_command_lines(tmp_path, capsys, monkeypatch, command, tokens):
    """Whatever the arguments, the CLI exits 0 or 2 (one line), never with a traceback."""
    monkeypatch.chdir(tmp_path)  # outputs a token names land in a scratch folder
    argv = [command, "pressure-2017", "--replicates", "2", "--days", "2", *tokens]
    try:
        status = cli.main(argv)
    except SystemExit as done:  # argparse's own errors: one line and status 2
        status = done.code
    err = capsys.readouterr().err
    assert status in (0, 2), (argv, err)
    if status == 2:
        assert err.count("\n") == 1 and "error" in err, (argv, err)


_NAMES = st.sampled_from(sorted(ns.REGISTRY)) | st.text(max_size=20)
_arrays = st.lists(st.floats(-2, 400) | st.integers(-5, 400), min_size=0, max_size=3).flatmap(
    lambda values: st.sampled_from([np.asarray(values), pd.Series(values, dtype=object), values])
)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # large reprs
@FUZZ
@given(params=st.dictionaries(_NAMES, _values | _arrays, max_size=4) | _values)
def test_fuzz_parameters_given_in_code(params):
    """``params=`` of any shape: a run of two replicates, or a one-line `ScenarioError`."""
    try:
        ns.run("pressure-2017", replicates=2, days=2, params=params)
    except ns.ScenarioError as error:
        assert "\n" not in str(error) and len(str(error)) < 2000
