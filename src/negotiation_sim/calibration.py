"""Calibration against the record: targets, a loss over them, and a seeded optimiser.

The targets are facts of 2017 and 2022 read from the packaged record (`negotiation_sim.records`;
sources in ``data/records/SOURCE.md``): launch days, missiles, ICBM flights, nuclear tests and
vetoed drafts in the year; that the Security Council passed a resolution after each major test
of 2017; that the first vote after an ICBM flight in 2022 was vetoed; that no talks took place
in either year.

`calibrate` searches the registry's ranges of a scenario's free parameters with scipy's
differential evolution. Every candidate runs on the same replicate seeds (common random
numbers), so the loss is a deterministic function of the parameters and the search is
reproducible from its seed. A whole population of candidates runs as one batched model.

    >>> from negotiation_sim import calibration
    >>> [t.name for t in calibration.targets("pressure-2017")][:3]
    ['launch_days', 'missiles', 'icbm_tests']
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize

from negotiation_sim import parameters as registry
from negotiation_sim import records
from negotiation_sim.analysis import wilson_interval
from negotiation_sim.backends import BACKENDS, Backend, open_backend
from negotiation_sim.errors import ScenarioError
from negotiation_sim.model import NegotiationModel
from negotiation_sim.scenarios import Scenario, load_scenario
from negotiation_sim.store import BatchLog
from negotiation_sim.streams import replicate_seeds

#: The predictive interval an observed count must fall in, and how far the median may stray.
INTERVAL = (0.1, 0.9)
MEDIAN_TOLERANCE = 0.35
#: Days after a major test within which a resolution counts as its answer. In 2017 the answers
#: came 8 to 32 days after the tests (timeline_2017_2022.csv); tests closer than this to the
#: end of the run are censored and left out.
ANSWER_WINDOW = 60
#: How far inside a share's threshold the search aims, so the band holds on fresh seeds (the
#: search's few hundred replicates per point estimate a share to about ±2 points).
SHARE_MARGIN = {"share_min": 0.03, "share_max": 0.05}


@dataclass(frozen=True)
class Target:
    """One fact of the record the model should reproduce.

    ``rule`` says what reproducing it means: ``interval`` (the observed count lies in the
    model's 10-90 % predictive interval and the median within ±35 % of it), ``at_least`` (the
    record is a lower bound: the model's 90 % quantile must reach it and its median may not
    lie more than 35 % under it), ``plausible`` (for rare events, whose count in one year says
    little about their rate: the observed count lies in the 10-90 % predictive interval),
    ``share_min`` / ``share_max`` (a share of cases at least / below ``threshold``).
    """

    name: str
    observed: float
    rule: str
    doc: str
    source: str
    threshold: float | None = None

    @property
    def is_share(self) -> bool:
        return self.rule.startswith("share")


# --- statistics of a finished model: per replicate, (successes, cases) for shares -----------
def _outcome(column: str) -> Callable[[NegotiationModel], np.ndarray]:
    return lambda model: model.outcomes[column].to_numpy(dtype=float)


def _answered_major_tests(model: NegotiationModel) -> tuple[np.ndarray, np.ndarray]:
    """Per replicate: major tests answered by a resolution within the window, and all of them."""
    major = (model.daily("icbm") > 0) | (model.daily("nuclear") > 0)
    passed = np.cumsum(model.daily("un_resolution"), axis=0, dtype=np.int64)
    passed = np.vstack([np.zeros((1, passed.shape[1]), np.int64), passed])
    days = major.shape[0]
    cases = major[: max(days - ANSWER_WINDOW, 0)]
    test_day, replicate = np.nonzero(cases)
    answered = passed[test_day + ANSWER_WINDOW + 1, replicate] > passed[test_day + 1, replicate]
    successes = np.bincount(replicate[answered], minlength=model.replicates)
    return successes.astype(float), cases.sum(axis=0).astype(float)


def _first_vote_after_icbm_vetoed(model: NegotiationModel) -> tuple[np.ndarray, np.ndarray]:
    """Per replicate: whether the first vote after the first ICBM flight was a veto, and
    whether there was such a vote at all."""
    icbm = model.daily("icbm") > 0
    vetoed = model.daily("un_veto") > 0
    vote = vetoed | (model.daily("un_resolution") > 0)
    day = np.arange(icbm.shape[0])[:, None]
    first_icbm = np.where(icbm.any(axis=0), icbm.argmax(axis=0), icbm.shape[0])
    after = vote & (day > first_icbm)
    has_vote = after.any(axis=0)
    first_vote = after.argmax(axis=0)
    was_veto = vetoed[first_vote, np.arange(model.replicates)] & has_vote
    return was_veto.astype(float), has_vote.astype(float)


def _talks(model: NegotiationModel) -> tuple[np.ndarray, np.ndarray]:
    reached = model.outcomes["talks_reached"].to_numpy(dtype=float)
    return reached, np.ones_like(reached)


#: How each target is measured on a model; shares return (successes, cases) per replicate.
STATISTICS: Mapping[str, Callable[[NegotiationModel], object]] = {
    "launch_days": _outcome("launch_days"),
    "missiles": _outcome("missiles"),
    "icbm_tests": _outcome("icbm_tests"),
    "nuclear_tests": _outcome("nuclear_tests"),
    "un_vetoes": _outcome("un_vetoes"),
    "resolution_after_major_test": _answered_major_tests,
    "first_vote_after_icbm_vetoed": _first_vote_after_icbm_vetoed,
    "talks_reached": _talks,
}


#: Statistics read from daily series (the others need only the outcomes), and those series.
_DAILY_STATISTICS = frozenset({"resolution_after_major_test", "first_vote_after_icbm_vetoed"})
_DAILY_SERIES = ("icbm", "nuclear", "un_resolution", "un_veto")


def _needs_daily(targets_: Sequence[Target]) -> tuple[str, ...]:
    """The daily series the targets read (none when only outcomes are needed)."""
    return _DAILY_SERIES if any(t.name in _DAILY_STATISTICS for t in targets_) else ()


# --- targets from the record --------------------------------------------------------------
def targets(scenario: Scenario | str) -> tuple[Target, ...]:
    """The record's targets for a historical scenario (one calendar year from 1 January)."""
    scenario = load_scenario(scenario)
    year = scenario.start.year
    if scenario.start.timetuple().tm_yday != 1 or year not in (2017, 2022):
        raise ScenarioError(
            scenario.path,
            "start",
            scenario.start.isoformat(),
            "allowed: 2017-01-01 or 2022-01-01 (the years the record covers)",
        )
    launches = records.launches()
    launches = launches[launches["date"].dt.year == year]
    where = "dprk_launches_2017_2022.csv (CNS database)"
    icbm = int(launches.loc[launches["missile_class"] == "ICBM", "missiles"].sum())
    found = (
        Target(
            "launch_days",
            float(launches["date"].nunique()),
            "interval",
            f"Days with a launch in {year}.",
            where,
        ),
        Target(
            "missiles",
            float(launches["missiles"].sum()),
            "interval",
            f"Missiles launched in {year}.",
            where,
        ),
        # 2022's "Unknown" class hides further ICBM flights, so its ICBM count is a floor.
        Target(
            "icbm_tests",
            float(icbm),
            "interval" if year == 2017 else "at_least",
            f"ICBM flights in {year}" + ("." if year == 2017 else " (at least)."),
            where,
        ),
    )
    timeline = records.timeline()
    timeline = timeline[timeline["date"].dt.year == year]
    where = "timeline_2017_2022.csv (public record)"
    found += (
        # Rare events: one year's count can only be checked for plausibility.
        Target(
            "nuclear_tests",
            float((timeline["kind"] == "nuclear_test").sum()),
            "plausible",
            f"Nuclear tests in {year}.",
            where,
        ),
        Target(
            "un_vetoes",
            float((timeline["kind"] == "un_sanctions_vetoed").sum()),
            "plausible",
            f"Sanctions drafts vetoed in {year}.",
            where,
        ),
    )
    if year == 2017:
        answered = _observed_answered_share(launches, timeline)
        found += (
            Target(
                "resolution_after_major_test",
                answered,
                "share_min",
                f"Major tests (ICBM or nuclear) answered by a resolution within "
                f"{ANSWER_WINDOW} days.",
                "timeline_2017_2022.csv",
                threshold=0.9,
            ),
        )
    else:
        found += (
            Target(
                "first_vote_after_icbm_vetoed",
                _observed_first_vote_vetoed(launches, timeline),
                "share_min",
                "The first Security Council vote after the first "
                "ICBM flight is vetoed (replicates with such a vote).",
                "timeline_2017_2022.csv",
                threshold=0.9,
            ),
        )
    talks = float((timeline["kind"] == "talks").any())
    return found + (
        Target(
            "talks_reached",
            talks,
            "share_max",
            "Talks took place in the year.",
            "timeline_2017_2022.csv (no talks)",
            threshold=0.2,
        ),
    )


