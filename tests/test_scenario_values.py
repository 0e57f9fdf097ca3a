"""Scenarios are values: equal by content, picklable, written to TOML and read back; the user's
values hold over scripted history; moves can be dropped by actor and kind."""

from __future__ import annotations

import datetime as dt
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negotiation_sim as ns
from negotiation_sim import parameters
from negotiation_sim.scenarios import MOVE_KINDS, Move

PRESSURE = "pressure-2017"


# --- equality, hashing, pickling --------------------------------------------------------------
@pytest.mark.parametrize("name", ns.list_scenarios())
def test_a_scenario_equals_itself_wherever_it_was_read_from(name, tmp_path):
    scenario = ns.load_scenario(name)
    path = scenario.save(tmp_path / f"{name}.toml")
    again = ns.load_scenario(path)
    assert again == scenario and hash(again) == hash(scenario)
    assert again.fingerprint() == scenario.fingerprint()
    assert again.path == str(path) != scenario.path  # where it came from is not content


@pytest.mark.parametrize("name", ns.list_scenarios())
def test_scenarios_pickle_round_trip(name):
    scenario = ns.load_scenario(name).with_params({"pyongyang.salvo": np.array([0.1, 0.2])})
    copy = pickle.loads(pickle.dumps(scenario))
    assert copy == scenario and copy.held == scenario.held and copy.path == scenario.path
    np.testing.assert_array_equal(copy.params["pyongyang.salvo"], [0.1, 0.2])
    with pytest.raises(TypeError):  # still read-only after the trip
        copy.params["pyongyang.salvo"] = 0.3


def test_content_differences_make_scenarios_unequal():
    base = ns.load_scenario(PRESSURE)
    variants = [
        base.with_params({"beijing.enforcement": 0.9}),
        base.with_params({"beijing.enforcement": base.params["beijing.enforcement"]}),  # held
        base.with_initial({"tension": 0.9}),
        base.without_moves("beijing"),
    ]
    fingerprints = {base.fingerprint(), *(v.fingerprint() for v in variants)}
    assert len(fingerprints) == 1 + len(variants)
    assert all(v != base for v in variants)


# --- TOML round trip ------------------------------------------------------------------------
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_NAME = _TEXT.filter(lambda s: s.strip() and s.isprintable())


def _value(entry: parameters.Parameter):
    """A valid value of a registry entry: a scalar or one value per replicate."""
    if entry.kind == "choice":
        scalar = st.sampled_from(entry.choices)
    elif entry.kind == "flag":
        scalar = st.booleans()
    elif entry.kind == "integer":
        scalar = st.integers(int(entry.low), int(entry.high))
    else:
        scalar = st.floats(entry.low, entry.high, allow_nan=False)
    return scalar | st.lists(scalar, min_size=1, max_size=4)


@st.composite
def scenarios(draw) -> ns.Scenario:
    start = draw(st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1)))
    horizon = draw(st.integers(1, 800))
    names = draw(st.lists(st.sampled_from(sorted(parameters.REGISTRY)), max_size=5, unique=True))
    params = {name: draw(_value(parameters.REGISTRY[name])) for name in names}
    moves = []
    for _ in range(draw(st.integers(0, 4))):
        actor, kind = draw(st.sampled_from(sorted(MOVE_KINDS)))
        move = {"date": start + dt.timedelta(days=draw(st.integers(0, horizon - 1))),
                "actor": actor, "kind": kind, "note": draw(_TEXT)}  # fmt: skip
        spec = MOVE_KINDS[(actor, kind)]
        if spec.sets is not None:  # a scalar value the quantity it sets accepts
            entry = parameters.REGISTRY[spec.sets]
            move["value"] = draw(_value(entry).filter(lambda v: not isinstance(v, list)))
            if move["value"] == "test_pause" and draw(st.booleans()):
                move["days"] = draw(st.integers(7, 180))
        moves.append(move)
    raw = {"name": draw(_NAME), "title": draw(_TEXT), "description": draw(_TEXT),
           "start": start, "horizon_days": horizon, "params": params, "moves": moves,
           "hold": draw(st.lists(st.sampled_from(sorted(parameters.REGISTRY)), max_size=2,
                                 unique=True))}  # fmt: skip
    scenario = ns.scenario_from_dict(raw, "<generated>")
    if draw(st.booleans()):
        scenario = scenario.with_params({"washington.pause_days": draw(st.integers(7, 180))})
    return scenario


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_to_toml_reads_back_to_an_equal_scenario(scenario, tmp_path_factory):
    path = tmp_path_factory.mktemp("toml") / "written.toml"
    scenario.save(path)
    again = ns.load_scenario(path)
    assert again == scenario
    assert again.held == scenario.held
    assert [m.to_dict() for m in again.moves] == [m.to_dict() for m in scenario.moves]


