"""Figures of a finished model (needs the ``plot`` extra: ``pip install negotiation-sim[plot]``).

Functions build ``matplotlib.figure.Figure`` objects without pyplot, so they work headless and
never open windows; pass ``path`` to also save the figure (parent folders are created).

- `overview`: four panels of one model: tension, launch days against the record, the
  distribution of launch days over the days the record covers, and the state of talks.
- `timeline`: one replicate's daily series with its events (launches, sanctions rounds,
  Security Council votes, crises) and its talks shaded.
- `fan_chart`: one daily series across replicates (median and 10-90 % / 25-75 % bands);
  counts and flags are drawn as running totals, launch days against the observed record.
- `distributions`: outcome distributions of two scenarios side by side, one panel per outcome,
  with the difference and its interval from the comparison's table in each legend.
- `kaplan_meier`: the share of replicates still without talks, day by day, for two scenarios
  (the axis starts at 0, so a small effect looks small).
- `monthly_launch_days`: launch days per calendar month across replicates against the record
  (the calibration figure).

`fan` draws a fan onto an existing ``Axes``, `fan_panel` all of `fan_chart`'s panel. The two comparison figures take any object with
the attributes of a scenario comparison (``labels``, ``replicates``, ``seed``, ``outcomes_a``,
``outcomes_b``, ``table``; ``survival``, ``logrank_pvalue`` and ``days`` for Kaplan-Meier).
Axes that count things (launch days, replicates, missiles) get integer ticks only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from negotiation_sim import records
from negotiation_sim.analysis import wilson_interval
from negotiation_sim.model import NegotiationModel
from negotiation_sim.outcomes import DAILY, OUTCOMES

_BANDS = ((0.1, 0.9, 0.25), (0.25, 0.75, 0.45))
_DPI = 110
#: Daily series drawn as running totals by default in `fan_chart`.
_TALLIES = ("count", "flag")
#: What a running total of each count or flag series counts.
_TALLY_NAMES = {
    "missiles": "missiles",
    "launch_day": "launch days",
    "icbm": "ICBM flights",
    "nuclear": "nuclear tests",
    "us_sanctions_round": "US sanctions rounds",
    "un_resolution": "UN resolutions passed",
    "un_veto": "UN drafts vetoed",
    "crisis": "militarized crises",
}
#: Rows of the event strip in `timeline`.
_EVENT_ROWS = ("Pyongyang's tests", "US sanctions", "Security Council", "crises")
LAUNCH_LABEL = "launch day (size: missiles)"


def _figure(rows: int, cols: int, size: tuple[float, float]):
    try:
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("figures need matplotlib: pip install 'negotiation-sim[plot]'") from error
    return Figure(figsize=size, layout="constrained")


def _save(fig, path: str | Path | None):
    """Save ``fig`` to ``path`` (creating its folder) when given; return ``fig``."""
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=_DPI)
    return fig


def _dates(model: NegotiationModel, days: int) -> np.ndarray:
    return np.array([model.start + dt.timedelta(days=d) for d in range(days)])


def _integer_ticks(axis) -> None:
    """Ticks on whole numbers only: a count of 2.5 launch days or replicates does not exist."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _pretty(name: str) -> str:
    return name.replace("_", " ")


def _with_unit(text: str, unit: str) -> str:
    return f"{text} ({unit})" if unit else text


def _daily(model: NegotiationModel, name: str) -> np.ndarray:
    """``model.daily(name)``, with a ValueError saying what to do when it is not available."""
    if name not in DAILY:
        raise ValueError(f"unknown daily series {name!r}; known: {', '.join(DAILY)}")
    try:
        values = model.daily(name)
    except RuntimeError as error:
        raise ValueError(
            "this figure needs daily series, but the model was run with "
            "record_daily=False: run it again with record_daily=True"
        ) from error
    if values.shape[0] == 0:
        raise ValueError("the model has not run any days yet: call model.run() first")
    return values


def fan(ax, model: NegotiationModel, series: np.ndarray, label: str, color: str = "C0") -> None:
    """Draw the median and 10-90 % / 25-75 % bands of a (days, replicates) series on ``ax``."""
    dates = _dates(model, series.shape[0])
    for low, high, alpha in _BANDS:
        ax.fill_between(
            dates,
            np.quantile(series, low, axis=1),
            np.quantile(series, high, axis=1),
            color=color,
            alpha=alpha,
            lw=0,
            label=f"{label}: {low:.0%}-{high:.0%} of replicates",
        )
    ax.plot(dates, np.median(series, axis=1), color=color, lw=1.5, label=f"{label}: median")