def _major_test_dates(launches: pd.DataFrame, timeline: pd.DataFrame) -> pd.Series:
    icbm = launches.loc[launches["missile_class"] == "ICBM", "date"]
    nuclear = timeline.loc[timeline["kind"] == "nuclear_test", "date"]
    return pd.concat([icbm, nuclear]).sort_values()


def _observed_answered_share(launches: pd.DataFrame, timeline: pd.DataFrame) -> float:
    passed = timeline.loc[timeline["kind"] == "un_sanctions", "date"]
    tests = _major_test_dates(launches, timeline)
    window = pd.Timedelta(days=ANSWER_WINDOW)
    answered = [((passed > t) & (passed <= t + window)).any() for t in tests]
    return float(np.mean(answered))


def _observed_first_vote_vetoed(launches: pd.DataFrame, timeline: pd.DataFrame) -> float:
    first_icbm = launches.loc[launches["missile_class"] == "ICBM", "date"].min()
    votes = timeline[
        timeline["kind"].isin(["un_sanctions", "un_sanctions_vetoed"])
        & (timeline["date"] > first_icbm)
    ].sort_values("date")
    return float(votes.iloc[0]["kind"] == "un_sanctions_vetoed")


# --- measuring and scoring ----------------------------------------------------------------
def measure(
    model: NegotiationModel, targets_: Sequence[Target], groups: int = 1
) -> list[dict[str, np.ndarray]]:
    """Each target's statistic on a model whose replicates form ``groups`` equal blocks
    (one block per parameter point); returns one dict per target of arrays over blocks."""
    out = []
    for target in targets_:
        value = STATISTICS[target.name](model)
        if target.is_share:
            successes, cases = (np.asarray(v).reshape(groups, -1) for v in value)
            out.append({"successes": successes.sum(axis=1), "cases": cases.sum(axis=1)})
        else:
            values = np.asarray(value).reshape(groups, -1)
            low, mid, high = np.quantile(values, [INTERVAL[0], 0.5, INTERVAL[1]], axis=1)
            below = (values < target.observed).mean(axis=1)
            at = (values == target.observed).mean(axis=1)
            out.append(
                {
                    "mean": values.mean(axis=1),
                    "median": mid,
                    "low": low,
                    "high": high,
                    "rank": below + at / 2,
                }
            )
    return out