@pytest.mark.parametrize("name", ["moratorium-honored-2017", "china-enforces-2022"])
def test_a_counterfactual_is_written_with_its_base_resolved(name, tmp_path):
    scenario = ns.load_scenario(name)
    text = scenario.to_toml()
    assert "base =" not in text and f"counterfactual of {scenario.base}" in text
    assert ns.load_scenario(scenario.save(tmp_path / "cf.toml")) == scenario


def test_a_variant_reaches_the_command_line_through_a_file(tmp_path, capsys):
    from negotiation_sim import cli

    variant = ns.load_scenario(PRESSURE).with_params({"pyongyang.test_propensity": 0.2})
    path = variant.save(tmp_path / "variant.toml")
    assert cli.main(["run", str(path), "--replicates", "50", "--days", "60"]) == 0
    assert capsys.readouterr().out.startswith("pressure-2017: 50 replicates x 60 days")


# --- the user's values hold over scripted history ------------------------------------------
def test_a_held_enforcement_lasts_the_whole_year_and_unheld_it_follows_the_record():
    scenario = ns.load_scenario(PRESSURE)
    held = ns.run(scenario.with_params({"beijing.enforcement": 0.9}), replicates=20)
    assert (held.beijing.enforcement == 0.9).all()
    scripted = ns.run(scenario.with_params({"beijing.enforcement": 0.9}, hold=False), replicates=20)
    (move,) = [m for m in scenario.moves if (m.actor, m.kind) == ("beijing", "enforcement")]
    assert (scripted.beijing.enforcement == move.value).all()  # the 18 February move applied
    assert ns.run(scenario, replicates=20).beijing.enforcement.tolist() == [move.value] * 20


def test_held_enforcement_raises_economic_pain_all_year_long():
    """The README's example: strict Chinese enforcement does change the year's pain (M5)."""
    scenario = ns.load_scenario(PRESSURE)
    strict = ns.run(scenario.with_params({"beijing.enforcement": 0.9}), replicates=400, seed=1)
    usual = ns.run(scenario, replicates=400, seed=1)
    pain = strict.outcomes["final_economic_pain"], usual.outcomes["final_economic_pain"]
    assert (pain[0] > pain[1]).mean() > 0.95  # twins on common random numbers


def test_a_held_pause_length_is_the_one_washington_asks_for():
    scenario = ns.load_scenario(PRESSURE)
    (move,) = [m for m in scenario.moves if m.kind == "precondition" and m.days is not None]
    assert move.sets == {"washington.precondition": "test_pause", "washington.pause_days": 60}
    days = move.day + 1  # the day after the move
    held = ns.run(scenario.with_params({"washington.pause_days": 25}), replicates=5, days=days)
    assert (held.washington.pause_days == 25).all()
    assert (held.washington.precondition == 1).all()  # the move's precondition still applies
    unheld = scenario.with_params({"washington.pause_days": 25}, hold=False)
    assert (ns.run(unheld, replicates=5, days=days).washington.pause_days == 60).all()


def test_a_held_precondition_makes_a_stricter_move_only_restate_the_offer():
    """M8: the 13 December move tightens the offer (a mixed signal) unless the user holds the
    precondition; then it restates the standing offer and contradicts nothing."""
    scenario = ns.load_scenario(PRESSURE).with_initial({"offer_active": True})
    (move,) = [m for m in scenario.moves if m.date == dt.date(2017, 12, 13)]
    days = move.day + 1
    model = ns.run(scenario, replicates=200, days=days, seed=2)
    held = ns.run(scenario.with_params({"washington.precondition": "none"}), replicates=200,
                  days=days, seed=2)  # fmt: skip
    signal = lambda m: m.daily("credibility")[move.day]
    assert (held.washington.precondition == 0).all()
    assert (model.washington.precondition == 2).all()
    assert signal(held).mean() > signal(model).mean()


