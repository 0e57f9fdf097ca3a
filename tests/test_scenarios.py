"""Scenarios: the shipped ones, how they load, derived scenarios, and every kind of bad input.

Every `ScenarioError` must name the file (or ``<model>``/``<parameters>``), the key, the
offending value and what is allowed, so a user can fix the input without reading the source.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import negotiation_sim as ns
from negotiation_sim.scenarios import ACTOR_ALIASES, INITIAL_STATE, MOVE_KINDS, SCRIPTED_ACTORS

SHIPPED = ("pressure-2017", "no-preconditions-2022")
DATA = resources.files("negotiation_sim") / "data"
TIMELINE = DATA / "records" / "timeline_2017_2022.csv"


def shipped_path(name: str) -> Path:
    return Path(str(DATA / "scenarios" / f"{name}.toml"))


def timeline_rows() -> list[dict[str, str]]:
    with TIMELINE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def row_key(row: dict[str, str]) -> tuple[dt.date, str, str]:
    return dt.date.fromisoformat(row["date"]), ACTOR_ALIASES[row["actor"].lower()], row["kind"]


# --- the shipped scenarios ---------------------------------------------------------------------
def test_list_scenarios_has_the_shipped_ones():
    names = ns.list_scenarios()
    assert set(SHIPPED) <= set(names)
    assert names == sorted(names) and len(set(names)) == len(names)
    assert all(not name.endswith(".toml") for name in names)


@pytest.mark.parametrize("name", SHIPPED)
def test_loads_by_name_and_by_path_alike(name):
    by_name = ns.load_scenario(name)
    path = shipped_path(name)
    assert path.is_file()
    for how in (path, str(path)):
        by_path = ns.load_scenario(how)
        assert by_path.path == str(path)
        for field in ("name", "title", "description", "start", "horizon_days", "moves"):
            assert getattr(by_path, field) == getattr(by_name, field), field
        assert dict(by_path.params) == dict(by_name.params)
        assert dict(by_path.initial) == dict(by_name.initial)
    assert by_name.name == name
    assert name in by_name.path
    assert ns.load_scenario(by_name) is by_name


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_moves_are_outside_moves_only(name):
    scenario = ns.load_scenario(name)
    assert scenario.moves
    outcome_kinds = {row["kind"] for row in timeline_rows() if row["use"] == "outcome"}
    outcome_rows = {row_key(row) for row in timeline_rows() if row["use"] == "outcome"}
    for move in scenario.moves:
        assert move.actor != "pyongyang"
        assert move.actor in SCRIPTED_ACTORS
        assert (move.actor, move.kind) in MOVE_KINDS
        # No Security Council vote and nothing the model must produce is scripted.
        assert move.kind not in outcome_kinds
        assert not {"resolution", "veto", "vote"} & set(move.kind.split("_"))
        assert (move.date, move.actor, move.kind) not in outcome_rows
        assert 0 <= move.day < scenario.horizon_days
        assert scenario.date_of(move.day) == move.date
    assert [m.day for m in scenario.moves] == sorted(m.day for m in scenario.moves)


def test_move_kinds_never_script_pyongyang_or_votes():
    assert all(actor != "pyongyang" for actor, _ in MOVE_KINDS)
    un_kinds = {kind for actor, kind in MOVE_KINDS if actor == "un"}
    assert not any(
        word in kind for kind in un_kinds for word in ("resolution", "veto", "vote", "sanction")
    )


@pytest.mark.parametrize("name", SHIPPED)
def test_moves_are_the_timeline_inputs_of_their_year(name):
    """The scripted moves are exactly the timeline's `input` rows dated in the scenario's year."""
    scenario = ns.load_scenario(name)
    year = scenario.start.year
    expected = Counter(
        row_key(row)
        for row in timeline_rows()
        if row["use"] == "input" and row["date"].startswith(f"{year}-")
    )
    assert expected, f"no input rows for {year}"
    actual = Counter((m.date, m.actor, m.kind) for m in scenario.moves)
    assert actual == expected


def test_the_2017_scenario_covers_2017():
    scenario = ns.load_scenario("pressure-2017")
    assert scenario.start == dt.date(2017, 1, 1)
    assert scenario.date_of(scenario.horizon_days - 1).year == 2017
    assert {m.date.year for m in scenario.moves} == {2017}


def test_timeline_inputs_are_all_scriptable():
    """Every `input` row of the timeline maps onto a move kind a scenario may script."""
    for row in timeline_rows():
        if row["use"] == "input":
            _, actor, kind = row_key(row)
            assert (actor, kind) in MOVE_KINDS, row


# --- derived scenarios -------------------------------------------------------------------------
def snapshot(scenario: ns.Scenario) -> tuple:
    return (
        scenario.name,
        scenario.start,
        scenario.horizon_days,
        dict(scenario.params),
        dict(scenario.initial),
        scenario.moves,
        scenario.path,
    )


@pytest.mark.parametrize("name", SHIPPED)
def test_with_params_returns_a_new_scenario(name):
    original = ns.load_scenario(name)
    before = snapshot(original)
    derived = original.with_params({"beijing.enforcement": 0.95, "washington.pause_days": 30})
    assert derived is not original
    assert snapshot(original) == before
    assert derived.params["beijing.enforcement"] == 0.95
    assert derived.params["washington.pause_days"] == 30
    assert original.params.get("beijing.enforcement") != 0.95
    # Everything else carries over.
    for key, value in original.params.items():
        if key not in ("beijing.enforcement", "washington.pause_days"):
            assert derived.params[key] == value
    assert derived.moves == original.moves and dict(derived.initial) == dict(original.initial)
    # The original's parameters cannot be changed in place either.
    with pytest.raises(TypeError):
        original.params["beijing.enforcement"] = 0.0  # type: ignore[index]
    # A failing with_params leaves the original untouched.
    with pytest.raises(ns.ScenarioError):
        original.with_params({"beijing.enforcement": 2.0})
    assert snapshot(original) == before
    # And runs of the original are unaffected by the derived scenario.
    a = ns.run(original, replicates=3, seed=5, days=90).outcomes
    ns.run(derived, replicates=3, seed=5, days=90)
    b = ns.run(ns.load_scenario(name), replicates=3, seed=5, days=90).outcomes
    assert a.equals(b)


def test_with_initial_and_without_moves_return_new_scenarios():
    original = ns.load_scenario("pressure-2017")
    before = snapshot(original)
    warmer = original.with_initial({"tension": 0.9})
    bare = original.without_moves()
    assert warmer is not original and bare is not original
    assert snapshot(original) == before
    assert warmer.initial_state()["tension"] == 0.9
    assert original.initial_state()["tension"] != 0.9
    assert bare.moves == () and original.moves
    model = ns.run(warmer, replicates=2, seed=1, days=1)
    assert model.outcomes["max_tension"].min() >= 0.9 - 1e-12


def test_per_replicate_values_in_with_params():
    derived = ns.load_scenario("pressure-2017").with_params(
        {"washington.pause_days": [30, 60, 90], "washington.precondition": ["none"] * 3}
    )
    assert list(derived.params["washington.pause_days"]) == [30, 60, 90]
    model = ns.NegotiationModel(derived, replicates=3)
    assert model.replicates == 3


# --- bad scenario files ------------------------------------------------------------------------
HEAD = 'name = "bad"\nstart = 2020-01-01\nhorizon_days = 100\n'


def move(**fields) -> str:
    lines = ["[[moves]]"]
    for key, value in fields.items():
        lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


#: (id, file text, key, offending value as Python, text the 'allowed' part must contain)
BAD_FILES = [
    ("unknown top-level key", HEAD + 'colour = "red"\n', "colour", "red", "horizon_days"),
    (
        "unknown parameter",
        HEAD + '[params]\n"beijing.enforcment" = 0.5\n',
        "beijing.enforcment",
        0.5,
        "beijing.enforcement",
    ),
    (
        "string for a number",
        HEAD + '[params]\n"beijing.enforcement" = "high"\n',
        "beijing.enforcement",
        "high",
        "[0.0, 1.0]",
    ),
    (
        "number for a choice",
        HEAD + '[params]\n"washington.precondition" = 3\n',
        "washington.precondition",
        3,
        "'test_pause'",
    ),
    (
        "number for a flag",
        HEAD + '[params]\n"un.channel_open" = 1\n',
        "un.channel_open",
        1,
        "true or false",
    ),
    (
        "out of range",
        HEAD + '[params]\n"beijing.enforcement" = 1.5\n',
        "beijing.enforcement",
        1.5,
        "[0.0, 1.0]",
    ),
    (
        "below range",
        HEAD + '[params]\n"pyongyang.test_propensity" = 0.0\n',
        "pyongyang.test_propensity",
        0.0,
        "[0.002, 0.3]",
    ),
    (
        "integer out of range",
        HEAD + '[params]\n"washington.pause_days" = 500\n',
        "washington.pause_days",
        500,
        "[7, 180]",
    ),
    (
        "fraction for an integer",
        HEAD + '[params]\n"washington.pause_days" = 60.5\n',
        "washington.pause_days",
        60.5,
        "integer",
    ),
    (
        "nan",
        HEAD + '[params]\n"beijing.enforcement" = nan\n',
        "beijing.enforcement",
        math.nan,
        "finite",
    ),
    (
        "inf",
        HEAD + '[params]\n"beijing.enforcement" = inf\n',
        "beijing.enforcement",
        math.inf,
        "finite",
    ),
    (
        "-inf",
        HEAD + '[params]\n"pyongyang.willingness_bias" = -inf\n',
        "pyongyang.willingness_bias",
        -math.inf,
        "finite",
    ),
    (
        "wrong choice",
        HEAD + '[params]\n"washington.precondition" = "maybe"\n',
        "washington.precondition",
        "maybe",
        "'behaviour_change'",
    ),
    (
        "empty per-replicate array",
        HEAD + '[params]\n"beijing.enforcement" = []\n',
        "beijing.enforcement",
        [],
        "1-D",
    ),
    (
        "bad value inside an array",
        HEAD + '[params]\n"beijing.enforcement" = [0.5, 7.0]\n',
        "beijing.enforcement",
        7.0,
        "[0.0, 1.0]",
    ),
    (
        "start as a string",
        'name = "bad"\nstart = "2020-01-01"\nhorizon_days = 100\n',
        "start",
        "2020-01-01",
        "date",
    ),
    (
        "start as a date-time",
        'name = "bad"\nstart = 2020-01-01T00:00:00\nhorizon_days = 100\n',
        "start",
        dt.datetime(2020, 1, 1),
        "date",
    ),
    ("missing start", 'name = "bad"\nhorizon_days = 100\n', "start", None, "date"),
    ("missing name", "start = 2020-01-01\nhorizon_days = 100\n", "name", None, "str"),
    (
        "zero horizon",
        'name = "bad"\nstart = 2020-01-01\nhorizon_days = 0\n',
        "horizon_days",
        0,
        "[1, 36500]",
    ),
    (
        "fractional horizon",
        'name = "bad"\nstart = 2020-01-01\nhorizon_days = 365.5\n',
        "horizon_days",
        365.5,
        "int",
    ),
    (
        "move after the horizon",
        HEAD + move(date="2020-06-01", actor='"washington"', kind='"threat"'),
        "moves[0].date",
        "2020-06-01",
        "2020-04-09",
    ),
    (
        "move before the start",
        HEAD + move(date="2019-12-31", actor='"washington"', kind='"threat"'),
        "moves[0].date",
        "2019-12-31",
        "2020-01-01",
    ),
    (
        "move without a date",
        HEAD + move(actor='"washington"', kind='"threat"'),
        "moves[0].date",
        None,
        "date",
    ),
    (
        "move by pyongyang",
        HEAD + move(date="2020-02-01", actor='"pyongyang"', kind='"launch"'),
        "moves[0].actor",
        "pyongyang",
        "washington",
    ),
    (
        "move by an unknown actor",
        HEAD + move(date="2020-02-01", actor='"tokyo"', kind='"threat"'),
        "moves[0].actor",
        "tokyo",
        "beijing",
    ),
    (
        "unknown move kind",
        HEAD + move(date="2020-02-01", actor='"washington"', kind='"invade"'),
        "moves[0].kind",
        "invade",
        "talks_offer",
    ),
    (
        "another actor's move kind",
        HEAD + move(date="2020-02-01", actor='"beijing"', kind='"us_sanctions"'),
        "moves[0].kind",
        "us_sanctions",
        "enforcement",
    ),
    (
        "a scripted Security Council vote",
        HEAD + move(date="2020-02-01", actor='"un"', kind='"resolution_passed"'),
        "moves[0].kind",
        "resolution_passed",
        "envoy",
    ),
    (
        "share out of range",
        HEAD + move(date="2020-02-01", actor='"beijing"', kind='"enforcement"', value="1.5"),
        "moves[0].value",
        1.5,
        "[0.0, 1.0]",
    ),
    (
        "bad precondition value",
        HEAD
        + move(date="2020-02-01", actor='"washington"', kind='"precondition"', value='"maybe"'),
        "moves[0].value",
        "maybe",
        "'none'",
    ),
    (
        "precondition days out of range",
        HEAD
        + move(
            date="2020-02-01",
            actor='"washington"',
            kind='"precondition"',
            value='"test_pause"',
            days="500",
        ),
        "moves[0].days",
        500,
        "[7, 180]",
    ),
    (
        "days with no pause asked",
        HEAD
        + move(
            date="2020-02-01", actor='"washington"', kind='"precondition"', value='"none"', days="5"
        ),
        "moves[0].days",
        5,
        "test_pause",
    ),
    (
        "value for a kind that takes none",
        HEAD + move(date="2020-02-01", actor='"washington"', kind='"threat"', value="3"),
        "moves[0].value",
        3,
        "no value",
    ),
    (
        "share missing",
        HEAD + move(date="2020-02-01", actor='"beijing"', kind='"enforcement"'),
        "moves[0].value",
        None,
        "[0.0, 1.0]",
    ),
    (
        "unknown move key",
        HEAD + move(date="2020-02-01", actor='"washington"', kind='"threat"', colour='"red"'),
        "moves[0].colour",
        "red",
        "kind",
    ),
    (
        "second move bad",
        HEAD
        + move(date="2020-02-01", actor='"washington"', kind='"threat"')
        + move(date="2021-02-01", actor='"washington"', kind='"threat"'),
        "moves[1].date",
        "2021-02-01",
        "2020-04-09",
    ),
    ("params not a table", HEAD + "params = 3\n", "params", 3, "table"),
    ("moves not an array of tables", HEAD + "moves = 3\n", "moves", 3, "[[moves]]"),
    ("name not a string", "name = 3\nstart = 2020-01-01\nhorizon_days = 100\n", "name", 3, "str"),
    ("unknown initial key", HEAD + "[initial]\nmorale = 0.5\n", "initial.morale", 0.5, "tension"),
    (
        "initial out of range",
        HEAD + "[initial]\ntension = 1.5\n",
        "initial.tension",
        1.5,
        "[0.0, 1.0]",
    ),
    ("initial nan", HEAD + "[initial]\ntrust = nan\n", "initial.trust", math.nan, "finite"),
    (
        "initial negative days",
        HEAD + "[initial]\ndays_since_test = -1\n",
        "initial.days_since_test",
        -1,
        "[0, 3650]",
    ),
    (
        "initial talks state",
        HEAD + "[initial]\ntalks_state = 4\n",
        "initial.talks_state",
        4,
        "[0, 3]",
    ),
    (
        "initial fraction for an integer",
        HEAD + "[initial]\ntalks_state = 1.5\n",
        "initial.talks_state",
        1.5,
        "integer",
    ),
    (
        "initial flag as a string",
        HEAD + '[initial]\noffer_active = "yes"\n',
        "initial.offer_active",
        "yes",
        "true or false",
    ),
    (
        "unknown base",
        'name = "cf"\nbase = "nowhere-2017"\n',
        "base",
        "nowhere-2017",
        "pressure-2017",
    ),
    ("base is itself", 'name = "cf"\nbase = "cf"\n', "base", "cf", "another scenario"),
    ("base not a string", 'name = "cf"\nbase = 2017\n', "base", 2017, "another scenario"),
    (
        "drop_moves without a base",
        HEAD + ('[[drop_moves]]\ndate = 2020-02-01\nactor = "washington"\nkind = "threat"\n'),
        "drop_moves",
        None,
        "base",
    ),
    (
        "drop a move the base lacks",
        (
            'name = "cf"\nbase = "pressure-2017"\n[[drop_moves]]\n'
            'date = 2017-12-14\nactor = "washington"\n'
            'kind = "precondition"\n'
        ),
        "drop_moves[0]",
        None,
        "2017-12-13 washington precondition",
    ),
    (
        "drop_moves not tables",
        'name = "cf"\nbase = "pressure-2017"\ndrop_moves = 3\n',
        "drop_moves",
        3,
        "[[drop_moves]]",
    ),
    (
        "a horizon that loses base moves",
        'name = "cf"\nbase = "pressure-2017"\nhorizon_days = 30\n',
        "horizon_days",
        30,
        "2017-02-18",
    ),
    (
        "a bad override in a counterfactual",
        'name = "cf"\nbase = "pressure-2017"\n[params]\n"beijing.shield" = 2.0\n',
        "beijing.shield",
        2.0,
        "[0.0, 1.0]",
    ),
]


def value_texts(value) -> list[str]:
    """Ways a message may show ``value``: its repr, or the ISO form for dates."""
    if isinstance(value, float) and math.isnan(value):
        return ["nan"]
    texts = [repr(value)]
    if isinstance(value, (dt.date, dt.datetime)):
        texts.append(value.isoformat())
    if isinstance(value, str):
        texts.append(value)
    return texts


def assert_names_everything(
    error: ns.ScenarioError, source: str, key: str, value, allowed: str
) -> None:
    message = str(error)
    assert source in message, f"file {source!r} not named in: {message}"
    assert key in message, f"key {key!r} not named in: {message}"
    if value is not None:
        assert any(text in message for text in value_texts(value)), (
            f"value {value!r} not named in: {message}"
        )
    assert "allowed" in message or "missing" in message, message
    assert allowed in message, f"{allowed!r} not said to be allowed in: {message}"
    assert error.source == source and error.key == key


@pytest.mark.parametrize(
    ("text", "key", "value", "allowed"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_bad_file_raises_scenario_error_naming_everything(tmp_path, text, key, value, allowed):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ns.ScenarioError) as caught:
        ns.load_scenario(path)
    assert_names_everything(caught.value, str(path), key, value, allowed)
    assert isinstance(caught.value, ValueError)


def test_the_good_head_alone_loads(tmp_path):
    """The bad files above differ from a valid one only in what each test breaks."""
    path = tmp_path / "good.toml"
    path.write_text(
        HEAD
        + move(date="2020-02-01", actor='"washington"', kind='"threat"')
        + move(date="2020-04-09", actor='"united_nations"', kind='"envoy"'),
        encoding="utf-8",
    )
    scenario = ns.load_scenario(path)
    assert scenario.horizon_days == 100 and len(scenario.moves) == 2
    assert scenario.moves[-1].actor == "un" and scenario.moves[-1].day == 99


def test_invalid_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "bad"\nstart = \n', encoding="utf-8")
    with pytest.raises(ns.ScenarioError) as caught:
        ns.load_scenario(path)
    message = str(caught.value)
    assert str(path) in message and "TOML" in message
    assert "line 2" in message  # where the file is broken


@pytest.mark.parametrize("name", ["pressure-2099", "no-such-scenario"])
def test_unknown_scenario_name(name):
    with pytest.raises(ns.ScenarioError) as caught:
        ns.load_scenario(name)
    message = str(caught.value)
    assert name in message
    for shipped in SHIPPED:
        assert shipped in message  # says what is available


def test_nonexistent_path(tmp_path):
    path = tmp_path / "missing.toml"
    with pytest.raises(ns.ScenarioError) as caught:
        ns.load_scenario(path)
    assert str(path) in str(caught.value)
    with pytest.raises(ns.ScenarioError):
        ns.NegotiationModel(str(path))


def test_scenario_from_dict_names_its_source():
    with pytest.raises(ns.ScenarioError) as caught:
        ns.scenario_from_dict(
            {
                "name": "x",
                "start": dt.date(2020, 1, 1),
                "horizon_days": 10,
                "params": {"beijing.enforcement": -0.1},
            },
            source="my-sweep",
        )
    assert_names_everything(caught.value, "my-sweep", "beijing.enforcement", -0.1, "[0.0, 1.0]")


def test_with_params_errors_name_the_scenario():
    scenario = ns.load_scenario("pressure-2017")
    with pytest.raises(ns.ScenarioError) as caught:
        scenario.with_params({"washington.precondition": "maybe"})
    message = str(caught.value)
    assert scenario.path in message and "washington.precondition" in message
    assert "'maybe'" in message and "'none'" in message
    with pytest.raises(ns.ScenarioError) as caught:
        scenario.with_initial({"capability": 2})
    assert "initial.capability" in str(caught.value) and "2" in str(caught.value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "0.5", None, True])
def test_model_params_reject_non_numbers(value):
    with pytest.raises(ns.ScenarioError) as caught:
        ns.NegotiationModel("pressure-2017", params={"beijing.enforcement": value})
    assert "beijing.enforcement" in str(caught.value)
    assert "allowed" in str(caught.value)


# --- per-replicate arrays and model arguments --------------------------------------------------
@pytest.mark.parametrize(
    ("values", "kwargs", "expected"),
    [
        ([0.1, 0.2], {"replicates": 3}, 3),
        ([0.1, 0.2, 0.3], {"replicates": 2}, 2),
        ([0.1, 0.2], {"seeds": [1, 2, 3, 4]}, 4),
        (np.array([0.1]), {"replicates": 5}, 5),
    ],
)
def test_per_replicate_array_of_wrong_length(values, kwargs, expected):
    with pytest.raises(ns.ScenarioError) as caught:
        ns.NegotiationModel("pressure-2017", params={"beijing.enforcement": values}, **kwargs)
    message = str(caught.value)
    assert "beijing.enforcement" in message
    assert str(expected) in message.split(":", 2)[-1]  # in what is allowed
    assert caught.value.key == "beijing.enforcement"


def test_per_replicate_array_of_wrong_length_from_a_file(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text(
        HEAD + '[params]\n"washington.precondition" = ["none", "test_pause"]\n', encoding="utf-8"
    )
    scenario = ns.load_scenario(path)  # the length is only known at model construction
    assert ns.NegotiationModel(scenario, replicates=2).replicates == 2
    with pytest.raises(ns.ScenarioError) as caught:
        ns.NegotiationModel(scenario, replicates=3)
    message = str(caught.value)
    assert str(path) in message and "washington.precondition" in message and "3" in message


@pytest.mark.parametrize("replicates", [0, -1, 2.5, True, "3", None])
def test_bad_replicates(replicates):
    with pytest.raises(ns.ScenarioError) as caught:
        ns.NegotiationModel("pressure-2017", replicates=replicates)
    assert_names_everything(caught.value, "<model>", "replicates", replicates, "integer")


@pytest.mark.parametrize("seed", [-1, 1.5, True, "7", [1, 2]])
def test_bad_seed(seed):
    with pytest.raises(ns.ScenarioError) as caught:
        ns.NegotiationModel("pressure-2017", seed=seed)
    assert_names_everything(caught.value, "<model>", "seed", seed, "integer")


@pytest.mark.parametrize(
    "seeds", [[], [-1], [1.5], [[1, 2], [3, 4]], ["a"], [True], [1, -2], [2**63], 5, "abc"]
)
def test_bad_seeds(seeds):
    with pytest.raises(ns.ScenarioError) as caught:
        ns.NegotiationModel("pressure-2017", seeds=seeds)
    message = str(caught.value)
    assert "<model>" in message and "seeds" in message and "allowed" in message
    assert caught.value.key == "seeds"


@pytest.mark.parametrize("days", [-1, 1.5, True, "10"])
def test_bad_days(days):
    model = ns.NegotiationModel("pressure-2017")
    with pytest.raises(ns.ScenarioError) as caught:
        model.run(days)
    assert_names_everything(caught.value, "<model>", "days", days, "integer")
    assert model.day == 0


def test_initial_state_fields_have_sane_ranges():
    for field in INITIAL_STATE.values():
        if field.kind != "flag":
            assert field.low <= field.default <= field.high, field.name


# --- counterfactuals -----------------------------------------------------------------------
COUNTERFACTUALS = {
    "moratorium-honored-2017": "pressure-2017",
    "coherent-washington-2017": "pressure-2017",
    "un-channel-closed-2017": "pressure-2017",
    "pay-to-talk-2022": "no-preconditions-2022",
    "china-enforces-2022": "no-preconditions-2022",
    "denuclearization-first-2022": "no-preconditions-2022",
}
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _words(text: str) -> str:
    return " ".join(
        text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').split()
    )


@pytest.mark.parametrize(("name", "base"), COUNTERFACTUALS.items())
def test_counterfactual_changes_one_thing_of_its_base(name, base):
    scenario, parent = ns.load_scenario(name), ns.load_scenario(base)
    assert scenario.base == base and name in ns.list_scenarios()
    assert (scenario.start, scenario.horizon_days) == (parent.start, parent.horizon_days)
    assert dict(scenario.initial) == dict(parent.initial)
    changed = {
        k
        for k in {*scenario.params, *parent.params}
        if scenario.params.get(k) != parent.params.get(k)
    }
    assert len(changed) == 1, changed
    dropped = set(parent.moves) - set(scenario.moves)
    assert set(scenario.moves) <= set(parent.moves) and len(dropped) <= 1


@pytest.mark.parametrize("name", COUNTERFACTUALS)
def test_counterfactual_files_say_why_quoting_a_seed(name):
    text = shipped_path(name).read_text(encoding="utf-8")
    comments = _words(
        " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    )
    assert "Changes one thing relative to" in comments and "Why:" in comments
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the project")
    seeds = _words(" ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")))
    quotes = [q for q in comments.split('"')[1::2] if len(q) > 15]
    assert quotes and all(part.strip(" .") in seeds for q in quotes for part in q.split("...")), (
        quotes
    )


def test_drop_moves_removes_exactly_the_named_move(tmp_path):
    path = tmp_path / "cf.toml"
    path.write_text(
        'name = "cf"\nbase = "pressure-2017"\n[[drop_moves]]\ndate = 2017-11-21\n'
        'actor = "washington"\nkind = "us_sanctions"\n[[moves]]\n'
        'date = 2017-12-01\nactor = "washington"\nkind = "threat"\n',
        encoding="utf-8",
    )
    scenario, parent = ns.load_scenario(path), ns.load_scenario("pressure-2017")
    assert len(scenario.moves) == len(parent.moves)
    assert dt.date(2017, 11, 21) not in [m.date for m in scenario.moves]
    assert [m.day for m in scenario.moves] == sorted(m.day for m in scenario.moves)
    assert scenario.title == parent.title and scenario.base == "pressure-2017"


@pytest.mark.parametrize(
    ("name", "values", "bad"),
    [
        ("washington.pause_days", np.array([60.0, 61.5]), 61.5),
        ("beijing.enforcement", np.array([0.5, np.nan]), "nan"),
        ("beijing.enforcement", np.array([0.5, 1.5, 2.0]), 1.5),
        ("washington.pause_days", np.array([60, 500]), 500),
    ],
)
def test_numeric_arrays_are_checked_at_once(name, values, bad):
    with pytest.raises(ns.ScenarioError) as caught:
        ns.parameters.validate({name: values}, "<arrays>")
    assert caught.value.key == name and str(bad) in str(caught.value)
    good = ns.parameters.validate({name: values[:1]}, "<arrays>")[name]
    assert good.dtype == (np.int64 if name == "washington.pause_days" else np.float64)