def overview(model: NegotiationModel, path: str | Path | None = None):
    """Four panels: tension, cumulative launch days against the record, the distribution of
    launch days across replicates, and the state of talks over time.

    The record covers one calendar year, so the distribution compares like with like: it
    counts each replicate's launch days over the days of the run the record covers (from the
    start to the end of the start's year; the first year of a multi-year run) and marks the
    observed count of those same days. Without a record for the year it counts the whole run.
    """
    fig = _figure(2, 2, (12, 8))
    axes = fig.subplots(2, 2)
    name = model.scenario.name
    fig.suptitle(f"{name}: {model.replicates} replicates from {model.start.isoformat()}")

    ax = axes[0, 0]
    fan(ax, model, _daily(model, "tension"), "tension", "C3")
    ax.set(
        title="Tension on the peninsula (M9, M15, M16)",
        xlabel="date",
        ylabel="tension (0-1)",
        ylim=(0, 1),
    )
    ax.legend(fontsize=7, loc="upper left")

    ax = axes[0, 1]
    cumulative = np.cumsum(model.daily("launch_day"), axis=0, dtype=np.int64)
    fan(ax, model, cumulative, "simulated", "C0")
    observed = _observed_cumulative(model, cumulative.shape[0])
    if observed is not None:
        ax.step(
            _dates(model, len(observed)),
            observed,
            where="post",
            color="k",
            lw=2,
            label=f"observed {model.start.year} (CNS database)",
        )
    ax.set(title="Launch days so far (M6)", xlabel="date", ylabel="launch days (cumulative)")
    _integer_ticks(ax.yaxis)
    ax.legend(fontsize=7, loc="upper left")

    ax = axes[1, 0]
    days_run = cumulative.shape[0]
    # Compare like with like: the simulated days the record covers against the record.
    window = days_run if observed is None else len(observed)
    launch_days = cumulative[window - 1]
    bins = np.arange(launch_days.min(), launch_days.max() + 2) - 0.5
    ax.hist(launch_days, bins=bins, color="C0", alpha=0.7, label="simulated replicates")
    if observed is not None:
        last = model.date(window - 1).isoformat()
        ax.axvline(
            observed[-1],
            color="k",
            lw=2,
            label=f"observed {model.start.isoformat()} to {last} (CNS database)",
        )
    if window == days_run:
        title = f"Launch days in the {window} days run"
    else:
        title = f"Launch days in the first {window} of {days_run} days (the record's year)"
    ax.set(
        title=title,
        xlabel="launch days (per replicate)",
        ylabel="replicates",
    )
    _integer_ticks(ax.xaxis)
    _integer_ticks(ax.yaxis)
    ax.legend(fontsize=7)

    ax = axes[1, 1]
    talks = model.daily("talks_state")
    dates = _dates(model, talks.shape[0])
    shares = [(talks >= level).mean(axis=1) for level in (1, 2, 3)]
    labels = ("contact or more", "talks (working level or summit)", "summit")
    for share, label, color in zip(shares, labels, ("C2", "C1", "C4"), strict=True):
        ax.plot(dates, share, color=color, label=label)
    ax.set(title="Diplomacy (M10, M17)", xlabel="date", ylabel="share of replicates", ylim=(0, 1))
    ax.legend(fontsize=7)
    for row in axes:
        for a in row:
            if a is not axes[1, 0]:
                a.tick_params(axis="x", labelrotation=30, labelsize=7)
    return _save(fig, path)


def _observed_launch_days(model: NegotiationModel, days: int) -> np.ndarray | None:
    """Observed launch days (1 on a day with a launch) from the scenario's start to the end of
    its year at most, when the shipped record covers the start's year."""
    observed = records.observed_launch_days(model.start.year)
    if observed.empty:
        return None
    offsets = observed.index.date - model.start
    day_index = np.array([o.days for o in offsets])
    # The record holds one calendar year: days past its end are unknown, not launch-free.
    year_left = (dt.date(model.start.year + 1, 1, 1) - model.start).days
    per_day = np.zeros(min(days, year_left))
    day_index = day_index[(day_index >= 0) & (day_index < per_day.size)]
    per_day[day_index] = 1
    return per_day


