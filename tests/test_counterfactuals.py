"""Each shipped counterfactual's key effect, against its base on common random numbers.

An effect counts when the 95 % confidence interval of the difference (paired bootstrap over
replicates that share seeds) excludes zero in the direction the brief expects. Seeds differ
from those used to choose any value in the files.
"""

from __future__ import annotations

import pytest

import negotiation_sim as ns

SEED = 77


def differences(base: str, counterfactual: str, replicates: int) -> ns.Comparison:
    return ns.compare(base, counterfactual, replicates=replicates, seed=SEED)


def assert_rises(comparison: ns.Comparison, outcome: str, mean: bool = False) -> None:
    row = comparison.table.loc[outcome]
    low, high = (row["mean_low"], row["mean_high"]) if mean else (row["low"], row["high"])
    assert low > 0, f"{outcome}: expected a rise, got {comparison.summary([outcome])}"
    assert high >= low


def assert_falls(comparison: ns.Comparison, outcome: str, mean: bool = False) -> None:
    row = comparison.table.loc[outcome]
    high = row["mean_high"] if mean else row["high"]
    assert high < 0, f"{outcome}: expected a fall, got {comparison.summary([outcome])}"


@pytest.fixture(scope="module")
def moratorium():
    return differences("pressure-2017", "moratorium-honored-2017", 6000)


def test_honouring_the_pause_ends_reneging_and_retaliation(moratorium):
    """M2: Washington keeps its word, so it never reneges; trust ends higher and retaliatory
    ICBM flights fall. Talks do not become rarer; with the behaviour both years share, so
    reluctant a Pyongyang (2022's standing offer without preconditions brought no talks) seldom
    reaches them either way, so their rise is not asserted."""
    assert moratorium.table.loc["reneged", "b"] == 0
    assert_falls(moratorium, "reneged")
    assert_rises(moratorium, "final_trust", mean=True)
    assert_falls(moratorium, "icbm_tests", mean=True)
    assert moratorium.table.loc["talks_reached", "mean_difference"] >= 0


def test_one_voice_brings_contact_sooner_and_more_talks():
    """M8: without contradictions the offer keeps its credibility: contact comes sooner
    and more replicates reach talks."""
    coherent = differences("pressure-2017", "coherent-washington-2017", 6000)
    assert_falls(coherent, "days_to_contact")
    assert_rises(coherent, "talks_reached")


def test_closing_the_un_channel_delays_contact_and_raises_crisis_risk():
    """M10, M15: no UN line: contact comes later, and tension goes unrelieved by envoys."""
    closed = differences("pressure-2017", "un-channel-closed-2017", 4000)
    assert_rises(closed, "days_to_contact")
    assert_rises(closed, "crisis")


def test_paying_for_talks_buys_earlier_fragile_talks_at_the_price_of_tests():
    """M7: more launch days before talks, earlier talks, and talks that collapse more."""
    paid = differences("no-preconditions-2022", "pay-to-talk-2022", 2000)
    assert_rises(paid, "talks_reached")
    assert_falls(paid, "days_to_talks")
    assert_rises(paid, "launch_days_before_talks", mean=True)
    assert_rises(paid, "talks_collapsed")


def test_chinese_enforcement_raises_pain_and_willingness():
    """M5: Beijing's enforcement matters most for pain; pain brings Pyongyang to talk."""
    enforced = differences("no-preconditions-2022", "china-enforces-2022", 2000)
    assert_rises(enforced, "final_economic_pain")
    assert_rises(enforced, "talks_reached")


def test_denuclearization_first_all_but_closes_direct_talks():
    """M1, M19: with giving up the weapons as the aim, talks (nearly) never start, while
    contact through the other channels is unaffected."""
    red_line = differences("no-preconditions-2022", "denuclearization-first-2022", 2000)
    assert_falls(red_line, "talks_reached")
    assert red_line.table.loc["talks_reached", "b"] < 0.01
    assert red_line.table.loc["days_to_contact", "difference"] == 0
