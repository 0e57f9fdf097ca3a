"""Summaries of outcomes across replicates: shares with Wilson intervals, quantiles for counts;
and the plain-text tables the command line and comparisons print."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from negotiation_sim.outcomes import OUTCOMES


def wilson_interval(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a share (Wilson 1927), good near 0 and 1."""
    if trials == 0:
        return (float("nan"), float("nan"))
    z = stats.norm.ppf(0.5 + level / 2)
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z
        * np.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
        / (1 + z * z / trials)
    )
    # At 0 or all successes the bound is exactly 0 or 1; rounding must not move it inside.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (low, high)


def summarize(
    outcomes: pd.DataFrame, level: float = 0.95, interval: tuple[float, float] = (0.1, 0.9)
) -> pd.DataFrame:
    """One row per outcome: the estimate and an interval, with what each means.

    Shares (``talks_reached``, ``crisis``, ...) get their proportion and a Wilson ``level``
    confidence interval. Counts and levels get the median and the ``interval`` quantiles of the
    replicates (a predictive interval). Times to an event are summarised among replicates where
    it happened, with the share censored noted (use Kaplan-Meier for proper comparisons).
    """
    rows = []
    n = len(outcomes)
    for name, measure in OUTCOMES.items():
        if name == "seed" or name not in outcomes:
            continue
        values = outcomes[name]
        if measure.kind == "share":
            hits = int(values.sum())
            low, high = wilson_interval(hits, n, level)
            rows.append((name, "share", hits / n, low, high, f"{level:.0%} Wilson CI", n))
            continue
        observed = values.dropna()
        what = f"median, {interval[0]:.0%}-{interval[1]:.0%} of replicates"
        if len(observed) < n:
            what += f" ({len(observed)} of {n} reached it)"
        if observed.empty:
            rows.append((name, measure.unit or "count", np.nan, np.nan, np.nan, what, 0))
            continue
        low, mid, high = np.quantile(observed, [interval[0], 0.5, interval[1]])
        rows.append((name, measure.unit or "count", mid, low, high, what, len(observed)))
    return pd.DataFrame(
        rows, columns=["outcome", "unit", "estimate", "low", "high", "interval", "n"]
    ).set_index("outcome")


def text_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """``header`` and ``rows`` (cells of text) as a plain-text table: each column as wide as its
    widest cell, two spaces between columns, no trailing spaces.

    >>> print(text_table(("outcome", "unit"), [("crisis", "share"), ("launch_days", "days")]))
    outcome      unit
    crisis       share
    launch_days  days
    """
    lines = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines
    )