def _observed_cumulative(model: NegotiationModel, days: int) -> np.ndarray | None:
    """Observed cumulative launch days from the scenario's start, when the record covers it."""
    per_day = _observed_launch_days(model, days)
    return None if per_day is None else np.cumsum(per_day)


# --- one replicate ----------------------------------------------------------------------------
def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, past-the-last) day of each run of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _shade_talks(axes, model: NegotiationModel, state: np.ndarray) -> None:
    """Shade contact (state 1) lightly and talks (state >= 2) darker on every axes."""
    for mask, label, alpha in ((state == 1, "contact", 0.12), (state >= 2, "talks", 0.3)):
        for ax in axes:
            for number, (first, end) in enumerate(_runs(mask)):
                ax.axvspan(
                    model.date(first),
                    model.date(end),
                    color="C2",
                    alpha=alpha,
                    lw=0,
                    label=label if number == 0 else None,
                )


def _series_label(series: Sequence[str]) -> str:
    units = {DAILY[name].unit for name in series}
    if len(series) == 1:
        return _with_unit(_pretty(series[0]), DAILY[series[0]].unit)
    if len(units) == 1:
        return _with_unit("value", units.pop())
    return "; ".join(_with_unit(_pretty(name), DAILY[name].unit) for name in series)


def _event_strip(ax, model: NegotiationModel, replicate: int) -> None:
    """One row of markers per kind of event of ``replicate``."""

    def days(name: str) -> np.ndarray:
        return np.flatnonzero(_daily(model, name)[:, replicate])

    def mark(name: str, row: int, label: str, **style) -> None:
        at = days(name)
        ax.scatter([model.date(d) for d in at], np.full(at.size, row), label=label, **style)

    missiles = _daily(model, "missiles")[:, replicate]
    launch = days("launch_day")
    ax.scatter(
        [model.date(d) for d in launch],
        np.zeros(launch.size),
        label=LAUNCH_LABEL,
        s=20 + 25 * missiles[launch],
        color="C0",
        alpha=0.6,
        zorder=3,
    )
    mark("icbm", 0, "ICBM flight", s=140, facecolors="none", edgecolors="C3", lw=1.5, zorder=4)
    mark("nuclear", 0, "nuclear test", s=160, marker="*", color="k", zorder=4)
    mark("us_sanctions_round", 1, "US sanctions round", marker="v", color="C1")
    mark("un_resolution", 2, "UN resolution passed", marker="^", color="C2")
    mark("un_veto", 2, "UN draft vetoed", marker="x", color="C3")
    mark("crisis", 3, "militarized crisis", marker="D", color="C4")
    ax.set_yticks(range(len(_EVENT_ROWS)), _EVENT_ROWS, fontsize=8)
    ax.set_ylim(len(_EVENT_ROWS) - 0.5, -0.5)


def timeline(
    model: NegotiationModel,
    replicate: int = 0,
    series: Sequence[str] = ("tension", "trust", "economic_pain", "willingness_us"),
    path: str | Path | None = None,
):
    """One replicate day by day: ``series`` (names of `DAILY`) above, its events below.

    Launch days are sized by missiles, ICBM flights ringed and nuclear tests starred; spans of
    talks (working level or summit) are shaded, contact more lightly. Needs daily series
    (``record_daily=True``, the default).
    """
    series = (series,) if isinstance(series, str) else tuple(series)
    replicate = model._replicate(replicate)  # a ModelArgumentError (a ValueError) if not one
    if not series:
        raise ValueError("series: name at least one daily series")
    fig = _figure(2, 1, (12, 7))
    top, bottom = fig.subplots(2, 1, height_ratios=(3, 1.4))
    bottom.sharex(top)
    for number, name in enumerate(series):
        values = _daily(model, name)[:, replicate]
        top.plot(
            _dates(model, values.size),
            values,
            color=f"C{number}",
            label=_with_unit(_pretty(name), DAILY[name].unit),
        )
    _event_strip(bottom, model, replicate)
    _shade_talks((top, bottom), model, _daily(model, "talks_state")[:, replicate])
    if all(DAILY[name].unit == "0-1" for name in series):
        top.set_ylim(0, 1)
    days = model.daily("tension").shape[0]
    fig.suptitle(
        f"{model.scenario.name}: replicate {replicate} "
        f"(seed {model.seeds[replicate]}), {model.start.isoformat()} + {days} days"
    )
    top.set(title="Daily state (talks shaded)", xlabel="date", ylabel=_series_label(series))
    bottom.set(title="Events", xlabel="date", ylabel="event")
    top.legend(fontsize=7, loc="upper left", ncols=2)
    bottom.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    for ax in (top, bottom):
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    return _save(fig, path)


