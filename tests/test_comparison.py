"""`ns.compare`: two scenarios on common random numbers, with paired intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import quiet_world
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import negotiation_sim as ns
from negotiation_sim.analysis import wilson_interval
from negotiation_sim.comparison import (
    TABLE_COLUMNS,
    PairedBootstrap,
    kaplan_meier,
    paired_difference,
    restricted_mean,
    survival_at,
)
from negotiation_sim.streams import replicate_seeds

N = 300  # replicates per side: enough for the effects below, quick to run
FAST = {"resamples": 500}


@pytest.fixture(scope="module")
def itself():
    return ns.compare("pressure-2017", "pressure-2017", N, seed=3, **FAST)


#: Side b tests more often; development never completes, so the propensity alone sets the pace.
MORE_TESTS = {
    "params_a": {"pyongyang.development_per_test": 0.0},
    "params_b": {"pyongyang.development_per_test": 0.0, "pyongyang.test_propensity": 0.2},
}


@pytest.fixture(scope="module")
def more_tests():
    return ns.compare(
        "pressure-2017",
        "pressure-2017",
        N,
        seed=3,
        **MORE_TESTS,
        **FAST,
    )


@pytest.fixture(scope="module")
def more_willing():
    return ns.compare(
        "no-preconditions-2022",
        "no-preconditions-2022",
        N,
        seed=5,
        params_b={"pyongyang.willingness_bias": -2.0},
        **FAST,
    )


# --- the comparison as a whole ------------------------------------------------------------------
def test_table_has_one_row_per_outcome_and_the_documented_columns(itself):
    assert isinstance(itself, ns.Comparison)
    assert list(itself.table.index) == [n for n in ns.OUTCOMES if n != "seed"]
    assert itself.table.index.name == "outcome"
    assert tuple(itself.table.columns) == TABLE_COLUMNS
    kinds = {n: ns.OUTCOMES[n].kind for n in itself.table.index}
    statistic = itself.table["statistic"]
    assert all(statistic[n] == "share" for n, k in kinds.items() if k == "share")
    assert statistic["days_to_talks"] == statistic["days_to_contact"] == "restricted mean"
    assert statistic["launch_days"] == statistic["max_tension"] == "median"
    assert statistic["longest_pause"] == "median"  # a duration, never censored
    assert (itself.replicates, itself.seed, itself.days, itself.level) == (N, 3, 365, 0.95)
    assert itself.labels == ("pressure-2017 (a)", "pressure-2017 (b)")


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(itself):
    table = itself.table
    for column in ("difference", "low", "high", "mean_difference", "mean_low", "mean_high"):
        assert (table[column] == 0).all(), column
    assert (table["low"] <= 0).all() and (table["high"] >= 0).all()
    pd.testing.assert_frame_equal(itself.outcomes_a, itself.outcomes_b)
    curve_a, curve_b = (itself.survival[label] for label in itself.labels)
    pd.testing.assert_frame_equal(curve_a, curve_b)
    assert math.isnan(itself.logrank_pvalue) or itself.logrank_pvalue == 1.0


def test_the_sides_run_on_common_random_numbers(more_tests):
    seeds_a, seeds_b = more_tests.outcomes_a["seed"], more_tests.outcomes_b["seed"]
    np.testing.assert_array_equal(seeds_a, seeds_b)
    np.testing.assert_array_equal(seeds_a, replicate_seeds(3, N))


def test_same_seed_reproduces_the_comparison_and_another_seed_does_not(more_tests):
    again = ns.compare("pressure-2017", "pressure-2017", N, seed=3, **MORE_TESTS, **FAST)
    pd.testing.assert_frame_equal(again.table, more_tests.table)
    pd.testing.assert_frame_equal(again.outcomes_b, more_tests.outcomes_b)
    assert again.logrank_pvalue == more_tests.logrank_pvalue or (
        math.isnan(again.logrank_pvalue) and math.isnan(more_tests.logrank_pvalue)
    )
    other = ns.compare(
        "pressure-2017",
        "pressure-2017",
        N,
        seed=4,
        **MORE_TESTS,
        **FAST,
    )
    assert not other.outcomes_a["seed"].equals(more_tests.outcomes_a["seed"])
    assert not other.outcomes_a["launch_days"].equals(more_tests.outcomes_a["launch_days"])


def test_a_higher_test_propensity_shows_more_launch_days(more_tests):
    row = more_tests.table.loc["launch_days"]
    assert row["difference"] > 0 and row["low"] > 0
    assert row["mean_difference"] > 0 and row["mean_low"] > 0


def test_a_more_willing_pyongyang_reaches_talks_more_often_and_sooner(more_willing):
    row = more_willing.table.loc["talks_reached"]
    assert row["difference"] > 0 and row["low"] > 0
    label_a, label_b = more_willing.labels
    end_a = survival_at(more_willing.survival[label_a], more_willing.days)
    end_b = survival_at(more_willing.survival[label_b], more_willing.days)
    assert end_b["survival"] < end_a["survival"]
    assert end_b["high"] < end_a["low"]
    assert more_willing.table.loc["days_to_talks", "high"] < 0
    assert more_willing.logrank_pvalue < 0.001


def test_every_interval_is_ordered_around_its_estimate(more_tests, more_willing):
    for comparison in (more_tests, more_willing):
        table = comparison.table
        for estimate, low, high in (
            ("a", "a_low", "a_high"),
            ("b", "b_low", "b_high"),
            ("difference", "low", "high"),
            ("mean_difference", "mean_low", "mean_high"),
        ):
            assert (table[low] <= table[estimate]).all(), (estimate, comparison)
            assert (table[estimate] <= table[high]).all(), (estimate, comparison)
        shares = table[table["statistic"] == "share"]
        assert (shares[["a_low", "b_low"]] >= 0).all().all() and (
            shares[["a_high", "b_high"]] <= 1
        ).all().all()


def test_time_to_talks_row_agrees_with_the_curve_and_the_share_reached(more_willing):
    days = more_willing.days
    for side, label in zip("ab", more_willing.labels):
        curve = more_willing.survival[label]
        outcomes = getattr(more_willing, f"outcomes_{side}")
        row = more_willing.table.loc["days_to_talks"]
        assert row[side] == pytest.approx(restricted_mean(curve), abs=1e-9)
        # Censored replicates count at the horizon, none are dropped.
        truncated = outcomes["days_to_talks"].fillna(days).clip(upper=days)
        assert row[side] == pytest.approx(truncated.mean(), abs=1e-9)
        assert survival_at(curve, days)["survival"] == pytest.approx(
            1 - outcomes["talks_reached"].mean()
        )
        assert list(curve.columns) == ["day", "survival", "low", "high"]
        assert curve.iloc[0][["day", "survival"]].tolist() == [0.0, 1.0]
        assert curve["day"].iloc[-1] == days
        assert (np.diff(curve["survival"]) <= 0).all()
        assert ((curve["low"] <= curve["survival"]) & (curve["survival"] <= curve["high"])).all()


# --- Kaplan-Meier -------------------------------------------------------------------------------
def test_kaplan_meier_matches_the_product_limit_formula_by_hand():
    # Events on days 1, 2, 2, 3; one replicate censored on day 2, one never reached (NaN).
    times = [1, 2, 2, 3, 2, np.nan]
    reached = [True, True, True, True, False, False]
    curve = kaplan_meier(times, reached, horizon=5, level=0.95)
    # At risk / events: day 1: 6/1; day 2: 5/2 (the censored one still at risk); day 3: 2/1.
    s1, s2, s3 = 5 / 6, 5 / 6 * 3 / 5, 5 / 6 * 3 / 5 * 1 / 2
    assert curve["day"].tolist() == [0, 1, 2, 3, 5]
    np.testing.assert_allclose(curve["survival"], [1, s1, s2, s3, s3])
    # Log-log intervals with Greenwood's variance: S ** exp(+-z * se).
    z = stats.norm.ppf(0.975)
    greenwood = np.cumsum([1 / (6 * 5), 2 / (5 * 3), 1 / (2 * 1)])
    survival = np.array([s1, s2, s3])
    se = np.sqrt(greenwood) / np.abs(np.log(survival))
    np.testing.assert_allclose(curve["low"][1:4], survival ** np.exp(z * se), rtol=1e-9)
    np.testing.assert_allclose(curve["high"][1:4], survival ** np.exp(-z * se), rtol=1e-9)
    assert restricted_mean(curve) == pytest.approx(1 + s1 + s2 + 2 * s3)
    assert survival_at(curve, 2.5)["survival"] == pytest.approx(s2)


def test_kaplan_meier_without_events_is_flat_and_with_all_events_reaches_zero():
    flat = kaplan_meier([np.nan] * 4, None, horizon=10)
    assert flat["day"].tolist() == [0, 10]
    assert (flat[["survival", "low", "high"]] == 1).all().all()
    assert restricted_mean(flat) == 10
    done = kaplan_meier([0, 0, 4, 6], None, horizon=10)
    # Talks on day 0 itself: the curve starts at 1 and drops on day 0.
    assert done["day"].tolist() == [0, 0, 4, 6, 10]
    np.testing.assert_allclose(done["survival"], [1, 0.5, 0.25, 0, 0])
    assert not done[["low", "high"]].isna().any().any()
    assert (done["low"] <= done["survival"]).all() and (done["survival"] <= done["high"]).all()
    assert restricted_mean(done) == pytest.approx(np.mean([0, 0, 4, 6]))


# --- bootstrap helpers --------------------------------------------------------------------------
@given(
    pairs=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=2, max_size=60),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=60, deadline=None)
def test_paired_share_difference_interval_contains_the_estimate(pairs, seed):
    a, b = (np.array(side, dtype=float) for side in zip(*pairs))
    estimate, low, high = paired_difference(a, b, "mean", resamples=200, seed=seed)
    assert estimate == pytest.approx(b.mean() - a.mean())
    assert -1 <= low <= estimate + 1e-12 and estimate - 1e-12 <= high <= 1
    assert paired_difference(a, a, "mean", resamples=200, seed=seed) == (0.0, 0.0, 0.0)
    for successes in (int(a.sum()), int(b.sum())):
        w_low, w_high = wilson_interval(successes, a.size)
        assert w_low <= successes / a.size <= w_high


@given(values=st.lists(st.integers(0, 6), min_size=1, max_size=40), seed=st.integers(0, 99))
@settings(max_examples=40, deadline=None)
def test_resamples_are_shared_and_statistics_are_of_the_resamples(values, seed):
    x = np.array(values, dtype=float)
    boot = PairedBootstrap(x.size, 120, seed)
    drawn = np.vstack(list(boot.indices()))
    assert drawn.shape == (120, x.size)
    np.testing.assert_array_equal(drawn, np.vstack(list(boot.indices())))  # same every time
    np.testing.assert_array_equal(boot.medians(x), [np.median(x[i]) for i in drawn])
    np.testing.assert_allclose(boot.means(x)[0], [np.mean(x[i]) for i in drawn])


def test_resamples_come_in_bounded_chunks():
    boot = PairedBootstrap(500, 300, 7)
    boot._per_chunk = 64
    chunks = list(boot.indices())
    assert [c.shape[0] for c in chunks] == [64, 64, 64, 64, 44]
    rng = np.random.default_rng(1)
    rows = np.vstack([rng.random(500), rng.poisson(3, 500), np.zeros(500)])  # many, few, one
    drawn = np.vstack(chunks)
    np.testing.assert_array_equal(
        boot.medians(rows), [np.median(row[drawn], axis=1) for row in rows]
    )


# --- inputs and output --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"replicates": 1}, "replicates"),
        ({"replicates": True}, "replicates"),
        ({"level": 1.5}, "level"),
        ({"level": 0.0}, "level"),
        ({"resamples": 50}, "resamples"),
        ({"seed": -1}, "seed"),
        ({"labels": ("same", "same")}, "labels"),
        ({"days": 0}, "days"),
    ],
)
def test_bad_arguments_raise_scenario_errors_naming_the_key(kwargs, key):
    with pytest.raises(ns.ScenarioError) as error:
        ns.compare("pressure-2017", "pressure-2017", **{"replicates": 10, **kwargs})
    assert error.value.key == key and error.value.allowed.startswith(("allowed", "required"))


def test_different_horizons_need_days():
    short = quiet_world(horizon=100)
    with pytest.raises(ns.ScenarioError) as error:
        ns.compare("pressure-2017", short, replicates=10)
    message = str(error.value)
    assert error.value.key == "days" and "pressure-2017" in message and "test-world" in message
    assert "365" in message and "100" in message
    c = ns.compare("pressure-2017", short, replicates=20, days=50, resamples=100)
    assert c.days == 50 and c.labels == ("pressure-2017", "test-world")
    assert c.survival["test-world"]["day"].iloc[-1] == 50


def test_unknown_scenario_and_bad_parameters_raise_scenario_errors():
    with pytest.raises(ns.ScenarioError, match="no-such-scenario"):
        ns.compare("pressure-2017", "no-such-scenario", replicates=10)
    with pytest.raises(ns.ScenarioError):
        ns.compare(
            "pressure-2017",
            "pressure-2017",
            replicates=10,
            params_b={"pyongyang.no_such_parameter": 1.0},
        )


def test_summary_names_both_sides_and_every_outcome(more_tests):
    text = more_tests.summary()
    assert text.splitlines()[0] == (
        "pressure-2017 (a) vs pressure-2017 (b): 300 replicates on "
        "common random numbers (seed 3), 365 days"
    )
    for label in more_tests.labels:
        assert label in text
    for name in more_tests.table.index:
        assert name in text
    assert "Log-rank p" in text and "Kaplan-Meier" in text
    assert str(more_tests) == text
    short = more_tests.summary(["talks_reached", "launch_days"])
    assert "talks_reached" in short and "crisis" not in short
    with pytest.raises(ns.ScenarioError):
        more_tests.summary(["no_such_outcome"])
    assert "pressure-2017 (a)" in repr(more_tests) and len(repr(more_tests)) < 200


def test_to_frame_is_a_copy_of_the_table(more_tests):
    frame = more_tests.to_frame()
    pd.testing.assert_frame_equal(frame, more_tests.table)
    frame.loc["launch_days", "a"] = -1.0
    assert more_tests.table.loc["launch_days", "a"] != -1.0


def test_labels_can_be_chosen():
    c = ns.compare(
        "pressure-2017",
        "no-preconditions-2022",
        replicates=20,
        labels=("2017", "2022"),
        resamples=100,
    )
    assert set(c.survival) == {"2017", "2022"}
    assert c.summary().startswith("2017 vs 2022: 20 replicates")


def test_kaplan_meier_rejects_inconsistent_inputs():
    for times, reached in (([], None), ([1.0, 2.0], [True]), ([np.nan], [True]), ([-1.0], None)):
        with pytest.raises(ValueError, match="kaplan_meier"):
            kaplan_meier(times, reached, horizon=10)
    # Events after the horizon are censored there: follow-up ends at the horizon.
    late = kaplan_meier([2.0, 20.0], None, horizon=10)
    assert late["day"].tolist() == [0, 2, 10]
    np.testing.assert_allclose(late["survival"], [1, 0.5, 0.5])


def test_paired_difference_of_medians():
    a = np.arange(50, dtype=float)
    assert paired_difference(a, a, "median", resamples=200) == (0.0, 0.0, 0.0)
    assert paired_difference(a, a + 1, "median", resamples=200) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="statistic"):
        paired_difference(a, a, "mode")


def test_missing_values_outside_times_to_events_leave_the_row_undefined(itself):
    from negotiation_sim.comparison import _table

    broken = itself.outcomes_b.copy()
    broken.loc[0, "launch_days"] = np.nan
    table = _table(itself.outcomes_a, broken, itself.days, 0.95, 100, 0)
    row = table.loc["launch_days"]
    assert row[["a", "b", "difference", "low", "high", "mean_difference"]].isna().all()
    assert row["method"].startswith("undefined")
    assert table.drop(index="launch_days")["difference"].notna().all()


def test_number_formatting_in_the_summary():
    from negotiation_sim.comparison import format_number, format_percent

    assert [format_number(x) for x in (12345.6, 417.2, 0.000123, -0.0, 0.0, np.nan, 2.5e7)] == [
        "12,346",
        "417",
        "0.000123",
        "0",
        "0",
        "nan",
        "2.5e+07",
    ]
    assert [format_percent(x) for x in (0.1234, 0.0, -0.0, 1.0)] == [
        "12.3%",
        "0.0%",
        "0.0%",
        "100.0%",
    ]


def test_summary_shows_as_a_table_at_the_prompt():
    text = ns.compare("pressure-2017", "un-channel-closed-2017", replicates=50, seed=2).summary(
        ["talks_reached"]
    )
    assert isinstance(text, str) and repr(text) == str(text) and "\n" in repr(text)
