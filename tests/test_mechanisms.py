"""One test per mechanism M1–M20 of the model brief (/work/shared/MODEL_BRIEF.md).

Each test shows the *direction* of the brief's "effect a test must show", other things equal,
over many seeded replicates. Settings that differ only in the mechanism's parameters (or
initial state, or one scripted move) are run on the same replicate seeds (common random
numbers), so a replicate in one arm and its twin in the other see the same draws.

Statistics: an effect counts when the difference exceeds `Z` standard errors. For twins (same
seeds, same replicate order) the standard error is that of the per-replicate differences; for
groups of different replicates (e.g. "among those that reach talks") it is Welch's; for rates
per exposure day it is Poisson's. Where natural, a test also switches the mechanism off (its
parameters at the value that removes it) and checks that the effect vanishes or shrinks.

Seeds: ``000`` is ``seeds/000_86765be9c3ba85b9.txt`` (CNN, January 2022); ``003`` is
``seeds/003_184512813cdc3250.txt`` (Foreign Policy, December 2017).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from conftest import quiet_world

import negotiation_sim as ns
from negotiation_sim.calibration import _answered_major_tests
from negotiation_sim.streams import replicate_seeds

#: The one model seed of this file; every replicate seed derives from it.
SEED = 2024
#: An effect must exceed this many standard errors.
Z = 3.0
#: `quiet_world` starts on this date; scripted moves are dated from it.
START = dt.date(2020, 1, 1)
YEAR = 365


# --- running arms on common random numbers ---------------------------------------------------
class Arm:
    """One setting's replicates inside a batched run: outcomes and daily series."""

    def __init__(self, model: ns.NegotiationModel, columns: slice) -> None:
        self.model = model
        self.columns = columns
        self.outcomes = model.outcomes.iloc[columns].reset_index(drop=True)

    def daily(self, name: str) -> np.ndarray:
        """Daily series ``name`` as floats, shape (days, replicates of this arm)."""
        return np.asarray(self.model.daily(name)[:, self.columns], dtype=np.float64)

    def column(self, name: str) -> np.ndarray:
        return self.outcomes[name].to_numpy(dtype=np.float64)


def batch(
    scenario: ns.Scenario, arms: dict[str, dict], replicates: int, seed: int = SEED
) -> tuple[np.ndarray, dict[str, list], dict[str, slice]]:
    """Lay arms (dicts of parameter overrides) side by side in one batch.

    Returns the replicate seeds, per-replicate parameter values and each arm's columns.
    Replicate i of every arm has the same seed (common random numbers); parameters an arm does
    not set keep the scenario's value, so arms differ only where they say.
    """
    base = scenario.parameter_values()
    names = sorted({name for overrides in arms.values() for name in overrides})
    params = {
        name: [
            value
            for overrides in arms.values()
            for value in [overrides.get(name, base[name])] * replicates
        ]
        for name in names
    }
    columns = {label: slice(i * replicates, (i + 1) * replicates) for i, label in enumerate(arms)}
    return np.tile(replicate_seeds(seed, replicates), len(arms)), params, columns


def run_arms(
    scenario: ns.Scenario,
    arms: dict[str, dict],
    replicates: int,
    seed: int = SEED,
    daily: bool = True,
) -> dict[str, Arm]:
    """Run every arm on the same replicate seeds, in one batched model."""
    seeds, params, columns = batch(scenario, arms, replicates, seed)
    model = ns.run(scenario, seeds=seeds, params=params, record_events=False, record_daily=daily)
    return {label: Arm(model, cols) for label, cols in columns.items()}


def switched_off(arms: dict[str, dict], off: dict) -> dict[str, dict]:
    """The arms again, each as ``<label>_off`` with the mechanism switched off by ``off``."""
    return {f"{label}_off": {**values, **off} for label, values in arms.items()}


#: Pyongyang's baseline willingness to talk and readiness to accept, raised alike in every arm
#: of a test that counts talks, so that enough replicates reach talks for a comparison to have
#: power (and fixed, so a recalibration of the behaviour leaves the tests' power alone).
WILLING = {"pyongyang.willingness_bias": -3.5, "pyongyang.accept_rate": 0.05}


def open_offer_world(
    horizon: int = YEAR,
    initial: dict | None = None,
    params: dict | None = None,
    moves: list | None = None,
) -> ns.Scenario:
    """A quiet world with a standing offer of talks without preconditions to a Pyongyang
    open to talks (`WILLING`)."""
    return quiet_world(
        horizon,
        {"offer_active": True, **(initial or {})},
        {"washington.precondition": "none", **WILLING, **(params or {})},
        moves,
    )


def move(day: int, actor: str, kind: str, **extra) -> dict:
    """A scripted move on ``day`` of a `quiet_world` scenario."""
    return {"date": START + dt.timedelta(days=day), "actor": actor, "kind": kind, **extra}


# --- statistics --------------------------------------------------------------------------------
def paired_z(a, b) -> float:
    """Mean of a - b over twin replicates in units of its standard error."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    se = d.std(ddof=1) / np.sqrt(d.size)
    if se == 0:
        return 0.0 if d.mean() == 0 else np.copysign(np.inf, d.mean())
    return float(d.mean() / se)


def welch_z(a, b) -> float:
    """Difference of means of two independent groups in units of its standard error."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float((a.mean() - b.mean()) / np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size))


def rate_z(events_a, exposure_a, events_b, exposure_b) -> float:
    """Difference of two Poisson rates (events per exposure day) in standard errors."""
    ra, rb = events_a / exposure_a, events_b / exposure_b
    return float((ra - rb) / np.sqrt(events_a / exposure_a**2 + events_b / exposure_b**2))


def assert_greater(high, low, what: str) -> None:
    """Twin replicates: ``high`` exceeds ``low`` on average by more than `Z` errors."""
    z = paired_z(high, low)
    assert z > Z, (
        f"{what}: expected {np.mean(high):.4g} > {np.mean(low):.4g} by more than "
        f"{Z} standard errors; got z = {z:.2f}"
    )


def assert_much_smaller(
    effect_off: float, effect_on: float, what: str, share: float = 0.25
) -> None:
    """With the mechanism switched off, what is left of its effect is at most ``share``."""
    assert abs(effect_off) <= share * abs(effect_on), (
        f"{what}: switched off the effect is {effect_off:.4g}, not much smaller than "
        f"{effect_on:.4g}"
    )


def mean_gap(high, low) -> float:
    return float(np.mean(high) - np.mean(low))


def restricted_mean_days(days: pd.Series, horizon: int) -> np.ndarray:
    """Days to an event, censored at the horizon when it never came (restricted mean)."""
    return days.fillna(horizon).to_numpy(dtype=np.float64)


def window_dispersion(launch_day: np.ndarray, window: int = 30) -> np.ndarray:
    """Per replicate: variance-to-mean ratio of launch-day counts in consecutive windows.

    1 for tests that come independently at a steady rate (Poisson); above 1 when they cluster.
    NaN for a replicate without launches.
    """
    days = launch_day.shape[0] // window * window
    counts = launch_day[:days].reshape(-1, window, launch_day.shape[1]).sum(axis=1)
    mean = counts.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean > 0, counts.var(axis=0, ddof=1) / mean, np.nan)


def state_before(arm: Arm, initial_state: int) -> np.ndarray:
    """Talks state at the start of each day (the state the day's decisions read)."""
    state = arm.daily("talks_state")
    return np.vstack([np.full((1, state.shape[1]), initial_state), state[:-1]])