# --- across replicates ------------------------------------------------------------------------
def fan_chart(
    model: NegotiationModel,
    series: str = "tension",
    path: str | Path | None = None,
    *,
    observed=None,
    cumulative: bool | None = None,
    size: tuple[float, float] = (10, 5.5),
):
    """A fan (median, 25-75 % and 10-90 % of replicates) of one daily series over time.

    ``cumulative`` draws running totals; by default it is on for counts and flags
    (``launch_day``, ``missiles``, ``icbm``, ``us_sanctions_round``, ...) and off for levels.
    ``observed`` is an observed daily series (one value per day from the start) drawn over the
    fan and accumulated like it; by default ``launch_day`` is drawn against the shipped record
    of the scenario's year when it covers the start. Pass ``observed=False`` for none.
    ``size`` is the figure's size in inches: the text keeps its size in points, so a smaller
    figure shown at the same width has larger text.
    """
    if series not in DAILY:
        raise ValueError(f"unknown daily series {series!r}; known: {', '.join(DAILY)}")
    _daily(model, series)  # says what is missing before a figure is made
    fig = _figure(1, 1, size)
    fan_panel(fig.subplots(), model, series, observed=observed, cumulative=cumulative)
    fig.suptitle(
        f"{model.scenario.name}: {model.replicates} replicates from "
        f"{model.start.isoformat()} (seed {model.seed})"
    )
    return _save(fig, path)


def fan_panel(
    ax, model: NegotiationModel, series: str, *, observed=None, cumulative: bool | None = None
) -> None:
    """`fan_chart`'s panel drawn on an existing ``Axes``: the fan, the record, titles, legend."""
    measure = DAILY.get(series)
    if measure is None:
        raise ValueError(f"unknown daily series {series!r}; known: {', '.join(DAILY)}")
    values = _daily(model, series)
    if cumulative is None:
        cumulative = measure.kind in _TALLIES
    label = "observed"
    if observed is None and series == "launch_day":
        observed = _observed_launch_days(model, values.shape[0])
        label = f"observed {model.start.year} (CNS database)"
    values = np.cumsum(values, axis=0, dtype=np.float64) if cumulative else values
    fan(ax, model, values, "simulated", "C0")
    if observed is not None and observed is not False:
        observed = np.asarray(observed, dtype=np.float64)
        observed = np.cumsum(observed) if cumulative else observed
        ax.step(_dates(model, observed.size), observed, where="post", color="k", lw=2, label=label)
    if cumulative:
        name = _TALLY_NAMES.get(series, _pretty(series))
        title, ylabel = f"{name[0].upper()}{name[1:]} so far", f"{name} (cumulative)"
    else:
        title = f"{_pretty(series)}: {measure.doc.rstrip('.')}"
        ylabel = _with_unit(_pretty(series), measure.unit)
    ax.set(title=title, xlabel="date", ylabel=ylabel)
    if measure.unit == "0-1" and not cumulative:
        ax.set_ylim(0, 1)
    if measure.kind in _TALLIES:  # counts and flags, day by day or summed
        _integer_ticks(ax.yaxis)
    ax.legend(fontsize=9, loc="upper left")
    ax.tick_params(labelsize=9)
    ax.tick_params(axis="x", labelrotation=30)


# --- two scenarios ----------------------------------------------------------------------------
def _grid(fig, panels: int, cols: int = 3) -> list:
    cols = min(cols, panels)
    axes = np.atleast_1d(fig.subplots(math.ceil(panels / cols), cols)).ravel()
    for ax in axes[panels:]:
        ax.set_visible(False)
    return list(axes[:panels])


