"""Global sensitivity analysis of chosen outcomes with SALib (needs the ``sensitivity`` extra).

`sensitivity` runs a sweep with SALib's own design (``sobol``: Saltelli's scheme without
second-order terms; ``morris``: elementary-effect trajectories on
`negotiation_sim.sweeps.MORRIS_LEVELS` levels) over a space of ranged registry parameters,
reduces every design point to one number per outcome and hands those numbers, in the
design's order, to SALib's analyzer:

- **What each point contributes.** A point's value of an outcome is the mean over its
  replicates: the share of replicates for a yes/no outcome (``talks_reached``, ``crisis``),
  the mean count for counts, and for the censored ``days_to_*`` outcomes (NaN when the event
  never happened) the restricted mean, with NaN counted as the number of days run. The
  analyzers need one deterministic value per point; averaging removes most of the replicate
  noise, and because every point runs the *same* replicate seeds (common random numbers) the
  noise that is left is largely shared by all points, so it hardly masquerades as an effect
  of a parameter.
- **Sobol indices** (variance-based). ``S1`` is the share of the output's variance across
  the space that one parameter explains alone (its first-order effect); ``ST`` is its total
  share, including every interaction with other parameters. ``ST`` near 0 means the
  parameter can be fixed anywhere in its range; ``ST - S1`` measures its interactions. The
  intervals are SALib's bootstrap confidence intervals (estimate +- ``*_conf``).
- **Morris screening** (elementary effects). ``mu_star`` is the mean absolute change of the
  output for one step of a parameter (two thirds of its range on four levels), in the
  output's units: the parameter's overall importance. ``sigma`` is the spread of those
  changes: large when the effect is non-linear or depends on other parameters. Morris ranks
  parameters cheaply; Sobol apportions variance but needs ``n * (parameters + 2)`` points.

Indices of noisy outputs need enough replicates: what replicate noise survives the mean
inflates the variance the analyzers apportion (Sobol indices then shrink and their intervals
widen; Morris effects pick up noise). Rare events (``crisis``, ``nuclear_tests``) need more
replicates than common ones. An output that is constant over the whole design has no
variance to apportion: its indices are NaN, with a note saying so.

    >>> from negotiation_sim.sensitivity_analysis import sensitivity
    >>> result = sensitivity("pressure-2017", ["launch_days"], n=8, replicates=4, days=60,
    ...     space={"pyongyang.test_propensity": {"low": 0.01, "high": 0.1},
    ...            "moscow.trade_share": {"low": 0.0, "high": 0.3}}, backend="serial")
    >>> result.indices.columns.tolist()[:4]
    ['output', 'parameter', 'S1', 'S1_low']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from negotiation_sim.errors import ScenarioError
from negotiation_sim.outcomes import OUTCOMES
from negotiation_sim.scenarios import Scenario
from negotiation_sim.sweeps import (
    DEFAULT_POINTS,
    MORRIS_LEVELS,
    SweepResult,
    SweepSpec,
    design_points,
    run_sweep,
    salib_problem,
)

METHODS = ("sobol", "morris")
SOURCE = "<sensitivity>"
#: Columns of `Sensitivity.indices` after ``output`` and ``parameter``, by method.
COLUMNS = {
    "sobol": ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"),
    "morris": ("mu_star", "mu_star_low", "mu_star_high", "sigma"),
}
#: The index each method ranks parameters by.
RANK_BY = {"sobol": "ST", "morris": "mu_star"}


@dataclass
class Sensitivity:
    """A finished sensitivity analysis: the sweep (``results``, a `SweepResult`), the
    per-point means and the indices."""

    method: str
    outputs: tuple[str, ...]
    spec: SweepSpec
    problem: dict
    results: SweepResult
    per_point: pd.DataFrame
    indices: pd.DataFrame
    days: int
    level: float = 0.95
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def scenario(self) -> str:
        """The scenario's name (``spec.scenario`` is the `Scenario` itself)."""
        return self.spec.scenario.name

    @property
    def points(self) -> int:
        """Design points run (not the base samples ``n``)."""
        return len(self.per_point)

    @property
    def n(self) -> int:
        """Base samples (Sobol) or trajectories (Morris) of the design."""
        return int(self.spec.points or DEFAULT_POINTS[self.method])

    def ranked(self, output: str) -> pd.DataFrame:
        """The indices of one output, most influential parameter first (NaN last)."""
        if output not in self.outputs:
            raise KeyError(f"{output!r} was not analysed; analysed: {', '.join(self.outputs)}")
        frame = self.indices[self.indices["output"] == output]
        key = RANK_BY[self.method]
        return frame.sort_values(
            key, ascending=False, kind="stable", na_position="last"
        ).reset_index(drop=True)

    def summary(self, top: int = 10) -> str:
        """Per output, the ``top`` parameters ranked by ``ST`` (Sobol) or ``mu_star`` (Morris),
        with their intervals; a header names the scenario, method, N, replicates and seed."""
        level = f"{self.level:.0%}"
        samples = "base samples" if self.method == "sobol" else "trajectories"
        header = (
            f"Sensitivity of {self.scenario} ({self.method}): N = {self.n} {samples}, "
            f"{self.points} points x {self.spec.replicates} replicates, "
            f"seed {self.spec.seed}, {self.days} days, "
            f"{len(self.problem['names'])} parameters"
        )
        lines = [header, f"Values per point: means over replicates; intervals: {level} bootstrap."]
        for output in self.outputs:
            lines.append("")
            unit = _unit(output)
            lines.append(f"{output} ({unit}): {OUTCOMES[output].doc}")
            if output in self.notes:
                lines.append(f"  note: {self.notes[output]}")
            ranked = self.ranked(output).head(top)
            width = max((len(p) for p in ranked["parameter"]), default=9)
            for rank, row in enumerate(ranked.itertuples(index=False), start=1):
                lines.append(f"  {rank:>2}. {row.parameter:<{width}}  " + self._row_text(row))
        return "\n".join(lines)

    def _row_text(self, row) -> str:
        if self.method == "sobol":
            return (
                f"ST {_num(row.ST)} [{_num(row.ST_low)}, {_num(row.ST_high)}]   "
                f"S1 {_num(row.S1)} [{_num(row.S1_low)}, {_num(row.S1_high)}]"
            )
        return (
            f"mu* {_num(row.mu_star)} [{_num(row.mu_star_low)}, {_num(row.mu_star_high)}]"
            f"   sigma {_num(row.sigma)}"
        )

    def figure(self, path: str | Path | None = None):
        """One panel per output of the leading parameters' indices; see
        `negotiation_sim.figures.sensitivity_indices`."""
        from negotiation_sim import figures

        return figures.sensitivity_indices(self, path)

    def __repr__(self) -> str:
        return (
            f"Sensitivity({self.scenario!r}, method={self.method!r}, "
            f"outputs={list(self.outputs)}, points={self.points}, "
            f"replicates={self.spec.replicates}, seed={self.spec.seed})"
        )