# --- M1 ----------------------------------------------------------------------------------------
def test_m01_stricter_preconditions_fewer_talks():
    """M1, preconditions for talks: stricter preconditions give fewer replicates reaching talks
    within a year.

    Seeds: 000 "without any preconditions", "anytime, any place"; 003 "only after they showed
    their seriousness by imposing a pause", "would first have to change its behavior".
    A standing offer to a Pyongyang open to talks that tests about once in fifty days, so that
    a pause is a condition to meet. Each step up the ladder none < 60-day pause < behaviour
    change < denuclearization, and a longer pause within `test_pause`, must lower the share
    reaching talks.
    """
    testing = {"pyongyang.test_propensity": 0.02, "pyongyang.demonstration_need": 1.0}
    arms = run_arms(
        open_offer_world(params=testing),
        {
            "none": {"washington.precondition": "none"},
            "test_pause": {"washington.precondition": "test_pause", "washington.pause_days": 60},
            "behaviour_change": {"washington.precondition": "behaviour_change"},
            "denuclearization": {"washington.precondition": "denuclearization"},
            "pause_20_days": {"washington.precondition": "test_pause", "washington.pause_days": 20},
            "pause_120_days": {
                "washington.precondition": "test_pause",
                "washington.pause_days": 120,
            },
        },
        replicates=2000,
        daily=False,
    )
    talks = {label: arm.column("talks_reached") for label, arm in arms.items()}
    for milder, stricter in [
        ("none", "test_pause"),
        ("test_pause", "behaviour_change"),
        ("behaviour_change", "denuclearization"),
        ("pause_20_days", "pause_120_days"),
    ]:
        assert_greater(
            talks[milder], talks[stricter], f"share reaching talks, {milder} vs {stricter}"
        )


# --- M2 ----------------------------------------------------------------------------------------
SANCTION_DAY = 10


def test_m02_sanctions_during_pledged_pause_break_the_bargain():
    """M2, the test-pause bargain and reneging: sanctioning during a pause lowers Pyongyang's
    trust and P(talks) sharply and raises the hazard of a major test (ICBM or nuclear) in the
    following weeks.

    Seed 003: halting tests "for sixty days" was to restart talks; "Instead of talks, North
    Korea says, it got slapped with a fresh round of U.S. sanctions".
    Pyongyang, open to talks, starts in a pledged pause, in contact, under a standing
    60-day-pause offer, with an ICBM-capable arsenal; one arm gets a sanctions round on day 10,
    the other none.
    """
    initial = {
        "offer_active": True,
        "pause_pledged": True,
        "talks_state": 1,
        "days_since_test": 0,
        "capability": 0.6,
    }
    params = {"washington.precondition": "test_pause", "washington.pause_days": 60, **WILLING}
    switches = {"on": {}, "off": {"pyongyang.renege_trust_hit": 0.0, "pyongyang.retaliation": 0.0}}
    sanctioned = run_arms(
        quiet_world(120, initial, params, [move(SANCTION_DAY, "washington", "us_sanctions")]),
        switches,
        replicates=2000,
    )
    spared = run_arms(quiet_world(120, initial, params), switches, replicates=2000)

    def trust_after(arm):
        return arm.daily("trust")[SANCTION_DAY + 1]

    def major_test_days(arm):  # days with an ICBM flight or nuclear test, six weeks after
        weeks = slice(SANCTION_DAY + 1, SANCTION_DAY + 43)
        return ((arm.daily("icbm")[weeks] > 0) | (arm.daily("nuclear")[weeks] > 0)).sum(axis=0)

    hit, calm = sanctioned["on"], spared["on"]
    assert hit.outcomes["reneged"].mean() > 0.9  # the round did break the pledge
    assert_greater(trust_after(calm), trust_after(hit), "trust after the round")
    assert_greater(
        calm.column("talks_reached"), hit.column("talks_reached"), "share reaching talks"
    )
    assert_greater(major_test_days(hit), major_test_days(calm), "major tests in six weeks")
    # "Sharply": reneging costs at least a third of Pyongyang's trust.
    assert trust_after(hit).mean() < (2 / 3) * trust_after(calm).mean()
    # Without the renege trust hit and retaliation, what is left is a plain sanctions round.
    hit_off, calm_off = sanctioned["off"], spared["off"]
    assert_much_smaller(
        mean_gap(trust_after(calm_off), trust_after(hit_off)),
        mean_gap(trust_after(calm), trust_after(hit)),
        "trust lost",
    )
    assert_much_smaller(
        mean_gap(major_test_days(hit_off), major_test_days(calm_off)),
        mean_gap(major_test_days(hit), major_test_days(calm)),
        "extra major tests",
        share=0.5,
    )


def test_m02_honouring_the_pause_withholds_even_scheduled_rounds():
    """M2, the bargain kept (``washington.honor_pause``): Washington withholds every sanctions
    round, scheduled ones included, while Pyongyang keeps its pledged pause, so it never
    reneges and more replicates reach talks. Set up as the test above; the honouring arm holds
    the round of day 10 in every replicate still pausing then.
    """
    initial = {
        "offer_active": True,
        "pause_pledged": True,
        "talks_state": 1,
        "days_since_test": 0,
        "capability": 0.6,
    }
    params = {"washington.precondition": "test_pause", "washington.pause_days": 60, **WILLING}
    arms = run_arms(
        quiet_world(120, initial, params, [move(SANCTION_DAY, "washington", "us_sanctions")]),
        {"kept": {"washington.honor_pause": True}, "broken": {}},
        replicates=2000,
    )
    kept, broken = arms["kept"], arms["broken"]
    assert kept.outcomes["reneged"].sum() == 0
    assert broken.outcomes["reneged"].mean() > 0.9
    # Still pledged on the day: no test yet and talks not begun (they end the pledge).
    tests = kept.daily("launch_day") + kept.daily("nuclear")
    pausing = (tests[: SANCTION_DAY + 1].sum(axis=0) == 0) & (
        kept.daily("talks_state")[SANCTION_DAY - 1] < 2
    )
    assert pausing.mean() > 0.5
    assert (kept.daily("us_sanctions_round")[SANCTION_DAY, pausing] == 0).all()
    assert_greater(
        kept.column("talks_reached"), broken.column("talks_reached"), "share reaching talks"
    )


# --- M3 ----------------------------------------------------------------------------------------
def test_m03_pressure_minded_washington_sanctions_more_and_rounds_raise_pain():
    """M3, unilateral sanctions: a more pressure-minded Washington imposes more rounds; each
    round raises economic pain.

    Seed 003: "a new round of sanctions"; "the sanctions are working"; "not going to take their
    foot off the gas".
    """
    pressure = run_arms(
        quiet_world(),
        {level: {"washington.pressure": level} for level in (0.0, 0.3, 0.9)},
        replicates=1000,
        daily=False,
    )
    rounds = {level: arm.column("us_sanctions_rounds") for level, arm in pressure.items()}
    assert_greater(rounds[0.9], rounds[0.3], "sanctions rounds, pressure 0.9 vs 0.3")
    assert rounds[0.0].sum() == 0  # no pressure-mindedness, no rounds at all

    # Three scripted rounds (and no others) against none: pain is higher 20 days after the
    # last; with a zero sanctions step the rounds bite nothing.
    rounds_moves = [move(day, "washington", "us_sanctions") for day in (20, 50, 80)]
    steps = {"on": {"washington.sanction_step": 0.08}, "off": {"washington.sanction_step": 0.0}}
    params = {"washington.pressure": 0.0}
    with_rounds = run_arms(quiet_world(101, params=params, moves=rounds_moves), steps, 1000)
    without = run_arms(quiet_world(101, params=params), steps, 1000)

    def pain(arm):
        return arm.daily("economic_pain")[100]

    assert_greater(pain(with_rounds["on"]), pain(without["on"]), "economic pain after rounds")
    assert_much_smaller(
        mean_gap(pain(with_rounds["off"]), pain(without["off"])),
        mean_gap(pain(with_rounds["on"]), pain(without["on"])),
        "pain from rounds",
    )