def _share_panel(ax, comparison, name: str) -> None:
    """Two bars, the share of replicates where ``name`` held, with 95 % Wilson intervals."""
    for number, (label, frame) in enumerate(
        zip(comparison.labels, _frames(comparison), strict=True)
    ):
        values = frame[name].astype(bool)
        share = float(values.mean())
        low, high = wilson_interval(int(values.sum()), len(values))
        ax.bar(
            number,
            share,
            color=f"C{number}",
            alpha=0.7,
            label=label,
            yerr=[[share - low], [high - share]],
            capsize=4,
        )
    ax.set_xticks([0, 1], comparison.labels, fontsize=8)
    ax.set(ylim=(0, 1), xlabel="scenario (bars: 95 % Wilson CI)", ylabel="share of replicates")


def _histogram_panel(ax, comparison, name: str) -> None:
    """Overlaid step histograms of both scenarios on shared bins (integer bins for counts)."""
    measure = OUTCOMES[name]
    samples = [frame[name].dropna().to_numpy(dtype=np.float64) for frame in _frames(comparison)]
    pooled = np.concatenate(samples)
    if pooled.size == 0:
        pooled = np.zeros(1)
    low, high = float(pooled.min()), float(pooled.max())
    if measure.kind in ("count", "days"):
        width = max(1, math.ceil((high - low + 1) / 30))
        edges = np.arange(math.floor(low), math.floor(high) + width + 1, width) - 0.5
    else:
        edges = np.linspace(low, high if high > low else low + 1, 21)
    for number, (label, sample, frame) in enumerate(
        zip(comparison.labels, samples, _frames(comparison), strict=True)
    ):
        counts, _ = np.histogram(sample, edges)
        if sample.size < len(frame):
            label += f" ({sample.size} of {len(frame)} reached it)"
        ax.stairs(counts / max(len(frame), 1), edges, color=f"C{number}", fill=True, alpha=0.3)
        ax.stairs(counts / max(len(frame), 1), edges, color=f"C{number}", lw=1.5, label=label)
    unit = measure.unit or ("per replicate" if measure.kind == "count" else "")
    ax.set(xlabel=_with_unit(_pretty(name), unit), ylabel="share of replicates")
    if measure.kind in ("count", "days"):
        _integer_ticks(ax.xaxis)


def _frames(comparison) -> tuple:
    return comparison.outcomes_a, comparison.outcomes_b


def _difference(comparison, name: str) -> str | None:
    """The difference and its interval from ``comparison.table``, as a legend title."""
    table = getattr(comparison, "table", None)
    if table is None or name not in table.index or np.isnan(table.loc[name, "difference"]):
        return None
    row = table.loc[name]
    text = f"difference {row['difference']:+.3g}"
    if not (np.isnan(row["low"]) or np.isnan(row["high"])):
        text += f" (CI {row['low']:+.3g} to {row['high']:+.3g})"
    return text


def _comparison_title(comparison) -> str:
    a, b = comparison.labels
    return f"{a} vs {b}: {comparison.replicates} replicates each (seed {comparison.seed})"


def distributions(
    comparison,
    outcomes: Sequence[str] = (
        "launch_days",
        "missiles",
        "icbm_tests",
        "us_sanctions_rounds",
        "un_resolutions",
        "talks_days",
    ),
    path: str | Path | None = None,
):
    """Outcome distributions of two scenarios, one panel per outcome (names of `OUTCOMES`).

    Counts are step histograms on shared integer bins (share of replicates per bin); shares
    (``talks_reached``, ``crisis``, ...) are two bars with Wilson intervals. Each panel carries
    the difference and its interval from ``comparison.table`` (as its legend's title) when the
    table has the outcome.
    """
    outcomes = (outcomes,) if isinstance(outcomes, str) else tuple(outcomes)
    unknown = [name for name in outcomes if name not in OUTCOMES or name == "seed"]
    if unknown or not outcomes:
        raise ValueError(f"outcomes: unknown {unknown}; known: {', '.join(OUTCOMES)}")
    cols = min(3, len(outcomes))
    fig = _figure(1, 1, (4.2 * cols, 3.4 * math.ceil(len(outcomes) / cols) + 0.5))
    for ax, name in zip(_grid(fig, len(outcomes)), outcomes, strict=True):
        if OUTCOMES[name].kind == "share":
            _share_panel(ax, comparison, name)
        else:
            _histogram_panel(ax, comparison, name)
        ax.set_title(f"{_pretty(name)}: {OUTCOMES[name].doc}", fontsize=8)
        ax.legend(fontsize=7, title=_difference(comparison, name), title_fontsize=7)
    fig.suptitle(_comparison_title(comparison))
    return _save(fig, path)


