"""Comparing two scenarios on common random numbers: `compare(a, b)`.

Both sides run the *same* replicate seeds (`negotiation_sim.streams.replicate_seeds`). Because
every draw is a pure function of (replicate seed, day, slot), replicate i of side a and
replicate i of side b see the same dice: where the scenarios agree, the replicates agree, and
a difference between the sides is caused by the difference between the scenarios, not by
luck. The replicates are therefore *paired*, and every interval for a difference (b - a)
comes from a paired bootstrap: each resample draws replicate indices with replacement and
uses the same indices on both sides. Paired intervals are much narrower than independent ones
when the sides are positively correlated, as common random numbers make them.

What each row of `Comparison.table` reports, by the kind of outcome (`OUTCOMES`):

* shares (``talks_reached``, ``crisis``, ...): each side's share with a Wilson interval
  (`negotiation_sim.analysis.wilson_interval`); the difference's interval by paired bootstrap.
* counts and levels: each side's median with a percentile-bootstrap interval, and the
  difference of the medians by paired bootstrap. Medians of small counts often do not move at
  all, so every row also carries the means and a paired-bootstrap interval of their
  difference (``a_mean``, ``b_mean``, ``mean_difference``, ``mean_low``, ``mean_high``).
* times to an event (``days_to_talks``, ``days_to_contact``; NaN when it never happened, that
  is, censored at the end of the run): the restricted mean time to the event up to the
  horizon, the area under the Kaplan-Meier curve. Every replicate is followed to the same
  horizon, so censoring is only at the horizon, and the area equals the mean of
  ``min(time, horizon)`` with censored replicates counted at the horizon: no replicate is
  dropped. Its intervals are percentile (per side) and paired (difference) bootstraps.

All bootstrap intervals are percentile intervals from one seeded matrix of resampled
replicate indices, shared by every outcome, so a comparison is reproducible to the bit.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from negotiation_sim import posterior
from negotiation_sim.analysis import text_table, wilson_interval
from negotiation_sim.errors import ScenarioError, check_integer
from negotiation_sim.outcomes import OUTCOMES, Measure
from negotiation_sim.runner import run
from negotiation_sim.scenarios import Scenario, load_scenario
from negotiation_sim.streams import replicate_seeds

__all__ = [
    "TABLE_COLUMNS",
    "Comparison",
    "PairedBootstrap",
    "Summary",
    "compare",
    "kaplan_meier",
    "paired_difference",
    "percentile_interval",
    "restricted_mean",
    "survival_at",
]

_SOURCE = "<compare>"
#: The columns of `Comparison.table`, in order (the index is ``outcome``).
TABLE_COLUMNS = (
    "unit",
    "statistic",
    "a",
    "a_low",
    "a_high",
    "b",
    "b_low",
    "b_high",
    "difference",
    "low",
    "high",
    "a_mean",
    "b_mean",
    "mean_difference",
    "mean_low",
    "mean_high",
    "method",
)
#: Elements of the resample-count matrix handled at once (bounds memory for huge runs).
_CHUNK_ELEMENTS = 4_000_000
#: Rows with at most this many distinct values get their bootstrap medians from draw counts.
_FEW_VALUES = 200


class Summary(str):
    """A comparison's text table: a ``str`` whose interactive display is the table itself."""

    def __repr__(self) -> str:
        return str(self)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two scenarios run on the same replicate seeds, with paired intervals.

    Attributes:
        labels: the names of side a and side b.
        replicates, seed, days, level: how the comparison was run.
        outcomes_a, outcomes_b: ``model.outcomes`` of each side, row i of both from the same
            replicate seed.
        table: one row per outcome (see the module docstring and `TABLE_COLUMNS`).
        survival: label -> Kaplan-Meier curve of "no talks yet" (`kaplan_meier`).
        logrank_pvalue: log-rank test (scipy.stats.logrank) of equal time-to-talks
            distributions. It treats the sides as independent samples; common random numbers
            correlate them positively, so it overstates the noise in the difference and is
            conservative: its p-value is too large rather than too small. NaN when neither side
            ever reached talks.
        resamples: bootstrap resamples behind the intervals.
    """

    labels: tuple[str, str]
    replicates: int
    seed: int
    days: int
    level: float
    outcomes_a: pd.DataFrame = field(repr=False)
    outcomes_b: pd.DataFrame = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    survival: dict[str, pd.DataFrame] = field(repr=False)
    logrank_pvalue: float = float("nan")
    resamples: int = 2000
    #: ``"none"`` (the posterior medians) or what the replicates drew their behaviour from,
    #: e.g. ``"posterior (1000 draws)"``.
    uncertainty: str = "none"

    def to_frame(self) -> pd.DataFrame:
        """The comparison table (a copy), one row per outcome."""
        return self.table.copy()

    def summary(self, outcomes: str | Iterable[str] | None = None) -> Summary:
        """A plain-text table of ``outcomes`` (default: all) and a line on time to talks.

        It is a string that shows as the table itself at the interactive prompt.
        """
        names = _chosen_outcomes(self.table, outcomes)
        label_a, label_b = self.labels
        head = (
            f"{label_a} vs {label_b}: {self.replicates} replicates on common random "
            f"numbers (seed {self.seed}), {self.days} days"
        )
        if self.uncertainty != "none":
            head += (
                f"; behaviour from the {self.uncertainty}, replicate i of both sides "
                "drawing the same: intervals carry parameter uncertainty"
            )
        note = (
            f"{self.level:.0%} intervals: shares Wilson, medians and restricted means "
            f"percentile bootstrap; differences (b - a) paired bootstrap, "
            f"{self.resamples} resamples. Share differences in percentage points (pp)."
        )
        header = ("outcome", "unit", "statistic", label_a, label_b, "difference (b - a)")
        rows = [row for name in names for row in _summary_rows(name, self.table.loc[name])]
        lines = [head, note, "", text_table(header, rows), "", self._talks_line()]
        return Summary("\n".join(lines))

    def _talks_line(self) -> str:
        parts = []
        for label in self.labels:
            end = self.survival[label].iloc[-1]
            parts.append(
                f"{label} {format_percent(end['survival'])} "
                f"[{format_percent(end['low'])}, {format_percent(end['high'])}]"
            )
        p = self.logrank_pvalue
        shown = "nan (no talks on either side)" if math.isnan(p) else f"{p:.3g}"
        return (
            f"Time to talks (Kaplan-Meier): without talks at day {self.days}: "
            + "; ".join(parts)
            + f". Log-rank p = {shown} (conservative under common "
            "random numbers)."
        )

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"Comparison({self.labels[0]!r} vs {self.labels[1]!r}, "
            f"replicates={self.replicates}, seed={self.seed}, days={self.days})"
        )


def compare(
    a: Scenario | str,
    b: Scenario | str,
    replicates: int = 2000,
    seed: int = 0,
    *,
    days: int | None = None,
    params_a: Mapping | None = None,
    params_b: Mapping | None = None,
    labels: tuple[str, str] | None = None,
    level: float = 0.95,
    resamples: int = 2000,
    actors_a: Mapping | None = None,
    actors_b: Mapping | None = None,
    progress: bool = False,
    uncertainty: object = "none",
) -> Comparison:
    """Run scenarios ``a`` and ``b`` on the same replicate seeds and compare their outcomes.

    Args:
        a, b: a `Scenario`, a shipped scenario's name, or a path to a scenario file.
        replicates: replicates per side (at least 2); both sides run the same seeds.
        seed: derives the replicate seeds and seeds the bootstrap.
        days: days to run (default: the scenarios' horizon, which must then be the same).
        params_a, params_b: parameter overrides (dotted names) for one side.
        labels: names for the sides (default: the scenario names, with " (a)"/" (b)" appended
            when they are equal).
        level: confidence level of every interval.
        resamples: bootstrap resamples (at least 100).
        actors_a, actors_b: replacement actor classes for one side (see `NegotiationModel`),
            to measure what a subclass changes.
        progress: show a progress bar on stderr for each side's run (see `ns.run`).
        uncertainty: ``"posterior"`` gives replicate i of both sides the same posterior draw
            of the behaviour (and the same random numbers), so the intervals carry what we do
            not know about the parameters; ``"none"`` (default) runs the posterior medians.

    Returns a `Comparison`: the outcomes of both sides, the table of paired estimates and
    intervals, Kaplan-Meier curves of time to talks and a (conservative) log-rank p-value.
    Invalid arguments raise `ScenarioError` naming the key, the value and what is allowed.

    >>> c = compare("pressure-2017", "pressure-2017", replicates=50,
    ...             params_b={"pyongyang.salvo": 0.8}, resamples=200)
    >>> bool(c.table.loc["missiles", "difference"] > 0)
    True
    """
    check_integer(_SOURCE, "replicates", replicates, 2)
    check_integer(_SOURCE, "seed", seed, 0)
    check_integer(_SOURCE, "resamples", resamples, 100)
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ScenarioError(_SOURCE, "level", level, "allowed: a number strictly between 0 and 1")
    scenario_a = _side(a, params_a)
    scenario_b = _side(b, params_b)
    days = _days(scenario_a, scenario_b, days)
    labels = _labels(scenario_a, scenario_b, labels)
    seeds = replicate_seeds(int(seed), int(replicates))
    drawn = posterior.resolve(uncertainty, _SOURCE)
    outcomes_a, outcomes_b = (
        _outcomes(s, seed, seeds, days, actors, progress, drawn)
        for s, actors in ((scenario_a, actors_a), (scenario_b, actors_b))
    )
    survival = {
        label: kaplan_meier(o["days_to_talks"], None, days, level)
        for label, o in zip(labels, (outcomes_a, outcomes_b))
    }
    return Comparison(
        labels=labels,
        replicates=int(replicates),
        seed=int(seed),
        days=days,
        level=float(level),
        outcomes_a=outcomes_a,
        outcomes_b=outcomes_b,
        table=_table(outcomes_a, outcomes_b, days, level, resamples, int(seed)),
        survival=survival,
        logrank_pvalue=_logrank(outcomes_a["days_to_talks"], outcomes_b["days_to_talks"], days),
        resamples=int(resamples),
        uncertainty="none" if drawn is None else f"posterior ({len(drawn)} draws)",
    )


# --- running ------------------------------------------------------------------------------------
def _side(scenario: Scenario | str, params: Mapping | None) -> Scenario:
    loaded = load_scenario(scenario)
    return loaded.with_params(params) if params else loaded


def _days(a: Scenario, b: Scenario, days: int | None) -> int:
    if days is not None:
        check_integer(_SOURCE, "days", days, 1)
        return int(days)
    if a.horizon_days != b.horizon_days:
        raise ScenarioError(
            _SOURCE,
            "days",
            None,
            f"required when the horizons differ: {a.name} ({a.path}) runs "
            f"{a.horizon_days} days, {b.name} ({b.path}) {b.horizon_days}; "
            "allowed: an integer >= 1",
        )
    return a.horizon_days


def _labels(a: Scenario, b: Scenario, labels: tuple[str, str] | None) -> tuple[str, str]:
    if labels is None:
        if a.name == b.name:
            return (f"{a.name} (a)", f"{b.name} (b)")
        return (a.name, b.name)
    if (
        not isinstance(labels, (tuple, list))
        or len(labels) != 2
        or not all(isinstance(x, str) and x for x in labels)
        or labels[0] == labels[1]
    ):
        raise ScenarioError(_SOURCE, "labels", labels, "allowed: two different non-empty strings")
    return (labels[0], labels[1])


def _outcomes(
    scenario: Scenario,
    seed: int,
    seeds: np.ndarray,
    days: int,
    actors: Mapping | None,
    progress: bool,
    drawn: posterior.Posterior | None = None,
) -> pd.DataFrame:
    # Daily series and event logs are not needed here and cost memory in large comparisons.
    return run(
        scenario,
        days=days,
        seed=int(seed),
        seeds=seeds,
        record_daily=False,
        record_events=False,
        actors=actors,
        progress=progress,
        uncertainty="none" if drawn is None else drawn,
    ).outcomes


# --- Kaplan-Meier and log-rank ------------------------------------------------------------------
def kaplan_meier(times, reached, horizon: float, level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier survival ("not yet reached") with pointwise ``level`` confidence intervals.

    Args:
        times: the day each replicate reached the event, or its censoring day; NaN means not
            reached by the horizon.
        reached: whether each replicate reached the event (default: ``times`` is not NaN).
        horizon: the end of follow-up: NaN times are censored there, later times too.
        level: confidence level of the pointwise intervals (log-log, Kalbfleisch-Prentice;
            they stay inside [0, 1]).

    Returns a step function with columns ``day``, ``survival``, ``low``, ``high``: the first
    row is day 0 with survival 1.0, then one row per day with events (the survival after
    them), then the horizon. Survival on day d is the last row with ``day <= d``; when events
    happen on day 0 there are two rows for day 0 and the second one holds.
    """
    times = np.asarray(times, dtype=float).reshape(-1)
    reached = ~np.isnan(times) if reached is None else np.asarray(reached, dtype=bool).reshape(-1)
    if times.size == 0 or reached.shape != times.shape:
        raise ValueError("kaplan_meier: times and reached must be non-empty and of equal size")
    if np.any(reached & np.isnan(times)) or np.nanmin(times, initial=0.0) < 0:
        raise ValueError("kaplan_meier: a reached replicate needs a non-negative time")
    observed = np.where(np.isnan(times), horizon, np.minimum(times, horizon))
    event = reached & (times <= horizon)
    event_days = np.unique(observed[event])
    grid = np.concatenate(([0.0], event_days, [float(horizon)]))
    if event_days.size == 0:
        # Nobody reached it: the curve is flat at 1 (scipy would have nothing to estimate).
        ones = np.ones(grid.size)
        return pd.DataFrame({"day": grid, "survival": ones, "low": ones, "high": ones.copy()})
    fit = stats.ecdf(stats.CensoredData.right_censored(observed, ~event))
    with warnings.catch_warnings():
        # Undefined where survival is 0 (Greenwood's variance divides by it); filled below.
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = fit.sf.confidence_interval(confidence_level=level, method="log-log")
    at = grid[1:]
    survival = np.concatenate(([1.0], fit.sf.evaluate(at)))
    low = np.concatenate(([1.0], ci.low.evaluate(at)))
    high = np.concatenate(([1.0], ci.high.evaluate(at)))
    # Where the interval is undefined (survival 0) the true curve is still >= 0 and, being
    # non-increasing, below the last defined upper bound.
    low = np.where(np.isnan(low), 0.0, low)
    high = pd.Series(high).ffill().to_numpy()
    return pd.DataFrame({"day": grid, "survival": survival, "low": low, "high": high})


def restricted_mean(curve: pd.DataFrame) -> float:
    """Area under a `kaplan_meier` curve from day 0 to its last row (the horizon)."""
    widths = np.diff(curve["day"].to_numpy())
    return float(np.sum(widths * curve["survival"].to_numpy()[:-1]))


def survival_at(curve: pd.DataFrame, day: float) -> pd.Series:
    """The row of a `kaplan_meier` curve that holds on ``day``."""
    position = int(np.searchsorted(curve["day"].to_numpy(), day, side="right")) - 1
    return curve.iloc[max(position, 0)]


def _logrank(times_a, times_b, days: int) -> float:
    """Log-rank p-value for two samples of times to an event (NaN: censored at ``days``)."""
    samples = [np.asarray(t, dtype=float) for t in (times_a, times_b)]
    if all(np.isnan(t).all() for t in samples):
        return float("nan")  # no events on either side: nothing to compare
    data = [
        stats.CensoredData.right_censored(np.where(np.isnan(t), days, t), np.isnan(t))
        for t in samples
    ]
    with warnings.catch_warnings():
        # Degenerate samples (every replicate reaching talks on one day) give a 0/0 statistic:
        # scipy warns and returns NaN, which is the honest answer.
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.logrank(data[0], data[1]).pvalue)


