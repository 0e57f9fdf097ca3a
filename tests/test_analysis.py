"""Summaries, the shipped record, and figures."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiation_sim as ns
from negotiation_sim import records
from negotiation_sim.analysis import summarize, wilson_interval


@given(trials=st.integers(1, 10_000), data=st.data())
def test_wilson_interval_contains_the_share_and_stays_in_unit_interval(trials, data):
    successes = data.draw(st.integers(0, trials))
    low, high = wilson_interval(successes, trials)
    assert 0.0 <= low <= successes / trials <= high <= 1.0


@given(share=st.floats(0.05, 0.95))
@settings(max_examples=30)
def test_wilson_interval_narrows_with_more_trials(share):
    widths = [np.subtract(*wilson_interval(round(share * n), n)[::-1]) for n in (50, 500, 5000)]
    assert widths[0] > widths[1] > widths[2] > 0


def test_summary_covers_every_outcome_with_ordered_intervals():
    outcomes = ns.run("no-preconditions-2022", replicates=300, seed=4, record_events=False).outcomes
    table = summarize(outcomes)
    assert set(table.index) == set(ns.OUTCOMES) - {"seed"}
    reached = table.dropna(subset=["estimate"])
    assert (reached["low"] <= reached["estimate"]).all()
    assert (reached["estimate"] <= reached["high"]).all()
    shares = table[table["unit"] == "share"]
    assert ((shares["estimate"] >= 0) & (shares["estimate"] <= 1)).all()
    # A share's estimate is the mean of its column.
    assert np.isclose(table.loc["crisis", "estimate"], outcomes["crisis"].mean())


def test_shipped_record_matches_its_documented_totals():
    """data/records/SOURCE.md: 2017 had 21 missiles on 15 launch days, 2022 69 on 34."""
    for year, days, missiles in ((2017, 15, 21), (2022, 34, 69)):
        observed = records.observed_launch_days(year)
        assert len(observed) == days and observed.sum() == missiles
    timeline = records.timeline()
    assert set(timeline["use"]) == {"input", "outcome"}


def test_overview_figure_has_titled_labelled_panels(tmp_path):
    from negotiation_sim.figures import overview

    model = ns.run("pressure-2017", replicates=50, seed=2)
    path = tmp_path / "overview.png"
    figure = overview(model, path)
    assert path.stat().st_size > 10_000
    for ax in figure.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None