def kaplan_meier(comparison, path: str | Path | None = None):
    """Kaplan-Meier curves of the time to talks, with their intervals.

    ``comparison`` is one comparison or a sequence of them (for example ``none`` against
    each stricter precondition); a label shared by several is drawn once. Reads
    ``comparison.survival`` (label -> frame of ``day``, ``survival``, ``low``, ``high``),
    ``comparison.days`` (the horizon; curves are carried on to it) and
    ``comparison.logrank_pvalue`` (shown in the legend's title).
    """
    comparisons = list(comparison) if isinstance(comparison, (list, tuple)) else [comparison]
    curves = {label: c.survival[label] for c in comparisons for label in c.labels}
    days = getattr(comparisons[0], "days", None)
    fig = _figure(1, 1, (9, 5.5))
    ax = fig.subplots()
    for number, (label, frame) in enumerate(curves.items()):
        day, survival, low, high = _carried(frame.sort_values("day"), days)
        ax.step(day, survival, where="post", color=f"C{number}", lw=2, label=label)
        ax.fill_between(
            day,
            low,
            high,
            step="post",
            color=f"C{number}",
            alpha=0.2,
            lw=0,
            label=f"{label}: confidence band",
        )
    start = getattr(comparisons[0], "start", None)
    since = start.isoformat() if isinstance(start, dt.date) else "the start"
    ax.set(
        title="Time to talks (Kaplan-Meier; replicates without talks are censored)",
        xlabel=f"days since {since}",
        ylabel="share of replicates without talks",
        # From 0: zoomed to the curves' range, a few points' difference looked like a gulf.
        ylim=(0, 1.02),
    )
    if days is not None:
        ax.set_xlim(0, days)
    ax.legend(fontsize=8, loc="lower left", title=_logrank_text(comparisons), title_fontsize=8)
    fig.suptitle(
        _comparison_title(comparisons[0])
        if len(comparisons) == 1
        else f"{len(curves)} settings, {comparisons[0].replicates} replicates each on "
        f"common random numbers (seed {comparisons[0].seed})"
    )
    return _save(fig, path)


def _carried(frame, days) -> tuple[np.ndarray, ...]:
    """A survival frame's columns, carried flat on to the horizon."""
    day = frame["day"].to_numpy(dtype=float)
    values = [frame[column].to_numpy(dtype=float) for column in ("survival", "low", "high")]
    if days is not None and day.size and day[-1] < days:
        day = np.append(day, days)
        values = [np.append(v, v[-1]) for v in values]
    return (day, *values)


def _logrank_text(comparisons) -> str:
    parts = []
    for c in comparisons:
        p = getattr(c, "logrank_pvalue", float("nan"))
        text = "n/a" if p is None or np.isnan(p) else f"{p:.3g}"
        parts.append(text if len(comparisons) == 1 else f"{c.labels[1]} vs {c.labels[0]}: {text}")
    return "log-rank p = " + "; ".join(parts)


def monthly_launch_days(model: NegotiationModel, path: str | Path | None = None):
    """Launch days per calendar month: the replicates' median, 10-90 % and 25-75 % ranges as
    boxes, and the observed months of the record as points (when the record covers them)."""
    launch = _daily(model, "launch_day")
    months = np.array(
        [(model.start + dt.timedelta(days=d)).replace(day=1) for d in range(launch.shape[0])]
    )
    firsts = sorted(set(months))
    per_month = np.stack([launch[months == m].sum(axis=0) for m in firsts])  # (months, reps)
    fig = _figure(1, 1, (12, 4.5))
    ax = fig.subplots()
    x = np.arange(len(firsts))
    for (low, high, alpha), width in zip(_BANDS, (0.7, 0.45), strict=True):
        bottom, top = np.quantile(per_month, [low, high], axis=1)
        ax.bar(
            x,
            top - bottom,
            bottom=bottom,
            width=width,
            color="C0",
            alpha=alpha,
            label=f"simulated: {low:.0%}-{high:.0%} of replicates",
        )
    ax.plot(
        x, np.median(per_month, axis=1), "_", color="C0", ms=22, mew=2, label="simulated: median"
    )
    observed = records.observed_launch_days(model.start.year)
    if not observed.empty:
        counts = observed.groupby(observed.index.to_period("M")).size()
        seen = [counts.get(pd.Period(m, "M"), 0) for m in firsts]
        ax.plot(x, seen, "o", color="k", label=f"observed {model.start.year} (CNS database)")
    ax.set_xticks(x, [m.strftime("%b %Y") for m in firsts], rotation=30, fontsize=8)
    ax.set(
        title=f"{model.scenario.name}: launch days per month, {model.replicates} replicates",
        xlabel="month",
        ylabel="launch days in the month",
    )
    ax.set_ylim(bottom=-0.3)
    _integer_ticks(ax.yaxis)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return _save(fig, path)