def test_m03_sanctions_rounds_provoke_pyongyang_to_test_in_protest():
    """M3, unilateral sanctions, as Pyongyang answers them: each new round feeds a protest
    impulse that raises its test hazard for a while, and costs trust.

    Seed 003: North Korea "withdrew from those discussions ... to protest U.N. sanctions".
    A pressure-minded Washington against none, with a protest multiplier of 1 in both (fixed,
    so a recalibration leaves the test's power alone); switched off (no protest impulse), the
    rounds bring no more launch days.
    """
    protest = {"pyongyang.protest": 1.0}
    arms = {
        "pressure": {**protest, "washington.pressure": 0.9},
        "none": {**protest, "washington.pressure": 0.0},
    }
    calm = switched_off(arms, {"pyongyang.protest": 0.0})
    result = run_arms(quiet_world(), {**arms, **calm}, replicates=1500, daily=False)

    def launches(label):
        return result[label].column("launch_days")

    assert_greater(launches("pressure"), launches("none"), "launch days")
    assert_greater(
        result["none"].column("final_trust"), result["pressure"].column("final_trust"), "trust"
    )
    assert_much_smaller(
        mean_gap(launches("pressure_off"), launches("none_off")),
        mean_gap(launches("pressure"), launches("none")),
        "launch days from protest",
        share=0.35,
    )


# --- M4 ----------------------------------------------------------------------------------------
def test_m04_vetoes_stop_multilateral_sanctions():
    """M4, the Security Council: when Beijing and Moscow shield Pyongyang, resolutions are
    vetoed and multilateral sanctions stop rising.

    Seed 003: North Korea "withdrew from those discussions in April 2009 to protest U.N.
    sanctions"; "continued U.S. and U.N. sanctions".
    A Pyongyang developing two ICBMs (major tests bring drafts); shields at 0 against 1.
    """
    initial_un = 0.3
    world = quiet_world(
        initial={"capability": 0.6, "un_sanctions": initial_un},
        params={"pyongyang.developing_icbm": 2.0},
    )
    arms = run_arms(
        world,
        {
            "open": {"beijing.shield": 0.0, "moscow.shield": 0.0, "moscow.rivalry_veto": 0.0},
            "shielded": {"beijing.shield": 1.0, "moscow.shield": 1.0, "moscow.rivalry_veto": 0.0},
        },
        replicates=1000,
    )
    open_, shielded = arms["open"], arms["shielded"]

    def rise(arm):
        return arm.daily("un_sanctions")[-1] - initial_un

    assert_greater(shielded.column("un_vetoes"), open_.column("un_vetoes"), "vetoes")
    assert_greater(
        open_.column("un_resolutions"), shielded.column("un_resolutions"), "resolutions passed"
    )
    assert_greater(rise(open_), rise(shielded), "rise in UN sanctions")
    # Shielded, nothing passes and the multilateral level never moves.
    assert shielded.outcomes["un_resolutions"].sum() == 0
    np.testing.assert_allclose(shielded.daily("un_sanctions"), initial_un, atol=1e-6)


def test_m04_a_veto_deters_further_drafts():
    """M4: sponsors do not table drafts they expect to see vetoed. Record: a draft "vetoed by
    China and Russia (13-2)" on 26 May 2022, and no draft after it despite the ICBM flight of
    18 November. A Pyongyang developing four ICBMs against a Beijing that always vetoes: with
    deterrence, fewer drafts reach a vote after the first veto; switched off (0), every major
    test keeps bringing drafts."""
    world = quiet_world(2 * YEAR, params={"pyongyang.developing_icbm": 4.0, "beijing.shield": 1.0})
    arms = run_arms(
        world,
        {"deterred": {"un.veto_deterrence": 0.9}, "undeterred": {"un.veto_deterrence": 0.0}},
        replicates=1000,
        daily=False,
    )
    deterred, undeterred = arms["deterred"], arms["undeterred"]
    assert_greater(undeterred.column("un_vetoes"), deterred.column("un_vetoes"), "vetoes")
    # Before any veto both arms draft alike: the first veto comes in the same replicates.
    np.testing.assert_array_equal(
        deterred.column("un_vetoes") > 0, undeterred.column("un_vetoes") > 0
    )


# --- M5 ----------------------------------------------------------------------------------------
def test_m05_chinese_enforcement_raises_pain_and_long_run_willingness():
    """M5, enforcement and economic pain: stronger Chinese enforcement raises pain and, over
    long horizons, Pyongyang's willingness to talk; Beijing's enforcement matters most.

    Seed 003: "getting more pressure from the Chinese", "tightening the screws", "beginning to
    feel the pressure pinch".
    Two-year runs; willingness is averaged over the second year.
    """
    horizon = 2 * YEAR
    china = run_arms(
        quiet_world(horizon),
        {"weak": {"beijing.enforcement": 0.1}, "strong": {"beijing.enforcement": 0.9}},
        replicates=1000,
    )
    strong, weak = china["strong"], china["weak"]
    assert_greater(
        strong.column("final_economic_pain"), weak.column("final_economic_pain"), "economic pain"
    )
    second_year = slice(YEAR, horizon)
    assert_greater(
        strong.daily("willingness_us")[second_year].mean(axis=0),
        weak.daily("willingness_us")[second_year].mean(axis=0),
        "willingness to talk in year two",
    )

    # The same swing in Moscow's enforcement moves pain less (Beijing matters most); with no
    # trade weight, Beijing's enforcement moves pain (nearly) not at all.
    others = run_arms(
        quiet_world(horizon),
        {
            "moscow_weak": {"moscow.enforcement": 0.1},
            "moscow_strong": {"moscow.enforcement": 0.9},
            "untraded_weak": {"beijing.enforcement": 0.1, "beijing.trade_share": 0.0},
            "untraded_strong": {"beijing.enforcement": 0.9, "beijing.trade_share": 0.0},
        },
        replicates=1000,
        daily=False,
    )

    def pain_gain(high: Arm, low: Arm) -> np.ndarray:
        return high.column("final_economic_pain") - low.column("final_economic_pain")

    china_gain = pain_gain(strong, weak)
    assert_greater(
        china_gain,
        pain_gain(others["moscow_strong"], others["moscow_weak"]),
        "pain gained: Beijing's swing vs Moscow's",
    )
    assert_much_smaller(
        pain_gain(others["untraded_strong"], others["untraded_weak"]).mean(),
        china_gain.mean(),
        "pain gained without Beijing's trade weight",
        0.1,
    )