def target_loss(target: Target, stats: Mapping[str, np.ndarray]) -> np.ndarray:
    """Loss of one target: 0 well inside its band, about 1 at the band's edge, growing outside.

    Counts: the squared log-ratio of the model's mean to the record in units of the ±35 %
    tolerance, plus the squared distance of the record's rank among the replicates from the
    middle in units of the 10-90 % interval's half-width. Shares: a squared hinge in units of
    0.05 beyond the threshold moved ``SHARE_MARGIN`` inwards. Plausible counts: nothing while
    the record's rank lies inside the 10-90 % interval, a squared hinge in units of 0.1 of rank
    outside it. The mean stands for the median
    because it moves smoothly with the parameters while the median of small counts jumps.
    """
    if target.is_share:
        share = stats["successes"] / np.maximum(stats["cases"], 1)
        # Aim a margin inside the threshold so the band holds on fresh seeds too.
        margin = SHARE_MARGIN[target.rule]
        gap = (
            target.threshold + margin - share
            if target.rule == "share_min"
            else share - target.threshold + margin
        )
        no_cases = stats["cases"] == 0
        return np.where(no_cases, 1.0, (np.maximum(gap, 0) / 0.05) ** 2)
    half_width = (INTERVAL[1] - INTERVAL[0]) / 2
    rank = (stats["rank"] - 0.5) / half_width
    if target.rule == "plausible":  # free inside the interval, a steep hinge outside
        return (np.maximum(np.abs(rank) - 1, 0) * half_width / 0.1) ** 2
    ratio = np.log((stats["mean"] + 0.5) / (target.observed + 0.5)) / math.log1p(MEDIAN_TOLERANCE)
    if target.rule == "at_least":
        ratio, rank = np.minimum(ratio, 0), np.maximum(rank, 0)
    return ratio**2 + rank**2