def test_held_relations_survive_the_russian_crisis_which_still_starts():
    scenario = ns.load_scenario("no-preconditions-2022")
    model = ns.run(scenario.with_params({"moscow.us_relations": 0.9}), replicates=10)
    assert (model.moscow.us_relations == 0.9).all() and model.moscow.crisis.all()
    model = ns.run(scenario, replicates=10)
    assert (model.moscow.us_relations == 0.1).all() and model.moscow.crisis.all()


def test_held_moves_name_what_the_hold_overrides():
    scenario = ns.load_scenario(PRESSURE)
    assert scenario.held_moves() == []
    held = scenario.with_params({"beijing.enforcement": 0.9, "washington.pause_days": 30})
    listed = {(m.label(), tuple(sorted(v))) for m, v in held.held_moves()}
    assert listed == {("2017-02-18 beijing enforcement", ("beijing.enforcement",)),
                      ("2017-10-30 washington precondition", ("washington.pause_days",))}  # fmt: skip
    applied = held.applied_moves()
    assert len(applied) == len(scenario.moves) - 1  # the enforcement move only set the value
    assert all(isinstance(m, Move) for m in applied)


def test_a_counterfactual_holds_its_own_values_over_its_base_moves(tmp_path):
    path = tmp_path / "cf.toml"
    path.write_text('name = "cf"\nbase = "pressure-2017"\n[params]\n"beijing.enforcement" = 0.95\n')
    scenario = ns.load_scenario(path)
    assert scenario.held == {"beijing.enforcement"}
    assert (ns.run(scenario, replicates=3).beijing.enforcement == 0.95).all()


def test_a_file_may_hold_its_own_values(tmp_path):
    path = tmp_path / "held.toml"
    text = (
        ns.load_scenario(PRESSURE)
        .to_toml()
        .replace("horizon_days = 365\n", 'horizon_days = 365\nhold = ["beijing.enforcement"]\n')
    )
    path.write_text(text, encoding="utf-8")
    assert (ns.run(path, replicates=3).beijing.enforcement == 0.4).all()


def test_the_command_line_says_which_move_a_set_value_holds_over(capsys):
    from negotiation_sim import cli

    args = ["run", PRESSURE, "--replicates", "20", "--set", "beijing.enforcement=0.9"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "note: --set beijing.enforcement holds over the scripted move of 2017-02-18" in out


# --- dropping moves -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("selectors", "gone"),
    [
        (("beijing",), {("beijing", "enforcement"), ("beijing", "envoy")}),
        (("us_sanctions",), {("washington", "us_sanctions")}),
        (("washington.precondition", "UN"), {("washington", "precondition"), ("un", "envoy"),
                                              ("un", "envoy_proposal")}),
        (("envoy",), {("beijing", "envoy"), ("un", "envoy")}),
    ],
)  # fmt: skip
def test_without_moves_drops_exactly_the_selected_kinds(selectors, gone):
    scenario = ns.load_scenario(PRESSURE)
    kept = scenario.without_moves(*selectors).moves
    assert {(m.actor, m.kind) for m in kept} == {(m.actor, m.kind) for m in scenario.moves} - gone
    assert [m for m in scenario.moves if (m.actor, m.kind) not in gone] == list(kept)


@pytest.mark.parametrize("selector", ["pyongyang", "washington.launch", "tests", "", 3])
def test_an_unknown_move_selector_names_what_is_allowed(selector):
    with pytest.raises(ns.ScenarioError, match=r"without_moves = .*allowed: an actor"):
        ns.load_scenario(PRESSURE).without_moves(selector)


def test_without_moves_on_the_command_line_drops_them_from_the_chronicle(capsys):
    from negotiation_sim import cli

    chronicles = {}
    for extra in ([], ["--without-moves", "washington.us_sanctions"], ["--without-moves"]):
        assert cli.main(["chronicle", PRESSURE, "--seed", "3", *extra]) == 0
        chronicles[len(extra)] = capsys.readouterr().out
    assert "Bank of Dandong" in chronicles[0] and "Bank of Dandong" not in chronicles[2]
    assert "China suspends coal" in chronicles[2]  # other moves stay
    assert "[record:" in chronicles[0] and "[record:" not in chronicles[1]
