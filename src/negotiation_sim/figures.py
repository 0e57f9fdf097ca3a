"""Figures of a finished model (needs the ``plot`` extra: ``pip install negotiation-sim[plot]``).

Functions build ``matplotlib.figure.Figure`` objects without pyplot, so they work headless and
never open windows; pass ``path`` to also save the figure.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from negotiation_sim import records
from negotiation_sim.model import NegotiationModel

_BANDS = ((0.1, 0.9, 0.25), (0.25, 0.75, 0.45))


def _figure(rows: int, cols: int, size: tuple[float, float]):
    try:
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("figures need matplotlib: pip install 'negotiation-sim[plot]'") \
            from error
    return Figure(figsize=size, layout="constrained")


def _dates(model: NegotiationModel, days: int) -> np.ndarray:
    return np.array([model.start + dt.timedelta(days=d) for d in range(days)])


def fan(ax, model: NegotiationModel, series: np.ndarray, label: str, color: str = "C0") -> None:
    """Draw the median and 10-90 % / 25-75 % bands of a (days, replicates) series on ``ax``."""
    dates = _dates(model, series.shape[0])
    for low, high, alpha in _BANDS:
        ax.fill_between(dates, np.quantile(series, low, axis=1),
                        np.quantile(series, high, axis=1), color=color, alpha=alpha, lw=0,
                        label=f"{label}: {low:.0%}-{high:.0%} of replicates")
    ax.plot(dates, np.median(series, axis=1), color=color, lw=1.5, label=f"{label}: median")


def overview(model: NegotiationModel, path: str | Path | None = None):
    """Four panels: tension, cumulative launch days against the record, the distribution of
    launch days across replicates, and the state of talks over time."""
    fig = _figure(2, 2, (12, 8))
    axes = fig.subplots(2, 2)
    name = model.scenario.name
    fig.suptitle(f"{name}: {model.replicates} replicates from {model.start.isoformat()}")

    ax = axes[0, 0]
    fan(ax, model, model.daily("tension"), "tension", "C3")
    ax.set(title="Tension on the peninsula (M9, M15, M16)", xlabel="date",
           ylabel="tension (0-1)", ylim=(0, 1))
    ax.legend(fontsize=7, loc="upper left")

    ax = axes[0, 1]
    cumulative = np.cumsum(model.daily("launch_day"), axis=0)
    fan(ax, model, cumulative, "simulated", "C0")
    observed = _observed_cumulative(model, cumulative.shape[0])
    if observed is not None:
        ax.step(_dates(model, len(observed)), observed, where="post", color="k", lw=2,
                label=f"observed {model.start.year} (CNS database)")
    ax.set(title="Launch days so far (M6)", xlabel="date", ylabel="launch days (cumulative)")
    ax.legend(fontsize=7, loc="upper left")

    ax = axes[1, 0]
    launch_days = model.outcomes["launch_days"].to_numpy()
    bins = np.arange(launch_days.min(), launch_days.max() + 2) - 0.5
    ax.hist(launch_days, bins=bins, color="C0", alpha=0.7, label="simulated replicates")
    if observed is not None and len(observed) >= 365:
        ax.axvline(observed[364], color="k", lw=2, label="observed in the year")
    ax.set(title=f"Launch days over {model.day} days", xlabel="launch days (per replicate)",
           ylabel="replicates")
    ax.legend(fontsize=7)

    ax = axes[1, 1]
    talks = model.daily("talks_state")
    dates = _dates(model, talks.shape[0])
    shares = [(talks >= level).mean(axis=1) for level in (1, 2, 3)]
    labels = ("contact or more", "talks (working level or summit)", "summit")
    for share, label, color in zip(shares, labels, ("C2", "C1", "C4"), strict=True):
        ax.plot(dates, share, color=color, label=label)
    ax.set(title="Diplomacy (M10, M17)", xlabel="date", ylabel="share of replicates",
           ylim=(0, 1))
    ax.legend(fontsize=7)
    for row in axes:
        for a in row:
            if a is not axes[1, 0]:
                a.tick_params(axis="x", labelrotation=30, labelsize=7)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
    return fig


def _observed_cumulative(model: NegotiationModel, days: int) -> np.ndarray | None:
    """Observed cumulative launch days from the scenario's start, when the record covers it."""
    observed = records.observed_launch_days(model.start.year)
    if observed.empty:
        return None
    offsets = (observed.index.date - model.start)
    day_index = np.array([o.days for o in offsets])
    per_day = np.zeros(min(days, 365))
    day_index = day_index[(day_index >= 0) & (day_index < per_day.size)]
    per_day[day_index] = 1
    return np.cumsum(per_day)