def _num(value: float) -> str:
    return "nan" if value is None or not math.isfinite(value) else f"{value:.3f}"


def _unit(output: str) -> str:
    """What a per-point mean of ``output`` is measured in."""
    measure = OUTCOMES[output]
    if measure.kind == "share":
        return "share of replicates"
    return measure.unit or "count"


# --- the entry point ----------------------------------------------------------------------
def sensitivity(
    scenario: str | Path | Scenario,
    outputs: str | Sequence[str] = ("talks_reached", "launch_days", "crisis"),
    method: str = "sobol",
    n: int = 64,
    replicates: int = 10,
    seed: int = 0,
    *,
    space: Mapping | str | Sequence[str] | None = None,
    days: int | None = None,
    store: str | Path | None = None,
    resume: bool = False,
    backend: str | None = None,
    chunk: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    level: float = 0.95,
) -> Sensitivity:
    """Run a Sobol or Morris sweep of ``scenario`` and analyse ``outputs`` with SALib.

    Args:
        scenario: a shipped scenario's name, a scenario file's path or a `Scenario`.
        outputs: names of `OUTCOMES` (not ``seed``) to analyse.
        method: ``sobol`` (S1 and ST; ``n * (parameters + 2)`` points) or ``morris``
            (mu* and sigma; ``n * (parameters + 1)`` points).
        n: Sobol base samples (a power of 2 is best) or Morris trajectories.
        replicates, seed: replicates per point (common random numbers across points) and the
            seed of the design, the replicates and SALib's bootstrap.
        space: ranges ``{"low": .., "high": ..}`` of registry parameters, or a role or list of
            roles (``"behaviour"``: every continuous parameter of those roles over its range);
            default every continuous parameter over its registry range.
        days: days to run (default: the scenario's horizon).
        store, resume, backend, chunk, workers, scheduler, progress: as in
            `negotiation_sim.sweeps.sweep`.
        level: confidence level of the bootstrap intervals.

    Raises `ScenarioError` for an unknown method or output, or a bad space or option.
    """
    if method not in METHODS:
        raise ScenarioError(SOURCE, "method", method, "allowed: sobol or morris")
    outputs = _check_outputs(outputs)
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ScenarioError(SOURCE, "level", level, "allowed: a number strictly between 0 and 1")
    spec = SweepSpec(
        scenario, space, replicates, seed, design=method, points=n, days=days, source=SOURCE
    )
    analyzer = _analyzer(method)
    design = design_points(spec)
    results = run_sweep(
        spec,
        store=store,
        resume=resume,
        backend=backend,
        chunk=chunk,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        points=design,
    )
    days_run = spec.days
    per_point = point_means(results, design, outputs, days_run)
    problem = salib_problem(spec)
    X = design.to_numpy(dtype=np.float64)
    frames, notes = [], {}
    for output in outputs:
        Y = per_point[output].to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(Y)) or np.ptp(Y) == 0:
            value = Y[0] if Y.size else float("nan")
            notes[output] = (
                f"constant at {value:.4g} over all {Y.size} points: no variance "
                "to apportion, indices are NaN"
            )
            frames.append(_nan_indices(output, problem["names"], method))
            continue
        frames.append(analyzer(output, problem, X, Y, level, seed))
    indices = pd.concat(frames, ignore_index=True)
    return Sensitivity(
        method=method,
        outputs=outputs,
        spec=spec,
        problem=problem,
        results=results,
        per_point=per_point,
        indices=indices,
        days=days_run,
        level=float(level),
        notes=notes,
    )