# --- M6 ----------------------------------------------------------------------------------------
def test_m06_tests_cluster_and_talks_restrain_them():
    """M6, missile testing: tests cluster in time; active talks cut the test rate well below
    the no-talks rate.

    Seed 000: "a string of provocations", "testing missiles at a hurried clip", "the latest
    round of launches".
    Clustering: launch-day counts in 30-day windows are more dispersed (variance-to-mean) with
    momentum than without, even against an unclustered Pyongyang that tests more often.
    Restraint: 60 days starting in working-level talks against 60 days starting without;
    switched off (talks restrain nothing), starting in talks saves (nearly) no launches.
    """
    # A steady need to test (development never completes), so rate changes come only from
    # clustering.
    steady_need = {"pyongyang.development_per_test": 0.0}
    clustering = run_arms(
        quiet_world(params=steady_need),
        {
            "clustered": {"pyongyang.clustering": 1.5, "pyongyang.test_propensity": 0.02},
            "steady": {"pyongyang.clustering": 0.0, "pyongyang.test_propensity": 0.02},
            "steady_faster": {"pyongyang.clustering": 0.0, "pyongyang.test_propensity": 0.08},
        },
        replicates=1500,
    )
    dispersion = {
        label: window_dispersion(arm.daily("launch_day")) for label, arm in clustering.items()
    }
    # The faster steady tester launches at least as often, so rate cannot explain bunching.
    assert_greater(
        clustering["steady_faster"].column("launch_days"),
        clustering["clustered"].column("launch_days"),
        "launch days",
    )
    for steady in ("steady", "steady_faster"):
        both = np.isfinite(dispersion["clustered"]) & np.isfinite(dispersion[steady])
        assert_greater(
            dispersion["clustered"][both],
            dispersion[steady][both],
            f"window dispersion, clustered vs {steady}",
        )

    horizon = 60
    restraints = {"on": {}, "off": {"pyongyang.talks_restraint": 1.0}}
    talking = run_arms(quiet_world(horizon, {"talks_state": 2}, steady_need), restraints, 2000)
    idle = run_arms(quiet_world(horizon, {"talks_state": 0}, steady_need), restraints, 2000)

    def rates(switch):  # launches per day in talks, and per day out of talks
        in_talks = state_before(talking[switch], 2) >= 2
        out_of_talks = state_before(idle[switch], 0) < 2
        return (
            (talking[switch].daily("launch_day") * in_talks).sum() / in_talks.sum(),
            (idle[switch].daily("launch_day") * out_of_talks).sum() / out_of_talks.sum(),
        )

    def launches_cut(switch):  # launch days saved by starting in talks, per twin pair
        return idle[switch].column("launch_days") - talking[switch].column("launch_days")

    assert_greater(launches_cut("on"), 0, "launch days saved by talks")
    in_talks_rate, no_talks_rate = rates("on")
    assert in_talks_rate < 0.5 * no_talks_rate, (
        f"talks should cut the launch rate well below {no_talks_rate:.4f}/day; "
        f"got {in_talks_rate:.4f}/day"
    )
    assert_much_smaller(
        launches_cut("off").mean(), launches_cut("on").mean(), "launch days saved by talks"
    )


def test_m06_launches_test_the_systems_in_development_and_salvos_are_short_range():
    """M6 with M14: a launch day tests a system in development, by class in proportion to what
    is left, or demonstrates a fielded short-range one; only SRBMs and MRBMs fly in salvos (as
    in dprk_launches_2017_2022.csv, where every IRBM and ICBM flew alone)."""
    params = {
        "pyongyang.developing_srbm": 0.0,
        "pyongyang.developing_hgv": 2.0,
        "pyongyang.developing_mrbm": 2.0,
        "pyongyang.demonstration_need": 0.0,  # no shows of fielded systems at all
        "pyongyang.protest": 0.0,
        "pyongyang.retaliation": 0.0,
        "pyongyang.development_per_test": 0.0,  # nothing completes: the shares stay put
        "pyongyang.salvo": 0.6,
    }
    model = ns.run(quiet_world(YEAR, params=params), replicates=400, seed=SEED, record_daily=False)
    out = model.outcomes
    assert (out[["missiles_srbm", "missiles_irbm", "icbm_tests"]] == 0).all().all()
    hgv, mrbm = out["missiles_hgv"].sum(), out["missiles_mrbm"].sum()
    assert hgv > 0 and mrbm > 0, "only the systems in development are tested"
    salvos = {"HGV": [], "MRBM": []}
    for replicate in range(100):
        events = model.events(replicate)
        for detail in events.loc[events["kind"] == "launch", "detail"]:
            missiles, name = detail.split()
            salvos[name.removesuffix("s")].append(int(missiles))
    assert set(salvos["HGV"]) == {1} and max(salvos["MRBM"]) > 1
    # Each class is drawn in proportion to what is left of it: here about half the days each.
    assert 0.4 < len(salvos["HGV"]) / (len(salvos["HGV"]) + len(salvos["MRBM"])) < 0.6


# --- M7 ----------------------------------------------------------------------------------------
def test_m07_paying_for_talks_buys_tests_earlier_and_shorter_talks():
    """M7, paying to come to the table: a paying Washington sees more tests before talks,
    earlier talks (among replicates that reach them), and shorter talks.

    Seed 000: "are we willing to essentially pay them to come to the table?"; "Anytime you need
    to pay someone to come to the table, you can be pretty sure that they're not going to stay
    there."
    A standing offer without preconditions to a Pyongyang open to talks (so that talks are
    common whether or not Washington pays); inducement 0 against 1. Earlier talks: a shorter
    restricted mean time to talks, twin by twin. Shorter talks: a higher
    rate of talks ending per talk day; with no extra fragility for bought talks, most of that
    excess goes.
    """
    arms = run_arms(
        open_offer_world(),
        {
            "paying": {"washington.inducement": 1.0},
            "not_paying": {"washington.inducement": 0.0},
            "paying_sturdy": {"washington.inducement": 1.0, "pyongyang.fragility": 0.0},
        },
        replicates=2000,
    )
    paying, not_paying = arms["paying"], arms["not_paying"]

    assert_greater(
        paying.column("launch_days_before_talks"),
        not_paying.column("launch_days_before_talks"),
        "launch days before talks",
    )
    # Earlier talks: the restricted mean time to talks (censored at the horizon), twin by twin.
    assert_greater(
        restricted_mean_days(not_paying.outcomes["days_to_talks"], YEAR),
        restricted_mean_days(paying.outcomes["days_to_talks"], YEAR),
        "days to talks",
    )

    def endings(arm):  # (talks episodes that ended, days in talks)
        still_talking = arm.daily("talks_state")[-1] >= 2
        return (
            (arm.column("talks_episodes") - still_talking).sum(),
            arm.column("talks_days").sum(),
        )

    z = rate_z(*endings(paying), *endings(not_paying))
    assert z > Z, f"bought talks should end sooner (ending rate per talk day); z = {z:.2f}"

    def ending_rate(arm):
        ended, days = endings(arm)
        return ended / days

    assert_much_smaller(
        ending_rate(arms["paying_sturdy"]) - ending_rate(not_paying),
        ending_rate(paying) - ending_rate(not_paying),
        "extra endings of bought talks",
        share=0.5,
    )


