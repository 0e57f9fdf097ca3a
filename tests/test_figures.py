"""Figures: every panel titled, labelled (with units) and with a legend; saved as PNG."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import negotiation_sim as ns

pytest.importorskip("matplotlib")
from negotiation_sim import figures, records

LABELS = ("pressure-2017", "no-preconditions-2022")


@pytest.fixture(scope="module")
def model():
    return ns.run("pressure-2017", replicates=50, seed=1)


@pytest.fixture(scope="module")
def comparison():
    """A stand-in for a scenario comparison, with the attributes the figures read."""
    a, b = (
        ns.run(name, replicates=50, seed=1, record_daily=False, record_events=False).outcomes
        for name in LABELS
    )
    rows = {}
    for name in ("launch_days", "missiles", "talks_reached", "talks_days"):
        low, high = a[name].astype(float).mean(), b[name].astype(float).mean()
        rows[name] = {
            "a": low,
            "b": high,
            "difference": high - low,
            "low": high - low - 1,
            "high": high - low + 1,
        }
    survival = {
        label: _survival(frame["days_to_talks"].to_numpy(), 365)
        for label, frame in zip(LABELS, (a, b), strict=True)
    }
    return SimpleNamespace(
        labels=LABELS,
        replicates=50,
        seed=1,
        outcomes_a=a,
        outcomes_b=b,
        table=pd.DataFrame.from_dict(rows, orient="index"),
        days=365,
        start=dt.date(2017, 1, 1),
        survival=survival,
        logrank_pvalue=float("nan"),
    )


def _survival(days_to_event: np.ndarray, horizon: int) -> pd.DataFrame:
    """Kaplan-Meier by hand: every replicate followed to the horizon, censored when NaN."""
    event_days = np.sort(days_to_event[~np.isnan(days_to_event)])
    rows, survival, at_risk = [(0, 1.0, 1.0, 1.0)], 1.0, len(days_to_event)
    for day in np.unique(event_days):
        events = int((event_days == day).sum())
        survival *= 1 - events / at_risk
        at_risk -= events
        rows.append((int(day), survival, max(survival - 0.1, 0), min(survival + 0.1, 1)))
    if len(rows) == 1:  # no events: one flat step to the horizon
        rows.append((horizon, 1.0, 0.95, 1.0))
    return pd.DataFrame(rows, columns=["day", "survival", "low", "high"])


def assert_labelled(fig, units: dict | None = None) -> None:
    """Each axes with data is titled, labelled and has a legend; ``units`` maps the index of an
    axes to the unit its y label shows."""
    drawn = [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]
    assert drawn
    assert fig.get_suptitle() or all(ax.get_title() for ax in drawn)
    for ax in drawn:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert ax.get_legend() is not None
    for index, unit in (units or {}).items():
        assert f"({unit})" in fig.axes[index].get_ylabel()


def _collection(ax, label: str):
    (found,) = [c for c in ax.collections if c.get_label() == label]
    return found


def test_timeline_marks_every_launch_day(model, tmp_path):
    launch_days = model.daily("launch_day")
    replicate = int(np.argmax(launch_days.sum(axis=0)))
    path = tmp_path / "sub" / "timeline.png"
    fig = figures.timeline(model, replicate, path=path)
    assert path.stat().st_size > 10_000
    assert_labelled(fig, units={0: "0-1"})
    assert str(model.seeds[replicate]) in fig.get_suptitle()
    launches = _collection(fig.axes[1], figures.LAUNCH_LABEL)
    assert len(launches.get_offsets()) == launch_days[:, replicate].sum() > 0
    missiles = model.daily("missiles")[:, replicate]
    assert np.array_equal(
        launches.get_sizes(), 20 + 25 * missiles[np.flatnonzero(launch_days[:, replicate])]
    )


def test_timeline_needs_daily_series_and_a_real_replicate(model):
    unrecorded = ns.run("pressure-2017", replicates=2, days=5, record_daily=False)
    with pytest.raises(ValueError, match="record_daily=True"):
        figures.timeline(unrecorded)
    for replicate in (-1, model.replicates):
        with pytest.raises(ValueError, match="replicate"):
            figures.timeline(model, replicate)
    with pytest.raises(ValueError, match="unknown daily series"):
        figures.timeline(model, series=("nonsense",))


def test_fan_chart_of_launch_days_is_cumulative_against_the_record(model, tmp_path):
    path = tmp_path / "fan.png"
    fig = figures.fan_chart(model, "launch_day", path=path)
    assert path.stat().st_size > 10_000
    assert_labelled(fig)
    ax = fig.axes[0]
    (median,) = [line for line in ax.lines if line.get_label() == "simulated: median"]
    cumulative = np.cumsum(model.daily("launch_day"), axis=0)
    assert median.get_ydata()[-1] == np.median(cumulative[-1])
    (observed,) = [line for line in ax.lines if line.get_label().startswith("observed 2017")]
    assert observed.get_ydata()[-1] == 15  # launch days of 2017 in the shipped record


def test_fan_chart_of_levels_is_not_cumulative_and_shows_the_unit(model):
    fig = figures.fan_chart(model, "tension")
    assert_labelled(fig, units={0: "0-1"})
    (median,) = [line for line in fig.axes[0].lines if line.get_label() == "simulated: median"]
    assert np.allclose(median.get_ydata(), np.median(model.daily("tension"), axis=1))
    fig = figures.fan_chart(model, "missiles", cumulative=False, observed=False)
    (median,) = [line for line in fig.axes[0].lines if line.get_label() == "simulated: median"]
    assert np.array_equal(median.get_ydata(), np.median(model.daily("missiles"), axis=1))


def test_fan_chart_needs_daily_series():
    unrecorded = ns.run("pressure-2017", replicates=2, days=5, record_daily=False)
    with pytest.raises(ValueError, match="record_daily=True"):
        figures.fan_chart(unrecorded)


def test_distributions_of_two_scenarios(comparison, tmp_path):
    path = tmp_path / "distributions.png"
    fig = figures.distributions(comparison, path=path)
    assert path.stat().st_size > 10_000
    assert_labelled(fig)
    assert all(label in fig.get_suptitle() for label in LABELS)
    titles = [ax.get_legend().get_title().get_text() for ax in fig.axes if ax.get_visible()]
    assert sum(title.startswith("difference") for title in titles) == 3  # rows of the table
    fig = figures.distributions(comparison, ("talks_reached", "days_to_talks", "max_tension"))
    assert_labelled(fig)
    with pytest.raises(ValueError, match="unknown"):
        figures.distributions(comparison, ("nonsense",))


def test_kaplan_meier_of_two_scenarios(comparison, tmp_path):
    path = tmp_path / "km.png"
    fig = figures.kaplan_meier(comparison, path=path)
    assert path.stat().st_size > 10_000
    assert_labelled(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "days since 2017-01-01"
    assert "log-rank p = n/a" in ax.get_legend().get_title().get_text()
    assert {line.get_label() for line in ax.lines} == set(LABELS)
    comparison = SimpleNamespace(**{**vars(comparison), "logrank_pvalue": 0.0123})
    fig = figures.kaplan_meier(comparison)
    assert "0.0123" in fig.axes[0].get_legend().get_title().get_text()


def test_kaplan_meier_of_several_comparisons_draws_each_setting_once(comparison):
    other = SimpleNamespace(
        **{
            **vars(comparison),
            "labels": (LABELS[0], "third"),
            "survival": {
                LABELS[0]: comparison.survival[LABELS[0]],
                "third": comparison.survival[LABELS[1]],
            },
            "logrank_pvalue": 0.5,
        }
    )
    fig = figures.kaplan_meier([comparison, other])
    assert_labelled(fig)
    assert [line.get_label() for line in fig.axes[0].lines] == [*LABELS, "third"]
    assert "third vs pressure-2017: 0.5" in fig.axes[0].get_legend().get_title().get_text()


def test_monthly_launch_days_against_the_record(model, tmp_path):
    path = tmp_path / "monthly.png"
    fig = figures.monthly_launch_days(model, path)
    assert path.stat().st_size > 10_000
    assert_labelled(fig)
    ax = fig.axes[0]
    (observed,) = [line for line in ax.lines if line.get_label().startswith("observed")]
    assert observed.get_ydata().sum() == 15  # the 15 launch days of 2017, month by month
    assert len(ax.get_xticks()) == 12


def _is_whole(values) -> bool:
    return all(float(v).is_integer() for v in values)


def test_overview_of_a_multi_year_run_compares_the_record_year_with_the_record():
    """Two years of simulation against one year of record would compare unlike things: the
    histogram counts the days the record covers, and says so."""
    # Demonstrations go on after the year's systems are fielded, so the second year has tests.
    shows = {"pyongyang.demonstration_need": 2.0}
    run = ns.run("pressure-2017", replicates=8, days=730, seed=3, params=shows)
    fig = figures.overview(run)
    ax = fig.axes[2]
    heights = np.array([bar.get_height() for bar in ax.patches])
    centres = np.array([bar.get_x() + bar.get_width() / 2 for bar in ax.patches])
    first_year = run.daily("launch_day")[:365].sum(axis=0)
    assert heights.sum() == run.replicates
    assert np.isclose((heights * centres).sum() / heights.sum(), first_year.mean())
    assert run.outcomes["launch_days"].mean() > first_year.mean()  # the second year counts too
    (observed,) = [line for line in ax.lines if line.get_label().startswith("observed")]
    assert observed.get_xdata()[0] == records.observed_launch_days(2017).size
    assert "first 365 of 730 days" in ax.get_title()


def test_overview_of_one_year_counts_the_whole_run_against_the_record(model):
    ax = figures.overview(model).axes[2]
    heights = np.array([bar.get_height() for bar in ax.patches])
    centres = np.array([bar.get_x() + bar.get_width() / 2 for bar in ax.patches])
    assert np.isclose(
        (heights * centres).sum() / heights.sum(), model.outcomes["launch_days"].mean()
    )
    assert f"{model.day} days" in ax.get_title()


def test_kaplan_meier_axis_starts_at_zero(comparison):
    bottom, top = figures.kaplan_meier(comparison).axes[0].get_ylim()
    assert bottom == 0 and top >= 1


def test_counts_get_integer_ticks(comparison):
    """Small counts (a few replicates per bin, a few launch days) are where 0.5 steps showed."""
    few = ns.run("pressure-2017", replicates=4, seed=5)
    overview = figures.overview(few)
    histogram = overview.axes[2]
    assert _is_whole(histogram.get_xticks()) and _is_whole(histogram.get_yticks())
    assert _is_whole(overview.axes[1].get_yticks())
    assert _is_whole(figures.fan_chart(few, "icbm").axes[0].get_yticks())
    two_months = ns.run("pressure-2017", replicates=4, days=60, seed=5)
    assert _is_whole(figures.monthly_launch_days(two_months).axes[0].get_yticks())
    small = SimpleNamespace(
        **{
            **vars(comparison),
            "outcomes_a": pd.DataFrame({"icbm_tests": [0, 0, 1, 1]}),
            "outcomes_b": pd.DataFrame({"icbm_tests": [0, 1, 1, 1]}),
        }
    )
    (ax,) = figures.distributions(small, ("icbm_tests",)).axes
    assert _is_whole(ax.get_xticks())