def passes(target: Target, stats: Mapping[str, float]) -> bool:
    """Whether the model reproduces the target by the issue's rule (not the smooth loss)."""
    if target.is_share:
        share = stats["successes"] / max(stats["cases"], 1)
        if stats["cases"] == 0:
            return False
        return share >= target.threshold if target.rule == "share_min" else share < target.threshold
    observed, median = target.observed, stats["median"]
    close = abs(median - observed) <= MEDIAN_TOLERANCE * observed
    inside = stats["low"] <= observed <= stats["high"]
    if target.rule == "at_least":  # the truth is the record or more
        return bool(stats["high"] >= observed and median >= (1 - MEDIAN_TOLERANCE) * observed)
    return bool(inside) if target.rule == "plausible" else bool(close and inside)


@dataclass(frozen=True)
class Evaluation:
    """How a scenario's replicates compare with the record: one row per target."""

    scenario: str
    replicates: int
    seed: int
    table: pd.DataFrame
    model: NegotiationModel = field(repr=False)

    @property
    def loss(self) -> float:
        return float(self.table["loss"].sum())

    @property
    def passed(self) -> bool:
        return bool(self.table["passes"].all())


def evaluate(
    scenario: Scenario | str,
    replicates: int = 2000,
    seed: int = 0,
    *,
    params: Mapping[str, object] | None = None,
    targets_: Sequence[Target] | None = None,
) -> Evaluation:
    """Run ``replicates`` replicates and compare them with the record, target by target."""
    scenario = load_scenario(scenario)
    targets_ = tuple(targets_ or targets(scenario))
    model = NegotiationModel(
        scenario,
        replicates=replicates,
        seed=seed,
        params=params,
        record_events=False,
        record_daily=True,
    ).run()
    rows = []
    for target, stats in zip(targets_, measure(model, targets_), strict=True):
        flat = {k: float(v[0]) for k, v in stats.items()}
        row = {
            "target": target.name,
            "rule": target.rule,
            "observed": target.observed,
            "threshold": target.threshold,
            "loss": float(target_loss(target, stats)[0]),
            "passes": passes(target, flat),
        }
        if target.is_share:
            low, high = wilson_interval(int(flat["successes"]), int(flat["cases"]))
            row |= {
                "model": flat["successes"] / max(flat["cases"], 1),
                "low": low,
                "high": high,
                "cases": int(flat["cases"]),
            }
        else:
            row |= {
                "model": flat["median"],
                "low": flat["low"],
                "high": flat["high"],
                "cases": replicates,
            }
        rows.append(row)
    table = pd.DataFrame(rows).set_index("target")
    return Evaluation(scenario.name, replicates, seed, table, model)