# --- M8 ----------------------------------------------------------------------------------------
def test_m08_mixed_signals_give_fewer_and_later_talks():
    """M8, mixed signals: lower coherence gives fewer and later talks.

    Seed 003: "sending mixed signals", "needs to get on the same song sheet", "wait a few days
    to see if this is a genuine signal".
    A standing offer without preconditions to a Pyongyang open to talks. Later: days to
    talks, censored at the horizon (restricted mean). Switched off (a contradiction costs no
    credibility and Pyongyang does not wait), coherence does nothing.
    """
    world = open_offer_world()
    deaf = {"washington.mixed_signal_hit": 0.0, "pyongyang.signal_wait_days": 0}
    arms = run_arms(
        world,
        {
            "incoherent": {"washington.coherence": 0.0},
            "coherent": {"washington.coherence": 1.0},
            "incoherent_off": {"washington.coherence": 0.0, **deaf},
            "coherent_off": {"washington.coherence": 1.0, **deaf},
        },
        replicates=1500,
        daily=False,
    )

    def talks(label):
        return arms[label].column("talks_reached")

    def days(label):
        return restricted_mean_days(arms[label].outcomes["days_to_talks"], YEAR)

    assert_greater(talks("coherent"), talks("incoherent"), "share reaching talks")
    assert_greater(days("incoherent"), days("coherent"), "days to talks")
    assert_much_smaller(
        mean_gap(talks("coherent_off"), talks("incoherent_off")),
        mean_gap(talks("coherent"), talks("incoherent")),
        "talks gained",
    )


# --- M9 ----------------------------------------------------------------------------------------
def test_m09_threats_cool_talks_and_raise_tension():
    """M9, hostile rhetoric: threats lower P(talks) and raise tension.

    Seed 003: the threat to "totally destroy" North Korea, after which "interest in talks had
    already cooled".
    A standing offer without preconditions to a Pyongyang open to talks; threat rate at its
    maximum against none. Switched off, a threat adds no tension, leaves no chill and costs no
    trust.
    """
    world = open_offer_world()
    harmless = {
        "world.tension_threat": 0.0,
        "pyongyang.chill_weight": 0.0,
        "pyongyang.threat_trust_hit": 0.0,
    }
    arms = run_arms(
        world,
        {
            "threats": {"washington.threat_rate": 0.1},
            "none": {"washington.threat_rate": 0.0},
            "threats_off": {"washington.threat_rate": 0.1, **harmless},
            "none_off": {"washington.threat_rate": 0.0, **harmless},
        },
        replicates=1500,
    )

    def talks(label):
        return arms[label].column("talks_reached")

    def tension(label):
        return arms[label].daily("tension").mean(axis=0)

    assert_greater(talks("none"), talks("threats"), "share reaching talks")
    assert_greater(tension("threats"), tension("none"), "mean tension")
    assert_much_smaller(
        mean_gap(talks("none_off"), talks("threats_off")),
        mean_gap(talks("none"), talks("threats")),
        "talks lost to threats",
    )
    assert_much_smaller(
        mean_gap(tension("threats_off"), tension("none_off")),
        mean_gap(tension("threats"), tension("none")),
        "tension from threats",
    )


# --- M10 ---------------------------------------------------------------------------------------
def test_m10_closing_the_un_channel_delays_contact_and_talks_and_raises_crisis_risk():
    """M10, channels: closing the UN channel delays contact and talks and raises crisis risk.

    Seed 003: Pyongyang is "open to continuing discussions with the United Nations"; Trump "gave
    enough encouragement for Guterres to dispatch Feltman".
    A standing offer without preconditions to a Pyongyang open to talks, a blessed UN envoy on
    frequent missions, and a crisis-prone world (hawks, a raised crisis hazard) so that crises
    are common enough to count.
    """
    world = open_offer_world(
        initial={"un_envoy_blessed": True},
        params={"un.envoy_rate": 0.05, "washington.hawkishness": 1.0, "world.crisis_hazard": 0.01},
    )
    arms = run_arms(
        world,
        {"open": {"un.channel_open": True}, "closed": {"un.channel_open": False}},
        replicates=2000,
        daily=False,
    )
    open_, closed = arms["open"], arms["closed"]

    def days(arm, column):
        return restricted_mean_days(arm.outcomes[column], YEAR)

    assert_greater(
        days(closed, "days_to_contact"), days(open_, "days_to_contact"), "days to first contact"
    )
    assert_greater(days(closed, "days_to_talks"), days(open_, "days_to_talks"), "days to talks")
    assert_greater(closed.column("crisis"), open_.column("crisis"), "share with a crisis")


def test_m10_intermediaries_pass_messages_and_bring_contact_earlier():
    """M10, channels: messages pass through intermediaries, Beijing's envoys and Moscow's hosts.

    Seed 003: messages "through a number of intermediaries, including the Russians and Chinese
    envoy Song Tao". Washington makes no offer and the UN and inter-Korean channels are closed,
    so contact can come only through an intermediary: frequent envoys
    and hosts against none bring contact earlier.
    """
    closed = {
        "un.channel_open": False,
        "seoul.channel_openness": 0.0,
        "washington.initiative_rate": 0,
    }
    world = quiet_world(params={**WILLING, **closed})
    arms = {
        "moscow hosts": {"moscow.intermediary_rate": 0.05, "beijing.envoy_rate": 0.0},
        "beijing sends": {"moscow.intermediary_rate": 0.0, "beijing.envoy_rate": 0.05},
        "neither": {"moscow.intermediary_rate": 0.0, "beijing.envoy_rate": 0.0},
    }
    result = run_arms(world, arms, replicates=1000, daily=False)

    def days(label):
        return restricted_mean_days(result[label].outcomes["days_to_contact"], YEAR)

    assert (days("neither") == YEAR).all()  # no channel, no contact
    assert_greater(days("neither"), days("moscow hosts"), "days to contact, Moscow hosting")
    assert_greater(days("neither"), days("beijing sends"), "days to contact, Beijing's envoys")


# --- M11 ---------------------------------------------------------------------------------------
def test_m11_beijing_pressure_restrains_tests_and_raises_willingness():
    """M11, Chinese envoy pressure: Beijing's pressure lowers test rates and raises
    willingness, more so when its enforcement is strong.

    Seed 003: "getting more pressure from the Chinese"; Song Tao's visit, "a 'failed' effort to
    start talks".
    Envoys at the maximum rate against none, under weak (0.1) and strong (0.9) enforcement.
    "More so": the envoys' effect under strong enforcement exceeds it under weak enforcement
    (difference in differences over twin replicates).
    """
    arms = run_arms(
        quiet_world(),
        {
            f"{enforcement}_{envoys}": {
                "beijing.enforcement": level,
                "beijing.envoy_rate": 0.05 if envoys == "envoys" else 0.0,
            }
            for enforcement, level in (("weak", 0.1), ("strong", 0.9))
            for envoys in ("envoys", "none")
        },
        replicates=1500,
    )

    def launches_spared(enforcement):
        return arms[f"{enforcement}_none"].column("launch_days") - arms[
            f"{enforcement}_envoys"
        ].column("launch_days")

    def willingness_gained(enforcement):
        def mean_willingness(label):
            return arms[label].daily("willingness_us").mean(axis=0)

        return mean_willingness(f"{enforcement}_envoys") - mean_willingness(f"{enforcement}_none")

    assert_greater(launches_spared("strong"), 0, "launch days spared by envoys")
    assert_greater(willingness_gained("strong"), 0, "willingness gained from envoys")
    assert_greater(
        launches_spared("strong"),
        launches_spared("weak"),
        "launch days spared, strong vs weak enforcement",
    )
    assert_greater(
        willingness_gained("strong"),
        willingness_gained("weak"),
        "willingness gained, strong vs weak enforcement",
    )