# --- paired bootstrap ---------------------------------------------------------------------------
class PairedBootstrap:
    """Resamples of replicate indices, the same for both sides and for every outcome.

    Resample r draws ``n`` replicate indices with replacement from a generator seeded with
    ``seed``. The index matrix is drawn afresh, in the same order, for every statistic and in
    chunks of resamples, so memory stays bounded for large runs and every statistic sees the
    same resamples.
    """

    def __init__(self, n: int, resamples: int, seed: int) -> None:
        self.n, self.resamples, self.seed = int(n), int(resamples), int(seed)
        self._per_chunk = max(1, _CHUNK_ELEMENTS // self.n)

    def indices(self):
        """Yield index matrices of shape (chunk, n) covering every resample in order."""
        rng = np.random.default_rng(self.seed)
        for start in range(0, self.resamples, self._per_chunk):
            size = min(self._per_chunk, self.resamples - start)
            yield rng.integers(0, self.n, size=(size, self.n))

    def means(self, values: np.ndarray) -> np.ndarray:
        """Resampled means of each row of ``values`` (shape (m, n)): shape (m, resamples).

        A resample's mean is a weighted mean, weights being how often it drew each replicate,
        so all rows go through one matrix product per chunk.
        """
        rows = np.atleast_2d(np.asarray(values, dtype=np.float64))
        return np.hstack([rows @ _draw_counts(chunk, self.n) for chunk in self.indices()]) / self.n

    def medians(self, values: np.ndarray) -> np.ndarray:
        """Resampled medians of each row of ``values``; a 1-D ``values`` gives a 1-D result.

        Rows with few distinct values (counts, flags) are read off how often each resample
        drew each value, one matrix product per chunk; other rows go through `numpy.median`.
        """
        values = np.asarray(values, dtype=np.float64)
        rows = np.atleast_2d(values)
        codes = [np.unique(row, return_inverse=True) for row in rows]
        out = [[] for _ in rows]
        for chunk in self.indices():
            counts = _draw_counts(chunk, self.n)
            for i, (row, (distinct, code)) in enumerate(zip(rows, codes, strict=True)):
                out[i].append(
                    np.median(row[chunk], axis=1)
                    if distinct.size > _FEW_VALUES
                    else self._median_of_few(distinct, code, counts)
                )
        result = np.vstack([np.hstack(parts) for parts in out])
        return result if values.ndim == 2 else result[0]

    def _median_of_few(
        self, distinct: np.ndarray, code: np.ndarray, counts: np.ndarray
    ) -> np.ndarray:
        # drawn[j, r]: how many of resample r's draws are at most the j-th smallest value; the
        # value of 0-based rank m is the first whose running count exceeds m.
        one_hot = np.zeros((distinct.size, self.n))
        one_hot[code, np.arange(self.n)] = 1.0
        drawn = np.cumsum(one_hot @ counts, axis=0)
        low, high = ((self.n - 1) // 2, self.n // 2)
        return (distinct[(drawn <= low).sum(axis=0)] + distinct[(drawn <= high).sum(axis=0)]) / 2


def _draw_counts(chunk: np.ndarray, n: int) -> np.ndarray:
    """How often each replicate was drawn in each resample: shape (n, resamples in chunk)."""
    size = chunk.shape[0]
    flat = (chunk * size + np.arange(size)[:, None]).ravel()
    return np.bincount(flat, minlength=n * size).reshape(n, size).astype(np.float64)


def percentile_interval(resampled: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` percentile interval of resampled statistics."""
    low, high = np.quantile(resampled, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def paired_difference(
    a, b, statistic: str = "mean", level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """``statistic(b) - statistic(a)`` with a paired percentile-bootstrap interval.

    ``a`` and ``b`` are paired replicate by replicate; ``statistic`` is "mean" or "median".
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    boot = PairedBootstrap(a.size, resamples, seed)
    if statistic == "mean":
        estimate = b.mean() - a.mean()
        resampled = boot.means(b - a)[0]
    elif statistic == "median":
        estimate = np.median(b) - np.median(a)
        resampled = boot.medians(b) - boot.medians(a)
    else:
        raise ValueError(f"statistic must be 'mean' or 'median', not {statistic!r}")
    return (float(estimate), *percentile_interval(resampled, level))


# --- the table ----------------------------------------------------------------------------------
def _table(
    outcomes_a: pd.DataFrame,
    outcomes_b: pd.DataFrame,
    days: int,
    level: float,
    resamples: int,
    seed: int,
) -> pd.DataFrame:
    boot = PairedBootstrap(len(outcomes_a), resamples, seed)
    prepared = {
        name: _prepare(measure, outcomes_a[name], outcomes_b[name], days)
        for name, measure in OUTCOMES.items()
        if measure.kind != "id"
    }
    # Every outcome's resampled means in one matrix product: rows a, b, b - a per outcome.
    # (b - a is resampled directly so that identical sides give exactly zero.)
    stacked = np.vstack([np.vstack([p["a"], p["b"], p["b"] - p["a"]]) for p in prepared.values()])
    resampled = boot.means(stacked)
    by_median = [name for name, p in prepared.items() if p["statistic"] == "median"]
    if by_median:
        medians = boot.medians(np.vstack([prepared[n][side] for n in by_median for side in "ab"]))
        for i, name in enumerate(by_median):
            prepared[name]["resampled_medians"] = medians[2 * i : 2 * i + 2]
    rows = {
        name: _row(OUTCOMES[name], p, resampled[3 * i : 3 * i + 3], level)
        for i, (name, p) in enumerate(prepared.items())
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(TABLE_COLUMNS))
    table.index.name = "outcome"
    return table


def _prepare(measure: Measure, a: pd.Series, b: pd.Series, days: int) -> dict[str, object]:
    """The values to summarise per side, the statistic, and its point estimates."""
    a, b = a.to_numpy(dtype=np.float64), b.to_numpy(dtype=np.float64)
    if measure.censored:  # a time to an event, NaN when it never came
        estimates = [restricted_mean(kaplan_meier(x, None, days)) for x in (a, b)]
        # Censored replicates count at the horizon: as every replicate is followed to the
        # horizon, the mean of min(time, horizon) is that same area, so it is what we resample.
        a, b = (np.where(np.isnan(x), days, np.minimum(x, days)) for x in (a, b))
        return {"a": a, "b": b, "statistic": "restricted mean", "estimates": estimates}
    if np.isnan(a).any() or np.isnan(b).any():
        # Never summarise around missing values silently: the row stays undefined.
        return {"a": np.zeros_like(a), "b": np.zeros_like(b), "statistic": None}
    if measure.kind == "share":
        return {"a": a, "b": b, "statistic": "share", "estimates": [a.mean(), b.mean()]}
    return {"a": a, "b": b, "statistic": "median", "estimates": [np.median(a), np.median(b)]}


def _row(
    measure: Measure, prepared: dict, resampled: np.ndarray, level: float
) -> dict[str, object]:
    """One table row; ``resampled`` holds the resampled means of a, b and b - a."""
    statistic = prepared["statistic"]
    if statistic is None:
        return _undefined_row(measure)
    a, b = prepared["a"], prepared["b"]
    est_a, est_b = prepared["estimates"]
    mean_low, mean_high = percentile_interval(resampled[2], level)
    row = {
        "unit": measure.unit,
        "statistic": statistic,
        "a_mean": a.mean(),
        "b_mean": b.mean(),
        "mean_difference": b.mean() - a.mean(),
        "mean_low": mean_low,
        "mean_high": mean_high,
        "difference": float(est_b - est_a),
    }
    if statistic == "share":
        sides = (
            wilson_interval(int(a.sum()), a.size, level),
            wilson_interval(int(b.sum()), b.size, level),
        )
        row.update(low=mean_low, high=mean_high, method="Wilson; paired bootstrap")
    elif statistic == "restricted mean":
        sides = (percentile_interval(resampled[0], level), percentile_interval(resampled[1], level))
        row.update(low=mean_low, high=mean_high, method="percentile bootstrap; paired bootstrap")
    else:
        med_a, med_b = prepared["resampled_medians"]
        sides = (percentile_interval(med_a, level), percentile_interval(med_b, level))
        low, high = percentile_interval(med_b - med_a, level)
        row.update(low=low, high=high, method="percentile bootstrap; paired bootstrap")
    row.update(_sides(est_a, est_b, *sides))
    return row


def _sides(a: float, b: float, interval_a, interval_b) -> dict[str, float]:
    return {
        "a": float(a),
        "a_low": interval_a[0],
        "a_high": interval_a[1],
        "b": float(b),
        "b_low": interval_b[0],
        "b_high": interval_b[1],
    }


def _undefined_row(measure: Measure) -> dict[str, object]:
    row = dict.fromkeys(TABLE_COLUMNS, float("nan"))
    row.update(unit=measure.unit, statistic="median", method="undefined: missing values")
    return row


# --- the summary --------------------------------------------------------------------------------
def _chosen_outcomes(table: pd.DataFrame, outcomes) -> list[str]:
    if outcomes is None:
        return list(table.index)
    names = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    for name in names:
        if name not in table.index:
            raise ScenarioError(_SOURCE, "outcomes", name, "allowed: " + ", ".join(table.index))
    return names


def _summary_rows(name: str, row: pd.Series) -> list[tuple[str, ...]]:
    if row["statistic"] == "share":
        sides = [
            format_cell(row[k], row[f"{k}_low"], row[f"{k}_high"], format_percent) for k in "ab"
        ]
        difference = format_cell(
            row["difference"] * 100,
            row["low"] * 100,
            row["high"] * 100,
            _points,
            " pp",
            signed=True,
        )
    else:
        sides = [
            format_cell(row[k], row[f"{k}_low"], row[f"{k}_high"], format_number) for k in "ab"
        ]
        difference = format_cell(
            row["difference"], row["low"], row["high"], format_number, signed=True
        )
    rows = [(name, row["unit"], row["statistic"], *sides, difference)]
    if row["statistic"] == "median":
        # Medians of small counts often sit still; the means show what moved.
        rows.append(
            (
                "",
                "",
                "mean",
                format_number(row["a_mean"]),
                format_number(row["b_mean"]),
                format_cell(
                    row["mean_difference"],
                    row["mean_low"],
                    row["mean_high"],
                    format_number,
                    signed=True,
                ),
            )
        )
    return rows


def format_cell(
    estimate: float, low: float, high: float, show, suffix: str = "", signed: bool = False
) -> str:
    """An estimate and its interval as ``estimate [low, high]``, each shown by ``show``."""
    plus = "+" if signed and estimate > 0 else ""
    return f"{plus}{show(estimate)}{suffix} [{show(low)}, {show(high)}]"


def _points(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x + 0.0:.1f}"


def format_percent(x: float) -> str:
    """A share in percent with one decimal."""
    return "nan" if math.isnan(x) else f"{x * 100 + 0.0:.1f}%"


def format_number(x: float) -> str:
    """Three significant digits, without switching to exponents below a million."""
    if math.isnan(x):
        return "nan"
    x = float(x) + 0.0  # no "-0"
    if x != 0 and 1000 <= abs(x) < 1e6:
        return f"{x:,.0f}"
    return f"{x:.3g}"