# --- the search ---------------------------------------------------------------------------
#: The historical scenarios one behaviour must explain together.
HISTORICAL: tuple[str, ...] = ("pressure-2017", "no-preconditions-2022")

#: The behaviour parameters the record pins down, calibrated jointly over `HISTORICAL`: how
#: often Pyongyang tests for each system still in development, how far a test completes one,
#: the need left once nothing is in development, salvo size, how long-range flights weigh, how
#: readily it accepts talks, how much it demonstrates in protest at sanctions and at combined
#: exercises, and how the Security Council drafts and Moscow vetoes. The other
#: behaviour parameters keep their registry values: the record of two years holds no event
#: that would tell them apart (docs/ODD.md, 7.11).
FREE: tuple[str, ...] = (
    "pyongyang.test_propensity",
    "pyongyang.development_per_test",
    "pyongyang.demonstration_need",
    "pyongyang.salvo",
    "pyongyang.icbm_weight",
    "pyongyang.accept_rate",
    "pyongyang.protest",
    "seoul.exercise_provocation",
    "seoul.threat_days",
    "seoul.exercise_rate",
    "un.draft_prob",
    "un.veto_deterrence",
    "moscow.rivalry_veto",
)
#: The shipped search's settings, the defaults of `calibrate` and of both command lines.
SEARCH_SEED = 7
SEARCH_MAXITER = 50
SEARCH_POPSIZE = 8


@dataclass(frozen=True)
class Calibration:
    """The result of `calibrate`: the best parameters and how the search went."""

    scenarios: tuple[str, ...]
    params: dict[str, float]
    loss: float
    seed: int
    replicates: int
    evaluations: int
    history: list[float]
    message: str


def _scenarios(scenarios) -> tuple[Scenario, ...]:
    """One scenario (a name, a path or a `Scenario`) or several, loaded."""
    if isinstance(scenarios, (str, Path, Scenario)):
        scenarios = (scenarios,)
    return tuple(load_scenario(item) for item in scenarios)