# --- M12 ---------------------------------------------------------------------------------------
def test_m12_worse_us_russia_relations_raise_vetoes_and_lower_enforcement():
    """M12, Russia's role: worse US–Russia relations raise veto odds and lower enforcement.

    Seeds: 003 Choe "met with Russian officials"; 000 "the buildup of Russian troops along
    Ukraine's border".
    Relations 0.9 against 0.1, with a rivalry veto of 0.5 per unit of worsening. Vetoes: a
    Pyongyang developing ICBMs brings drafts. Enforcement: with no drafts (so vetoes cannot
    matter), pain is lower when relations are bad. Switched off (no rivalry veto, no Russian
    enforcement) relations do nothing.
    """
    rivalry = {"moscow.rivalry_veto": 0.5}
    relations = {
        "good": {**rivalry, "moscow.us_relations": 0.9},
        "bad": {**rivalry, "moscow.us_relations": 0.1},
    }
    inert = {"moscow.rivalry_veto": 0.0, "moscow.enforcement": 0.0}
    relations_off = switched_off(relations, inert)

    votes = run_arms(
        quiet_world(params={"pyongyang.developing_icbm": 3.0}),
        {**relations, **relations_off},
        replicates=1000,
        daily=False,
    )

    def vetoed_share(arm):  # (vetoes, votes)
        vetoes = arm.column("un_vetoes").sum()
        return vetoes, vetoes + arm.column("un_resolutions").sum()

    assert_greater(votes["bad"].column("un_vetoes"), votes["good"].column("un_vetoes"), "vetoes")
    (vb, nb), (vg, ng) = vetoed_share(votes["bad"]), vetoed_share(votes["good"])
    pooled = (vb + vg) / (nb + ng)
    z = (vb / nb - vg / ng) / np.sqrt(pooled * (1 - pooled) * (1 / nb + 1 / ng))
    assert z > Z, f"share of votes vetoed {vb / nb:.3f} vs {vg / ng:.3f}; z = {z:.2f}"
    assert_much_smaller(
        mean_gap(votes["bad_off"].column("un_vetoes"), votes["good_off"].column("un_vetoes")),
        mean_gap(votes["bad"].column("un_vetoes"), votes["good"].column("un_vetoes")),
        "extra vetoes",
    )

    no_drafts = run_arms(
        quiet_world(params={"un.draft_prob": 0.0}),
        {**relations, **relations_off},
        replicates=1000,
        daily=False,
    )

    def pain(label):
        return no_drafts[label].column("final_economic_pain")

    assert_greater(pain("good"), pain("bad"), "economic pain without votes")
    assert_much_smaller(
        mean_gap(pain("good_off"), pain("bad_off")),
        mean_gap(pain("good"), pain("bad")),
        "pain lost to bad relations",
    )


def test_m04_the_council_deliberates_until_a_major_test_is_answered():
    """M4: a major test waits for its draft; each day brings one with a chance, so a slow
    Council still answers nearly every test within the 60 days the record shows (2017: the
    resolutions came 8 to 32 days after the tests), later than a quick one.

    The 2017 scenario at a daily drafting chance of 0.05 against 0.5. With one chance per test
    instead of deliberation, a chance of 0.05 would answer about one test in twenty.
    """
    series = ("icbm", "nuclear", "un_resolution")

    def answered(rate):
        model = ns.run(
            "pressure-2017",
            600,
            seed=21,
            params={"un.draft_prob": rate},
            record_daily=series,
            record_events=False,
        )
        successes, cases = _answered_major_tests(model)
        return successes.sum() / cases.sum(), model

    slow, slow_model = answered(0.05)
    quick, quick_model = answered(0.5)
    assert slow > 0.6 and quick > slow

    def first_resolution(model):  # the day of the year's first, at the horizon when none
        passed = model.daily("un_resolution") > 0
        return np.where(passed.any(axis=0), passed.argmax(axis=0), passed.shape[0])

    assert_greater(first_resolution(slow_model), first_resolution(quick_model), "first resolution")


# --- M13 ---------------------------------------------------------------------------------------
def days_to_answer_first_launch(arm: Arm) -> np.ndarray:
    """Days from each replicate's first launch to Washington's next sanctions round.

    Censored at the horizon when no round follows; replicates without launches are left out.
    """
    launch = arm.daily("launch_day") > 0
    rounds = arm.daily("us_sanctions_round") > 0
    days = launch.shape[0]
    launched = launch.any(axis=0)
    first = launch.argmax(axis=0)
    after = rounds & (np.arange(days)[:, None] > first[None, :])
    answered = after.any(axis=0)
    lag = np.where(answered, after.argmax(axis=0) - first, days - first)
    return lag[launched].astype(np.float64)


def test_m13_distracted_washington_answers_later_and_initiates_less():
    """M13, Washington's attention: a distracted Washington answers tests later and launches
    fewer initiatives.

    Seed 000: "Biden is focused on another international crisis: the buildup of Russian troops
    along Ukraine's border".
    Distraction 0.8 against 0. Sanctions answer provocations only (no unprovoked campaign), so
    the first round after the first launch is Washington's answer to it.
    """
    arms = run_arms(
        quiet_world(params={"washington.campaign": 0.0}),
        {
            "focused": {"washington.distraction": 0.0},
            "distracted": {"washington.distraction": 0.8},
        },
        replicates=1000,
    )
    focused, distracted = arms["focused"], arms["distracted"]
    offers = {label: arm.column("offers") for label, arm in arms.items()}
    z = welch_z(days_to_answer_first_launch(distracted), days_to_answer_first_launch(focused))
    assert z > Z, f"a distracted Washington should answer the first launch later; z = {z:.2f}"
    assert_greater(offers["focused"], offers["distracted"], "offers of talks (initiatives)")


def test_m13_a_crisis_with_russia_distracts_washington():
    """M13 (with M12): Moscow's crisis is the concurrent crisis that draws Washington's eye.

    Seed 000: "the buildup of Russian troops along Ukraine's border". A crisis with Russia from
    the start against none: fewer offers of talks; switched off (the crisis weighs nothing on
    Washington's attention), the crisis changes nothing.
    """
    arms = {
        "crisis": {"moscow.distraction_weight": 0.6},
        "calm": {"moscow.distraction_weight": 0.6},
    }
    crisis_world = quiet_world(initial={"russia_crisis": True})
    weightless = {"moscow.distraction_weight": 0.0}
    with_crisis = run_arms(
        crisis_world, {"on": arms["crisis"], "off": weightless}, 1000, daily=False
    )
    without = run_arms(quiet_world(), {"on": arms["calm"], "off": weightless}, 1000, daily=False)

    def offers(result, label):
        return result[label].column("offers")

    assert_greater(offers(without, "on"), offers(with_crisis, "on"), "offers of talks")
    assert mean_gap(offers(without, "off"), offers(with_crisis, "off")) == 0


