"""Seoul, the sixth actor: the direction of each of its rules (M10, M13, M16), its scripted
moves, and that adding it left every other actor's draws alone."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import quiet_world
from test_mechanisms import (
    WILLING,
    assert_greater,
    assert_much_smaller,
    mean_gap,
    move,
    restricted_mean_days,
    run_arms,
    switched_off,
)

import negotiation_sim as ns
from negotiation_sim.streams import uniforms

#: Seoul's exercise rules switched off: an exercise that nobody feels.
UNFELT = {
    "seoul.exercise_tension": 0.0,
    "seoul.exercise_provocation": 0.0,
    "seoul.exercise_chill": 0.0,
}
#: Exercises every 60 days in a quiet world, as the record's combined exercises come.
EXERCISES = [move(day, "seoul", "exercise") for day in range(20, 365, 60)]


def test_m10_seoul_inter_korean_offers_open_a_channel_for_contact():
    """M10: an engaging Seoul's offers of inter-Korean talks bring contact earlier.

    Record: "Seoul proposes inter-Korean military talks and Red Cross talks" (2017-07-17).
    No offer from Washington stands, so the direct channel is closed; an engaging Seoul offering
    often against never. Switched off (the channel closed even while offers stand), the offers
    bring contact no earlier.
    """
    arms = {
        "offers": {**WILLING, "seoul.talks_offer_rate": 0.05},
        "never": {**WILLING, "seoul.talks_offer_rate": 0.0},
    }
    closed = switched_off(arms, {"seoul.channel_openness": 0.0})
    result = run_arms(quiet_world(), {**arms, **closed}, replicates=1000, daily=False)

    def days(label):
        return restricted_mean_days(result[label].outcomes["days_to_contact"], 365)

    assert result["offers"].column("inter_korean_offers").mean() > 3
    assert_greater(days("never"), days("offers"), "days to first contact")
    assert_much_smaller(
        mean_gap(days("never_off"), days("offers_off")),
        mean_gap(days("never"), days("offers")),
        "contact brought forward",
    )


def test_m10_seoul_aid_raises_pyongyangs_willingness():
    """M10: aid on offer raises Pyongyang's willingness to talk, and the pull fades.

    Record: "Seoul approves 8 million dollars of humanitarian aid through UN agencies"
    (2017-09-21). One scripted offer of aid on day 30, felt (weight 1) or not (weight 0).
    """
    world = quiet_world(moves=[move(30, "seoul", "aid")])
    result = run_arms(
        world, {"felt": {"seoul.aid_weight": 1.0}, "unfelt": {"seoul.aid_weight": 0.0}}, 500
    )
    felt, unfelt = (result[k].daily("willingness_un") for k in ("felt", "unfelt"))
    assert np.array_equal(felt[:30], unfelt[:30])  # nothing before the aid
    assert_greater(felt[31:60].mean(axis=0), unfelt[31:60].mean(axis=0), "willingness after aid")
    aid = result["felt"].daily("seoul_aid")
    assert aid[30].min() == 1.0 and aid[300].max() < aid[60].min()  # the pull fades


def test_m16_combined_exercises_raise_tension_excite_tests_and_chill_talks():
    """M16: Pyongyang reads a combined exercise as a threat.

    Seed 000: "steps meant to emphasize American commitment to its allies in the region";
    "a possible sign of larger tests to come". Exercises every 60 days, felt (each one
    provoking answers at a daily hazard of 0.3 while its threat is whole) against not felt at
    all: more tension, more launch days; and with only the chill felt, less willingness to
    talk (with the answers felt too, their tests would also hurry development, whose
    completion raises willingness, M14).
    """
    felt = {"seoul.exercise_provocation": 0.3}
    chilled = {**UNFELT, "seoul.exercise_chill": 0.5}
    arms = {"felt": felt, "unfelt": UNFELT, "chilled": chilled}
    result = run_arms(quiet_world(moves=EXERCISES), arms, 1500)
    felt, unfelt = result["felt"], result["unfelt"]
    assert_greater(
        felt.daily("tension").mean(axis=0), unfelt.daily("tension").mean(axis=0), "tension"
    )
    assert_greater(felt.column("launch_days"), unfelt.column("launch_days"), "launch days")
    assert_greater(
        unfelt.daily("willingness_us").mean(axis=0),
        result["chilled"].daily("willingness_us").mean(axis=0),
        "willingness to talk",
    )
    assert (felt.daily("exercise_under_way").sum(axis=0) == 6 * 11).all()


def test_m16_an_answer_to_an_exercise_tests_what_is_in_development():
    """M16 with M14: Pyongyang answers an exercise by hurrying the tests it needs anyway, so
    the answers' classes follow its reasons to test, not short-range shows alone.

    Record: Ulchi Freedom Guardian began on 21 August 2017; an SRBM salvo followed on the 25th
    and a Hwasong-12 IRBM over Japan on the 28th. Five IRBM systems in development that never
    finish (development per test 0), a small need to show fielded systems and a low baseline:
    most launch days the exercises add are IRBM flights (about four in five). Were every
    answer a short-range show, a sixth would be, through the momentum the answers leave.
    """
    world = quiet_world(moves=EXERCISES, params={"pyongyang.developing_irbm": 5.0})
    behaviour = {
        "pyongyang.development_per_test": 0.0,
        "pyongyang.demonstration_need": 0.1,
        "pyongyang.test_propensity": 0.002,
        "seoul.exercise_rate": 0.0,
    }
    arms = {
        "felt": {**behaviour, "seoul.exercise_provocation": 0.3},
        "unfelt": {**behaviour, **UNFELT},
    }
    result = run_arms(world, arms, 1500)

    def added(column):
        return result["felt"].column(column).mean() - result["unfelt"].column(column).mean()

    assert added("launch_days") > 1.0
    assert added("missiles_irbm") > 0.6 * added("launch_days")  # a sixth were it short-range


def test_m16_the_threat_of_an_exercise_outlasts_it_and_fades():
    """M16: Pyongyang's answers to an exercise go on after it ends, fading.

    Record: the drills with the carrier Ronald Reagan ran 26-29 September 2022; Pyongyang's
    launches went on to 9 October. One four-day exercise on day 30: with a long-lived threat
    (30 days) there are more launch days in the month after it ends than with one that fades
    at once (1 day); switched off (no provocation), the two are the same.
    """
    world = quiet_world(
        moves=[move(30, "seoul", "exercise", days=4)], params={"seoul.exercise_rate": 0.0}
    )
    felt = {"seoul.exercise_provocation": 0.3}
    arms = {
        "lasting": {**felt, "seoul.threat_days": 30.0},
        "brief": {**felt, "seoul.threat_days": 1.0},
    }
    off = switched_off(arms, {"seoul.exercise_provocation": 0.0})
    result = run_arms(world, {**arms, **off}, 1500)

    def after(label):  # launch days in the month after the exercise ended (days 35-64)
        return result[label].daily("launch_day")[35:65].sum(axis=0)

    assert_greater(after("lasting"), after("brief"), "launch days after the exercise")
    assert mean_gap(after("lasting_off"), after("brief_off")) == 0
    threat = result["lasting"].daily("exercise_threat")
    assert (threat[30] == 1).all() and (threat[31] < 1).all()  # whole when it begins
    assert (np.diff(threat[30:], axis=0) < 0).all() and (threat[-1] > 0).all()  # then fading


def test_m16_a_scripted_exercise_runs_its_recorded_days():
    """The record dates each exercise: a move's ``days`` is how long it runs; without them it
    runs seoul.exercise_days. Bad days are refused naming the key."""
    world = quiet_world(
        moves=[move(10, "seoul", "exercise", days=61), move(200, "seoul", "exercise")],
        params={"seoul.exercise_rate": 0.0, "seoul.exercise_days": 5},
    )
    model = ns.run(world, 4, seed=3)
    running = model.daily("exercise_under_way")
    assert (running[:200].sum(axis=0) == 61).all() and (running[200:].sum(axis=0) == 5).all()
    spans = {m.note or m.kind: m.days for m in ns.load_scenario("pressure-2017").moves}
    assert 61 in spans.values() and 11 in spans.values()  # Foal Eagle, Ulchi Freedom Guardian
    with pytest.raises(ns.ScenarioError, match=r"moves\[0\]\.days.*allowed"):
        quiet_world(moves=[move(10, "seoul", "exercise", days=0)])
    with pytest.raises(ns.ScenarioError, match=r"moves\[0\]\.days.*no days for seoul aid"):
        quiet_world(moves=[move(10, "seoul", "aid", days=5)])


def test_m16_an_aligned_seoul_answers_tests_with_shows_of_force():
    """M16: an aligned Seoul answers Pyongyang's tests with combined exercises, which raise
    tension; an engaging one does not.

    Record: "US-ROK naval drills with the carrier Ronald Reagan" (2022-09-26), under the
    "alignment and deterrence" of Yoon Suk-yeol (2022-05-10).
    """
    arms = {
        "aligned": {"seoul.stance": "alignment", "seoul.exercise_rate": 1.0},
        "engaging": {"seoul.stance": "engagement", "seoul.exercise_rate": 1.0},
    }
    result = run_arms(quiet_world(params={"seoul.pull": 0.0}), arms, 1000)
    aligned, engaging = result["aligned"], result["engaging"]
    assert engaging.column("exercises").max() == 0
    assert aligned.column("exercises").mean() > 3
    assert_greater(
        aligned.daily("tension").mean(axis=0), engaging.daily("tension").mean(axis=0), "tension"
    )


def test_m13_an_engaging_seoul_presses_washington_to_offer_talks():
    """M13: an engaging Seoul presses Washington to offer talks more often.

    Seed 000: "according to South Korea's President Moon Jae-in". Engagement against alignment
    (with no exercises and no inter-Korean offers, so only the pull differs); switched off
    (no pull), the stance no longer changes Washington's offers.
    """
    quiet = {"seoul.exercise_rate": 0.0, "seoul.talks_offer_rate": 0.0}
    arms = {
        "engaging": {**quiet, "seoul.stance": "engagement", "seoul.pull": 1.0},
        "aligned": {**quiet, "seoul.stance": "alignment", "seoul.pull": 1.0},
    }
    off = switched_off(arms, {"seoul.pull": 0.0})
    result = run_arms(quiet_world(), {**arms, **off}, 1000, daily=False)

    def offers(label):
        return result[label].column("offers")

    assert_greater(offers("engaging"), offers("aligned"), "Washington's offers")
    assert mean_gap(offers("engaging_off"), offers("aligned_off")) == 0


# --- scripted moves ----------------------------------------------------------------------------
def test_a_scripted_stance_changes_seouls_stance_unless_the_user_holds_it():
    world = quiet_world(
        params={"seoul.stance": "engagement"},
        moves=[move(100, "seoul", "stance", value="alignment")],
    )
    model = ns.run(world, 3, seed=1, days=101)
    assert (model.seoul.stance == 1).all()
    assert "takes a stance of alignment" in model.chronicle(0)
    held = ns.run(world.with_params({"seoul.stance": "engagement"}), 3, seed=1, days=101)
    assert (held.seoul.stance == 0).all()
    assert [m.kind for m, _ in world.with_params({"seoul.stance": "alignment"}).held_moves()] == [
        "stance"
    ]


def test_the_historical_years_script_seouls_recorded_moves():
    for name, kinds in (
        ("pressure-2017", {"exercise": 2, "stance": 1, "talks_offer": 2, "aid": 1}),
        ("no-preconditions-2022", {"exercise": 3, "stance": 1, "aid": 1}),
    ):
        moves = [m.kind for m in ns.load_scenario(name).moves if m.actor == "seoul"]
        assert {k: moves.count(k) for k in set(moves)} == kinds, name
    model = ns.run("no-preconditions-2022", 2, seed=5)
    chronicle = model.chronicle(0)
    assert "Seoul: begins a combined exercise with Washington  [record: Vigilant Storm" in chronicle
    assert (model.outcomes["exercises"] >= 3).all()


def test_seouls_draws_leave_the_other_actors_draws_alone():
    """Each draw is keyed by its name: Seoul's draws are new names, and every other actor's
    draw of a day is what it would be without Seoul."""
    model = ns.run("pressure-2017", 20, seed=9, days=40)
    names = [n for n in model.streams.names if not n.startswith("seoul.")]
    assert len(names) == len(model.streams.names) - len(ns.Seoul.draws)
    for name in names:
        assert np.array_equal(model.streams.draw(name), uniforms(model.seeds, 39, name))