def calibrate(
    scenarios: Scenario | str | Sequence[Scenario | str] = HISTORICAL,
    free: Sequence[str] | None = None,
    *,
    targets_: Sequence[Target] | Sequence[Sequence[Target]] | None = None,
    replicates: int = 400,
    seed: int = 0,
    maxiter: int = SEARCH_MAXITER,
    popsize: int = SEARCH_POPSIZE,
    bounds: Mapping[str, tuple] | None = None,
    digits: int = 3,
    store: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
    backend: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Calibration:
    """Minimise the summed target loss of every scenario over ``free`` parameters, one value
    of each for all the scenarios, within the registry's ranges.

    ``scenarios`` is one scenario or several (names, paths or `Scenario` objects); ``targets_``
    the targets of the one, or one sequence per scenario (default: each year's record).
    Differential evolution (scipy), seeded by ``seed``; each generation's candidates run as one
    batched model per scenario of ``popsize * len(free)`` × ``replicates`` replicates on common
    seeds. ``bounds`` may narrow a parameter's search range, never widen it past the
    registry's. The best point is rounded to ``digits`` significant digits.

    A long job, run as the others are: ``backend``, ``workers`` and ``scheduler`` say where a
    generation's candidates run (serial, processes or Dask, as for `negotiation_sim.sweep`;
    by default processes on a multi-core machine), with the same result on each; ``store``
    keeps every candidate's loss in an SQLite file as it is computed, and ``resume=True``
    replays a killed search from its seed, reading the losses already stored; ``progress``
    shows a bar of candidates evaluated.
    """
    loaded = _scenarios(scenarios)
    free = tuple(free or FREE)
    if targets_ is None:
        per_scenario = tuple(targets(s) for s in loaded)
    elif len(loaded) == 1 and all(isinstance(t, Target) for t in targets_):
        per_scenario = (tuple(targets_),)
    else:
        per_scenario = tuple(tuple(t) for t in targets_)
    box = _bounds(loaded[0], free, bounds or {})
    runner = open_backend(backend, workers, scheduler, "<calibrate>")  # started when used
    settings = {
        "free": list(free),
        "scenarios": [s.fingerprint() for s in loaded],
        "targets": [[(t.name, t.rule, t.observed) for t in year] for year in per_scenario],
        "box": [list(b) for b in box],
        "replicates": int(replicates),
        "seed": int(seed),
        "maxiter": int(maxiter),
        "popsize": int(popsize),
        "digits": int(digits),
    }
    log = BatchLog(store, "search", settings, ["loss"], resume=resume, progress=progress)
    task = (loaded, free, per_scenario, replicate_seeds(seed, replicates))
    objective = _Objective(task, runner, log)
    # Closed at the end; after an error or Ctrl-C the workers are stopped at once.
    with runner, log:
        result = optimize.differential_evolution(
            objective,
            box,
            seed=seed,
            maxiter=maxiter,
            popsize=popsize,
            polish=False,
            tol=1e-3,
            vectorized=True,
            updating="deferred",
            init="sobol",
        )
        best = {name: _round(value, digits) for name, value in zip(free, result.x, strict=True)}
        loss = float(objective(np.array([[best[n]] for n in free]))[0])
    return Calibration(
        tuple(s.name for s in loaded),
        best,
        loss,
        seed,
        replicates,
        objective.evaluations,
        objective.history,
        str(result.message),
    )


def _bounds(scenario: Scenario, free: Sequence[str], narrowed: Mapping[str, tuple]) -> list:
    box = []
    for name in free:
        entry = registry.REGISTRY.get(name)
        if entry is None or not entry.is_continuous:
            raise ScenarioError(
                scenario.path,
                "free",
                name,
                "allowed: names of real-valued parameters in the registry",
            )
        low, high = narrowed.get(name, (entry.low, entry.high))
        if not entry.low <= low < high <= entry.high:
            raise ScenarioError(
                scenario.path,
                name,
                (low, high),
                f"allowed: a range inside [{entry.low}, {entry.high}]",
            )
        box.append((low, high))
    return box


def _round(value: float, digits: int) -> float:
    return float(f"{value:.{digits}g}")


class _Objective:
    """The summed loss of many candidate points over every scenario: the candidates split
    into one chunk per worker of the backend, each chunk one batched model per scenario;
    every candidate's loss kept in the log as it is computed."""

    def __init__(self, task: tuple, runner: Backend, log: BatchLog) -> None:
        self.task, self.runner, self.log = task, runner, log
        self.free = task[1]
        self.evaluations = 0
        self.history: list[float] = []

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(np.asarray(x, dtype=float).T).T  # (parameters, points)
        chosen = {name: x[i] for i, name in enumerate(self.free)}
        stored = self.log.take(chosen)
        if stored is not None:
            losses = stored[:, 0]
        else:
            chunks = np.array_split(x, self.runner.chunk_count(x.shape[1]), axis=1)
            losses = np.concatenate(self.runner.map_ordered(partial(_losses, self.task), chunks))
            self.log.keep(chosen, None, losses[:, None])
        self.evaluations += x.shape[1]
        self.history.append(float(np.min(losses)))
        return losses


def _losses(task: tuple, x: np.ndarray) -> np.ndarray:
    """The summed loss over every scenario of each candidate (a column of ``x``), on common
    replicate seeds: one batched model per scenario."""
    scenarios, free, per_scenario, seeds = task
    points, reps = x.shape[1], seeds.size
    params = {name: np.repeat(x[i], reps) for i, name in enumerate(free)}
    losses = np.zeros(points)
    for scenario, targets_ in zip(scenarios, per_scenario, strict=True):
        model = NegotiationModel(
            scenario,
            seeds=np.tile(seeds, points),
            params=params,
            record_events=False,
            record_daily=_needs_daily(targets_),
        ).run()
        losses += sum(
            target_loss(t, s)
            for t, s in zip(targets_, measure(model, targets_, points), strict=True)
        )
    return losses


# --- writing the calibrated behaviour into the package ------------------------------------
def write_calibrated(result: Calibration, path: str | Path) -> Path:
    """Write ``result.params`` with the search's provenance (a ``[search]`` table) as a
    calibrated behaviour file. Written to the package's ``data/calibrated.toml``, they become
    the registry's defaults; `negotiation-sim calibrate --install` then puts the posterior's
    medians in place of the values it covers, keeping the others and this provenance."""
    import scipy
    import tomlkit

    document = tomlkit.document()
    document.add(tomlkit.comment("The jointly calibrated behaviour: the joint search's point."))
    document.add(
        tomlkit.comment("Written by `python -m negotiation_sim.calibration search --write FILE`.")
    )
    document["search"] = {
        "method": f"differential evolution (scipy {scipy.__version__}) on common random numbers",
        "scenarios": list(result.scenarios),
        "seed": result.seed,
        "replicates_per_point": result.replicates,
        "points": result.evaluations,
        "loss": float(f"{result.loss:.4g}"),
        "message": result.message,
    }
    document["values"] = dict(result.params)
    path = Path(path)
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return path


def report(
    path: str | Path = "docs/calibration.md",
    replicates: int = 2000,
    seed: int = 1,
    scenarios: Sequence[Scenario | str] = HISTORICAL,
) -> list[Evaluation]:
    """Write the calibration report: per scenario (a name, a path or a `Scenario`), a table of
    target, observed value, model median or share and interval, and a figure of simulated
    against observed monthly launch days (saved beside the report). Fresh seeds, not the
    search's, test the fit honestly."""
    from negotiation_sim.figures import monthly_launch_days  # needs the plot extra

    path = Path(path)
    lines = [
        _REPORT_HEAD.format(
            replicates=replicates,
            seed=seed,
            window=ANSWER_WINDOW,
            tolerance=f"{MEDIAN_TOLERANCE:.0%}",
        )
    ]
    evaluations = []
    for item in scenarios:
        scenario = load_scenario(item)
        name = scenario.name
        evaluation = evaluate(scenario, replicates, seed)
        evaluations.append(evaluation)
        figure = f"calibration-{name}.png"
        monthly_launch_days(evaluation.model, path.parent / figure)
        lines += [
            f"## {name}",
            "",
            _free_text(scenario),
            "",
            _table_markdown(evaluation.table),
            "",
            f"![Launch days per month, {name}]({figure})",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return evaluations


_REPORT_HEAD = """# Calibration

Generated by `python -m negotiation_sim.calibration report docs/calibration.md`
({replicates} replicates per scenario, seed {seed}; the search used other seeds). Do not edit by
hand.

The targets are facts of the record (`negotiation_sim/data/records`: the CNS North Korea Missile
Test Database and a dated timeline; sources in its `SOURCE.md`): launch days, missiles, ICBM flights, nuclear tests and vetoed drafts in the year,
the Security Council's answer to major tests, and the absence of talks. A count is reproduced when the observed value lies in
the model's 10-90 % predictive interval and the median is within ±{tolerance} of it; 2022's ICBM
count is a floor (the database's "Unknown" class hides more), so the model's 90 % quantile must
reach it. Nuclear tests and vetoes are rare events whose count in one year says little about
their rate, so for them the interval alone is checked. A major test counts as answered when a
resolution passes within {window} days. Shares come with 95 % Wilson intervals.

One model explains both years. The behaviour parameters the record pins down were found
together for both years by `negotiation_sim.calibration.calibrate`: differential evolution
(scipy) over the registry's ranges, minimising the loss of every target of both years at once
on common random numbers, seeded. The values live in `negotiation_sim/data/calibrated.toml`
with their provenance and are the registry's defaults; the scenario files set only the context
of their year (what Pyongyang was developing, who would veto, Seoul's stance, the scripted
moves) and Washington's policy. Rerun the search and write the values with
`python -m negotiation_sim.calibration search --write`.
"""


def _free_text(scenario: Scenario | str) -> str:
    """The jointly calibrated behaviour as the scenario runs it."""
    scenario = load_scenario(scenario)
    parts = []
    for key in FREE:
        entry = registry.REGISTRY[key]
        parts.append(
            f"`{key}` = {scenario.params.get(key, entry.default)} "
            f"(range {entry.low}-{entry.high} {entry.unit})"
        )
    return "Behaviour, calibrated jointly over both years: " + "; ".join(parts) + "."


def _table_markdown(table: pd.DataFrame) -> str:
    rows = [
        "| target | rule | observed | model | interval | reproduced |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in table.iterrows():
        if row["rule"].startswith("share"):
            sign = ">=" if row["rule"] == "share_min" else "<"
            rule = f"share {sign} {row['threshold']:.0%}"
            model = f"{row['model']:.1%} of {row['cases']} cases"
            interval = f"{row['low']:.1%}-{row['high']:.1%} (95 % CI)"
            observed = f"{row['observed']:.0%}"
        else:
            rule = {"at_least": "at least", "plausible": "in 10-90 %"}.get(
                row["rule"], "in 10-90 %, median ±35 %"
            )
            model = f"median {row['model']:g}"
            interval = f"{row['low']:g}-{row['high']:g} (10-90 %)"
            observed = f"{row['observed']:g}"
        rows.append(
            f"| {name} | {rule} | {observed} | {model} | {interval} | "
            f"{'yes' if row['passes'] else '**no**'} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m negotiation_sim.calibration search [--write]`` or ``... report [PATH]``."""
    parser = argparse.ArgumentParser(description="Calibrate the behaviour over every year.")
    commands = parser.add_subparsers(dest="command", required=True)
    search = commands.add_parser("search", help="search the behaviour parameters jointly")
    search.add_argument(
        "--scenario", action="append", help="a scenario to fit (default: the historical years)"
    )
    search.add_argument("--replicates", type=int, default=400)
    search.add_argument("--seed", type=int, default=SEARCH_SEED)
    search.add_argument("--maxiter", type=int, default=SEARCH_MAXITER)
    search.add_argument("--popsize", type=int, default=SEARCH_POPSIZE)
    search.add_argument("--store", metavar="FILE", help="keep every candidate's loss here")
    search.add_argument("--resume", action="store_true", help="continue the search in --store")
    search.add_argument("--backend", choices=BACKENDS, help="where candidates run")
    search.add_argument("--workers", type=int, help="worker processes (default: the cores)")
    search.add_argument(
        "--write",
        metavar="FILE.toml",
        help="write the best point with its provenance to FILE.toml (the package's defaults "
        "are the posterior medians that `negotiation-sim calibrate --install` writes)",
    )
    written = commands.add_parser(
        "report", help="write the calibration report of the packaged posterior"
    )
    written.add_argument("path", nargs="?", default="docs/calibration.md")
    written.add_argument("--replicates", type=int, default=2000)
    written.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "report":
        from negotiation_sim import inference

        print(f"report written to {inference.report(args.path, None, args.replicates, args.seed)}")
        return
    result = calibrate(
        tuple(args.scenario or HISTORICAL),
        replicates=args.replicates,
        seed=args.seed,
        maxiter=args.maxiter,
        popsize=args.popsize,
        store=args.store,
        resume=args.resume,
        progress=sys.stderr.isatty(),
        backend=args.backend,
        workers=args.workers,
    )
    print(
        f"{', '.join(result.scenarios)}: loss {result.loss:.4g} after {result.evaluations} "
        f"points ({result.message})"
    )
    for key, value in result.params.items():
        print(f"  {key} = {value}")
    if args.write:
        print(f"  written to {write_calibrated(result, args.write)}")


if __name__ == "__main__":
    main()