def _check_outputs(outputs: str | Sequence[str]) -> tuple[str, ...]:
    names = (outputs,) if isinstance(outputs, str) else tuple(outputs)
    allowed = "allowed: outcome names " + ", ".join(n for n in OUTCOMES if n != "seed")
    if not names:
        raise ScenarioError(SOURCE, "outputs", list(names), allowed)
    for name in names:
        if not isinstance(name, str) or name not in OUTCOMES or name == "seed":
            raise ScenarioError(SOURCE, "outputs", name, "unknown output; " + allowed)
    if len(set(names)) != len(names):
        raise ScenarioError(SOURCE, "outputs", list(names), "allowed: each output once")
    return names


def point_means(
    results: SweepResult | pd.DataFrame, design: pd.DataFrame, outputs: Sequence[str], days: int
) -> pd.DataFrame:
    """Per design point (index ``point`` = 0..N-1, the design's order): the parameters and the
    mean of each output over the point's replicates; the NaN of a censored outcome (a time to an
    event that never came, `negotiation_sim.outcomes.Measure.censored`) counts as ``days``
    (the restricted mean). ``results``: a `SweepResult` or its ``outcomes``."""
    if isinstance(results, SweepResult):
        results = results.outcomes
    values = results[["point", *outputs]].copy()
    for name in outputs:
        column = values[name]
        if OUTCOMES[name].censored:
            column = column.astype(np.float64).fillna(float(days))
        values[name] = column.astype(np.float64)
    means = values.groupby("point")[list(outputs)].mean()
    missing = design.index.difference(means.index)
    if len(missing):
        raise ValueError(
            f"the sweep has no rows for {len(missing)} design point(s), e.g. "
            f"{missing[:5].tolist()}: the analysis needs every point"
        )
    per_point = pd.concat([design, means.reindex(design.index)], axis=1)
    per_point.index.name = "point"
    return per_point


# --- SALib --------------------------------------------------------------------------------
def _analyzer(method: str):
    try:
        import SALib  # noqa: F401
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "sensitivity analysis needs SALib: pip install 'negotiation-sim[sensitivity]'"
        ) from error
    return _sobol if method == "sobol" else _morris


def _sobol(
    output: str, problem: dict, X: np.ndarray, Y: np.ndarray, level: float, seed: int
) -> pd.DataFrame:
    from SALib.analyze import sobol

    si = sobol.analyze(problem, Y, calc_second_order=False, conf_level=level, seed=seed)
    frame = pd.DataFrame({"output": output, "parameter": problem["names"]})
    for key in ("S1", "ST"):
        estimate, conf = np.asarray(si[key], float), np.asarray(si[f"{key}_conf"], float)
        frame[key], frame[f"{key}_low"], frame[f"{key}_high"] = (
            estimate,
            estimate - conf,
            estimate + conf,
        )
    return frame


def _morris(
    output: str, problem: dict, X: np.ndarray, Y: np.ndarray, level: float, seed: int
) -> pd.DataFrame:
    from SALib.analyze import morris

    si = morris.analyze(problem, X, Y, conf_level=level, num_levels=MORRIS_LEVELS, seed=seed)
    estimate = np.asarray(si["mu_star"], float)
    conf = np.asarray(si["mu_star_conf"], float)
    return pd.DataFrame(
        {
            "output": output,
            "parameter": problem["names"],
            "mu_star": estimate,
            "mu_star_low": estimate - conf,
            "mu_star_high": estimate + conf,
            "sigma": np.asarray(si["sigma"], float),
        }
    )


def _nan_indices(output: str, names: Sequence[str], method: str) -> pd.DataFrame:
    frame = pd.DataFrame({"output": output, "parameter": list(names)})
    for column in COLUMNS[method]:
        frame[column] = np.nan
    return frame