def sensitivity_indices(result, path: str | Path | None = None):
    """Sensitivity indices of a `negotiation_sim.sensitivity_analysis.Sensitivity`, one panel per output.

    Horizontal bars of the ~15 leading parameters: Sobol's S1 and ST side by side with their
    bootstrap intervals (ranked by ST), or Morris's mu* with its interval and sigma (ranked by
    mu*). Outputs that were constant over the design (NaN indices) carry a note in the panel.
    """
    top = 15
    sobol = result.method == "sobol"
    first, second = ("S1", "ST") if sobol else ("mu_star", "sigma")
    labels = (
        {"S1": "S1 (first order)", "ST": "ST (total, with interactions)"}
        if sobol
        else {"mu_star": "mu* (mean |elementary effect|)", "sigma": "sigma (spread of effects)"}
    )
    outputs = list(result.outputs)
    shown = [result.ranked(name).head(top) for name in outputs]
    rows = max(len(frame) for frame in shown)
    cols = min(2, len(outputs))
    fig = _figure(1, 1, (6.5 * cols, (0.32 * rows + 1.6) * math.ceil(len(outputs) / cols) + 0.6))
    for ax, name, frame in zip(_grid(fig, len(outputs), cols), outputs, shown, strict=True):
        y = np.arange(len(frame))
        height = 0.38
        bars = ((first, -height / 2, "C0", True), (second, height / 2, "C1", sobol))
        for column, offset, color, with_error in bars:
            values = frame[column].to_numpy(dtype=float)
            error = None
            if with_error and np.isfinite(values).any():
                low = frame[f"{column}_low"].to_numpy(dtype=float)
                high = frame[f"{column}_high"].to_numpy(dtype=float)
                error = np.vstack([np.clip(values - low, 0, None), np.clip(high - values, 0, None)])
            label = labels[column] + (f" ({result.level:.0%} interval)" if with_error else "")
            ax.barh(
                y + offset,
                np.nan_to_num(values),
                height=height,
                color=color,
                alpha=0.8,
                xerr=None if error is None else np.nan_to_num(error),
                capsize=2,
                label=label,
            )
        ax.set_yticks(y, frame["parameter"], fontsize=7)
        ax.set_ylim(len(frame) - 0.5, -0.5)
        if sobol:
            xlabel = "index (share of output variance)"
        else:
            measure = OUTCOMES[name]
            unit = "share of replicates" if measure.kind == "share" else measure.unit or "count"
            xlabel = f"mu* (units of {unit})"
        ax.set(
            title=f"{_pretty(name)}: {OUTCOMES[name].doc}",
            xlabel=xlabel,
            ylabel="parameter (registry name)",
        )
        ax.title.set_fontsize(8)
        ax.axvline(0, color="k", lw=0.6)
        note = result.notes.get(name)
        if note:
            ax.set_xlim(0, 1)
            ax.text(
                0.5,
                0.5,
                note,
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=7,
                wrap=True,
                bbox={"facecolor": "w", "alpha": 0.8},
            )
        ax.legend(fontsize=7, loc="lower right")
    ranked_by = "ST" if sobol else "mu*"
    fig.suptitle(
        f"{result.scenario}: {result.method} sensitivity, N = {result.n}, "
        f"{result.points} points x {result.spec.replicates} replicates "
        f"(seed {result.spec.seed}); top {top} parameters by {ranked_by}"
    )
    return _save(fig, path)