# --- M14 ---------------------------------------------------------------------------------------
def test_m14_systems_in_development_need_tests_and_completion_ends_the_need():
    """M14, capability maturation and the runway: Pyongyang tests the systems it is
    developing; tests complete them, and once they are fielded the need to test falls.

    Seed 000: "developed new systems and capabilities and then to test them", "validate and
    refine its weapons systems"; 003: "appears to have overcome many of its technical hurdles".
    Three short-range systems in development against none, over three years: developing
    Pyongyang tests more in the first year; with tests that complete development
    (`development_per_test` at its default) the third year's tests fall well below the first
    year's, while with tests that complete nothing (0) the need never ends.
    """
    # A pace at which three systems are fielded within the first year or two.
    pace = {"pyongyang.test_propensity": 0.03, "pyongyang.development_per_test": 0.2}
    developing = {**pace, "pyongyang.developing_srbm": 3.0}
    arms = {
        "developing": developing,
        "fielded": {**pace, "pyongyang.developing_srbm": 0.0},
        "never_done": {**developing, "pyongyang.development_per_test": 0.0},
    }
    runs = run_arms(quiet_world(3 * YEAR), arms, replicates=1000)

    def launches(arm, year):
        return arm.daily("launch_day")[year * YEAR : (year + 1) * YEAR].sum(axis=0)

    developing_, fielded, never = runs["developing"], runs["fielded"], runs["never_done"]
    assert_greater(launches(developing_, 0), launches(fielded, 0), "first-year launch days")
    assert_greater(launches(developing_, 0), launches(developing_, 2), "launch days, year 1 vs 3")
    assert_greater(launches(never, 2), launches(developing_, 2), "third-year launch days")
    # Completion is what ends the need: development left falls to nothing only when tests
    # complete it.
    assert np.median(developing_.column("development_left")) == 0
    assert (never.column("development_left") == 3.0).all()


def test_m14_capability_raises_willingness_to_talk():
    """M14: high capability raises Pyongyang's willingness to talk ("North Korea may be ready
    to come to the table", 003). Capability 0.9 against 0.2 at the start, over 180 days with
    a standing offer; with `capability_weight` 0 capability changes nothing."""
    params = {"washington.precondition": "none"}
    settings = {
        "full": {},
        "off": {"pyongyang.capability_weight": 0.0, "washington.runway_urgency": 0.0},
    }
    runs = {
        capability: run_arms(
            quiet_world(180, {"capability": capability, "offer_active": True}, params),
            settings,
            replicates=1000,
        )
        for capability in (0.2, 0.9)
    }
    high, low = runs[0.9], runs[0.2]

    def willingness(arm):
        return arm.daily("willingness_us").mean(axis=0)

    assert_greater(willingness(high["full"]), willingness(low["full"]), "willingness to talk")
    assert_much_smaller(
        mean_gap(willingness(high["off"]), willingness(low["off"])),
        mean_gap(willingness(high["full"]), willingness(low["full"])),
        "willingness gained",
        share=0.1,
    )


def test_m14_a_historical_year_run_on_shows_maturity_lowering_tests_and_raising_willingness():
    """M14 past the scripted period: 2022 run for three years. Once the year's systems are
    fielded, Pyongyang tests far less and is more willing to talk; with tests that complete
    nothing, the later years keep testing."""
    scenario = ns.load_scenario("no-preconditions-2022")
    arms = {"on": {}, "never_done": {"pyongyang.development_per_test": 0.0}}
    seeds, params, columns = batch(scenario, arms, 500)
    model = ns.NegotiationModel(scenario, seeds=seeds, params=params, record_events=False)
    model.run(3 * YEAR)
    on, never = (Arm(model, columns[label]) for label in arms)

    def in_year(arm, name, year, how=np.sum):
        return how(arm.daily(name)[year * YEAR : (year + 1) * YEAR], axis=0)

    assert_greater(in_year(on, "launch_day", 0), in_year(on, "launch_day", 2), "launch days")
    assert_greater(
        in_year(on, "willingness_us", 2, np.mean),
        in_year(on, "willingness_us", 0, np.mean),
        "willingness to talk",
    )
    assert_greater(in_year(never, "launch_day", 2), in_year(on, "launch_day", 2), "year 3 tests")


# --- M15 ---------------------------------------------------------------------------------------
def test_m15_tension_and_hawks_raise_crisis_risk_an_active_un_channel_lowers_it():
    """M15, hawks and miscalculation: tension and hawkishness raise crisis risk; an active UN
    channel lowers it.

    Seed 003: "more inclined to potential military action"; Feltman's channels to "prevent
    miscalculations" that could lead to war.
    Half-year runs with a raised crisis hazard so crises are common enough to count. The UN
    channel is active when a blessed envoy goes on frequent missions; switched off, an active
    channel gives no relief.
    """
    horizon = 180
    params = {"world.crisis_hazard": 0.01}
    hawks = {"dove": {"washington.hawkishness": 0.0}, "hawk": {"washington.hawkishness": 1.0}}
    calm = run_arms(quiet_world(horizon, {"tension": 0.2}, params), hawks, 2000, daily=False)
    tense = run_arms(quiet_world(horizon, {"tension": 0.7}, params), hawks, 2000, daily=False)
    assert_greater(
        tense["dove"].column("crisis"),
        calm["dove"].column("crisis"),
        "crisis share, high vs low starting tension",
    )
    assert_greater(
        calm["hawk"].column("crisis"), calm["dove"].column("crisis"), "crisis share, hawks vs doves"
    )

    envoys = run_arms(
        quiet_world(horizon, {"un_envoy_blessed": True}, params),
        {
            "active": {"un.envoy_rate": 0.05},
            "inactive": {"un.envoy_rate": 0.0},
            "active_off": {"un.envoy_rate": 0.05, "un.crisis_relief": 0.0},
            "inactive_off": {"un.envoy_rate": 0.0, "un.crisis_relief": 0.0},
        },
        replicates=3000,
        daily=False,
    )

    def crises(label):
        return envoys[label].column("crisis")

    assert_greater(crises("inactive"), crises("active"), "crisis share, UN channel idle vs active")
    assert_much_smaller(
        mean_gap(crises("inactive_off"), crises("active_off")),
        mean_gap(crises("inactive"), crises("active")),
        "crises averted",
    )


# --- M16 ---------------------------------------------------------------------------------------
def test_m16_reassuring_allies_raises_tension_a_little():
    """M16, reassuring allies: reassurance raises tension a little.

    Seed 000: "steps meant to emphasize American commitment to its allies in the region";
    South Korea's warning of "larger tests to come".
    Washington reassures after every test against never. "A little": the mean daily tension
    rises by less than a tenth of the 0–1 scale. Switched off, reassurance adds no tension.
    """
    visible = {"always": {"washington.reassurance": 1.0}, "never": {"washington.reassurance": 0.0}}
    unseen = switched_off(visible, {"world.tension_reassurance": 0.0})
    arms = run_arms(quiet_world(), {**visible, **unseen}, replicates=1000)

    def tension(label):
        return arms[label].daily("tension").mean(axis=0)

    assert_greater(tension("always"), tension("never"), "mean tension")
    assert mean_gap(tension("always"), tension("never")) < 0.1
    assert_much_smaller(
        mean_gap(tension("always_off"), tension("never_off")),
        mean_gap(tension("always"), tension("never")),
        "tension added",
    )


# --- M17 ---------------------------------------------------------------------------------------
def test_m17_level_mismatch_lowers_acceptance():
    """M17, the level of talks: a mismatch in preferred level lowers acceptance.

    Seed 000: talks would "begin at a level lower than a direct meeting between Biden and Kim";
    "the idea that this can only be done at that level, we reject".
    Standing working-level and leader-level offers without preconditions, each to a Pyongyang
    open to talks that prefers that level or the other; switched off (mismatch costs nothing),
    preference does nothing.
    """
    world = open_offer_world()
    arms = run_arms(
        world,
        {
            "working_to_working": {
                "washington.talks_level": "working",
                "pyongyang.summit_preference": 0.0,
            },
            "working_to_leader": {
                "washington.talks_level": "working",
                "pyongyang.summit_preference": 1.0,
            },
            "leader_to_leader": {
                "washington.talks_level": "leader",
                "pyongyang.summit_preference": 1.0,
            },
            "leader_to_working": {
                "washington.talks_level": "leader",
                "pyongyang.summit_preference": 0.0,
            },
            "working_to_working_off": {
                "washington.talks_level": "working",
                "pyongyang.summit_preference": 0.0,
                "pyongyang.level_mismatch": 0.0,
            },
            "working_to_leader_off": {
                "washington.talks_level": "working",
                "pyongyang.summit_preference": 1.0,
                "pyongyang.level_mismatch": 0.0,
            },
        },
        replicates=1500,
        daily=False,
    )

    def talks(label):
        return arms[label].column("talks_reached")

    assert_greater(
        talks("working_to_working"),
        talks("working_to_leader"),
        "share reaching talks, working-level offer: match vs mismatch",
    )
    assert_greater(
        talks("leader_to_leader"),
        talks("leader_to_working"),
        "share reaching talks, leader-level offer: match vs mismatch",
    )
    assert_much_smaller(
        mean_gap(talks("working_to_working_off"), talks("working_to_leader_off")),
        mean_gap(talks("working_to_working"), talks("working_to_leader")),
        "talks lost to mismatch",
    )


# --- M18 ---------------------------------------------------------------------------------------
def test_m18_misreading_gives_mistimed_sanctions_and_fewer_talks():
    """M18, Washington misreads Pyongyang: more noise gives more mistimed sanctions and fewer
    talks.

    Seed 000: "our track record of understanding those ahead of time is not always so great".
    Pyongyang, open to talks, starts in a pledged pause, in contact, under a 60-day-pause
    offer. Washington runs a pressure campaign (unprovoked rounds) but holds sanctions fully
    while it believes Pyongyang cooperates (restraint 1), so its reading decides whether
    rounds hit a pause or talks; it reads Pyongyang with no noise against heavy noise.
    Mistimed: sanctions that break the pledged pause, and rounds during talks. Switched off
    (no restraint, so belief guides nothing), noise does nothing.
    """
    initial = {"offer_active": True, "pause_pledged": True, "talks_state": 1, "days_since_test": 0}
    params = {
        "washington.precondition": "test_pause",
        "washington.restraint": 1.0,
        "washington.campaign": 0.3,
        **WILLING,
    }
    arms = run_arms(
        quiet_world(180, initial, params),
        {
            "clear": {"washington.misread_noise": 0.0},
            "noisy": {"washington.misread_noise": 2.0},
            "clear_off": {"washington.misread_noise": 0.0, "washington.restraint": 0.0},
            "noisy_off": {"washington.misread_noise": 2.0, "washington.restraint": 0.0},
        },
        replicates=4000,
    )

    def rounds_in_talks(label):
        arm = arms[label]
        return (arm.daily("us_sanctions_round") * (state_before(arm, 1) >= 2)).sum(axis=0)

    def column(label, name):
        return arms[label].column(name)

    assert_greater(
        column("noisy", "reneged"),
        column("clear", "reneged"),
        "share in which Washington reneged on the pause",
    )
    assert_greater(rounds_in_talks("noisy"), rounds_in_talks("clear"), "rounds during talks")
    assert_greater(
        column("clear", "talks_reached"), column("noisy", "talks_reached"), "share reaching talks"
    )
    assert_greater(column("clear", "talks_days"), column("noisy", "talks_days"), "days in talks")
    assert_much_smaller(
        mean_gap(rounds_in_talks("noisy_off"), rounds_in_talks("clear_off")),
        mean_gap(rounds_in_talks("noisy"), rounds_in_talks("clear")),
        "extra rounds during talks",
    )


# --- M19 ---------------------------------------------------------------------------------------
def test_m19_denuclearization_aim_blocks_direct_talks_not_the_un_channel():
    """M19, red line on denuclearization: with denuclearization as the stated aim, direct talks
    (nearly) never start; the UN channel is unaffected.

    Seed 003: Choe: her government "would not enter into talks ... if Washington sought to make
    North Korea give up its nuclear weapons".
    A standing offer to a Pyongyang open to talks and a blessed UN envoy on frequent missions;
    the aim 'none' against 'denuclearization', with the UN channel open and closed.
    """
    world = open_offer_world(initial={"un_envoy_blessed": True}, params={"un.envoy_rate": 0.05})
    arms = run_arms(
        world,
        {
            f"{aim}_{channel}": {
                "washington.precondition": aim,
                "un.channel_open": channel == "open",
            }
            for aim in ("none", "denuclearization")
            for channel in ("open", "closed")
        },
        replicates=1500,
        daily=False,
    )

    def talks(label):
        return arms[label].column("talks_reached")

    def contact_days(label):
        return restricted_mean_days(arms[label].outcomes["days_to_contact"], YEAR)

    assert_greater(talks("none_open"), talks("denuclearization_open"), "share reaching talks")
    # "(Nearly) never": under a tenth of the talks an offer without the aim brings.
    assert talks("denuclearization_open").mean() < 0.1 * talks("none_open").mean()
    # The UN channel still brings contact under the aim, as much as without it.
    assert_greater(
        contact_days("denuclearization_closed"),
        contact_days("denuclearization_open"),
        "days to contact under the aim, UN channel closed vs open",
    )
    un_gain_under_aim = contact_days("denuclearization_closed") - contact_days(
        "denuclearization_open"
    )
    un_gain_without = contact_days("none_closed") - contact_days("none_open")
    assert abs(paired_z(un_gain_under_aim, un_gain_without)) < Z, (
        "the UN channel's contribution to contact should not depend on the stated aim"
    )


# --- M20 ---------------------------------------------------------------------------------------
def test_m20_sanctions_during_talks_raise_collapse_hazard():
    """M20, walking out in protest: sanctions during talks raise the collapse hazard.

    Seed 003: North Korea "withdrew from those discussions in April 2009 to protest U.N.
    sanctions".
    Replicates start in working-level talks; one arm gets a sanctions round on day 10 (and no
    other rounds in either). Ended: talks broke off within the two weeks after the round.
    Switched off (no walk-outs), the round does not end talks.
    """
    horizon, day = 40, 10
    params = {"washington.pressure": 0.0}
    walkouts = {"on": {}, "off": {"pyongyang.walkout": 0.0}}
    sanctioned = run_arms(
        quiet_world(horizon, {"talks_state": 2}, params, [move(day, "washington", "us_sanctions")]),
        walkouts,
        2000,
    )
    spared = run_arms(quiet_world(horizon, {"talks_state": 2}, params), walkouts, 2000)

    def ended(arm):
        return (arm.daily("talks_state")[day : day + 15] < 2).any(axis=0)

    assert_greater(ended(sanctioned["on"]), ended(spared["on"]), "share of talks ended")
    assert_much_smaller(
        mean_gap(ended(sanctioned["off"]), ended(spared["off"])),
        mean_gap(ended(sanctioned["on"]), ended(spared["on"])),
        "talks ended by the round",
    )
