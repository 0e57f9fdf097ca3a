"""A Sobol sensitivity analysis of "pressure-2017", end to end: design, runs, SALib analysis.

    python benchmarks/sobol.py [--n 1024] [--replicates 10] [--days 365]
                               [--backend processes] [--workers W]
                               [--skip-dask-scaling] [--dask-n N] [--progress]

N base samples over every continuous parameter of the registry (``space=None``; Saltelli's
scheme without second-order terms: N x (parameters + 2) points), ``--replicates`` per point,
``--days`` days, analysing the per-point means of talks_reached, launch_days and crisis.
It calls `negotiation_sim.sensitivity_analysis.sensitivity` when that is importable, otherwise
`run_sweep(SweepSpec(..., design="sobol"))` and `SALib.analyze.sobol.analyze` directly.

Reported: total time; time per phase (design = `design_points` calls, runs = `run_sweep`
without its design, analysis = the rest: point means and SALib), measured by wrapping those
two functions; points and replicate-days per second; peak resident memory of this process and
of the largest worker process (``ru_maxrss`` of RUSAGE_SELF and RUSAGE_CHILDREN); and the
scaling of the ``dask`` backend (a LocalCluster) from 1 to 2 workers, running the same
analysis twice (at ``--dask-n`` base samples, default ``--n``; ``--skip-dask-scaling`` skips
it). Times are wall-clock of one run each and depend on what else the machine is doing; CPU
seconds (this process and its workers) are printed beside them.

Aim: under 2 minutes end to end for N = 1024 (98,304 points x 10 replicates x 365 days on
this registry's 94 continuous parameters) with the default backend.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import resource
import time
from contextlib import contextmanager

import numpy as np

import negotiation_sim as ns

# The modules themselves (the package may export functions of the same names).
sweep_module = importlib.import_module("negotiation_sim.sweeps")

SCENARIO = "pressure-2017"
OUTPUTS = ("talks_reached", "launch_days", "crisis")

try:
    sensitivity_module = importlib.import_module("negotiation_sim.sensitivity_analysis")
except ImportError:  # not written yet: the script does its own analysis
    sensitivity_module = None


class Phases:
    """Wall-clock spent in `design_points` and `run_sweep`, by wrapping both wherever they
    are looked up (the sweep module, and the sensitivity module's own imports)."""

    def __init__(self) -> None:
        self.design = 0.0
        self.design_calls = 0
        self.sweep = 0.0
        self.design_in_sweep = 0.0
        self._in_sweep = False

    @contextmanager
    def wrapped(self):
        modules = [m for m in (sweep_module, sensitivity_module) if m is not None]
        originals = {
            "design_points": sweep_module.design_points,
            "run_sweep": sweep_module.run_sweep,
        }
        timed = {
            "design_points": self._timed_design(originals["design_points"]),
            "run_sweep": self._timed_sweep(originals["run_sweep"]),
        }
        patched = []
        for module in modules:
            for name, original in originals.items():
                if getattr(module, name, None) is original:
                    setattr(module, name, timed[name])
                    patched.append((module, name, original))
        try:
            yield self
        finally:
            for module, name, original in patched:
                setattr(module, name, original)

    def _timed_design(self, function):
        def design_points(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds = time.perf_counter() - start
                self.design += seconds
                self.design_calls += 1
                if self._in_sweep:
                    self.design_in_sweep += seconds

        return design_points

    def _timed_sweep(self, function):
        def run_sweep(*args, **kwargs):
            start = time.perf_counter()
            self._in_sweep = True
            try:
                return function(*args, **kwargs)
            finally:
                self._in_sweep = False
                self.sweep += time.perf_counter() - start

        return run_sweep

    @property
    def runs(self) -> float:
        return self.sweep - self.design_in_sweep


def cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children (worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def analyse(
    n: int,
    replicates: int,
    days: int | None,
    seed: int,
    backend: str | None,
    workers: int | None,
    progress: bool,
):
    """Run the analysis; return (what ran, result summary lines, points)."""
    if sensitivity_module is not None:
        result = sensitivity_module.sensitivity(
            SCENARIO,
            outputs=OUTPUTS,
            method="sobol",
            n=n,
            replicates=replicates,
            seed=seed,
            days=days,
            backend=backend,
            workers=workers,
            progress=progress,
        )
        summary = []
        for output in OUTPUTS:
            top = result.ranked(output).head(3)
            summary.append(
                f"  {output}: "
                + ", ".join(f"{row.parameter} ST {row.ST:.3f}" for row in top.itertuples())
            )
        return "negotiation_sim.sensitivity_analysis.sensitivity()", summary, result.points
    return _analyse_directly(n, replicates, days, seed, backend, workers, progress)


def _analyse_directly(n, replicates, days, seed, backend, workers, progress):
    from SALib.analyze import sobol

    spec = sweep_module.SweepSpec(
        SCENARIO, None, replicates=replicates, seed=seed, design="sobol", points=n, days=days
    )
    result = sweep_module.run_sweep(spec, backend=backend, workers=workers, progress=progress)
    problem = sweep_module.salib_problem(spec)
    means = result.outcomes.groupby("point")[list(OUTPUTS)].mean().sort_index()
    summary = []
    for output in OUTPUTS:
        y = means[output].to_numpy(dtype=np.float64)
        if np.ptp(y) == 0:
            summary.append(f"  {output}: constant over the design, no indices")
            continue
        si = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        order = np.argsort(-np.nan_to_num(si["ST"], nan=-np.inf))[:3]
        summary.append(
            f"  {output}: "
            + ", ".join(f"{problem['names'][i]} ST {si['ST'][i]:.3f}" for i in order)
        )
    return (
        "run_sweep + SALib.analyze.sobol.analyze (sensitivity() not importable)",
        summary,
        len(means),
    )


def timed_analysis(label: str, horizon: int, **kwargs) -> tuple[float, float, list[str]]:
    """Run one analysis and print its figures; return total and run seconds, and a summary."""
    phases = Phases()
    cpu = cpu_seconds()
    start = time.perf_counter()
    with phases.wrapped():
        how, summary, points = analyse(**kwargs)
    total = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    rep_days = points * kwargs["replicates"] * horizon
    print(
        f"{label}: N = {kwargs['n']}, {points:,} points x {kwargs['replicates']} replicates "
        f"x {horizon} days = {rep_days:,} replicate-days, via {how}"
    )
    print(
        f"  total {total:.1f} s (cpu {cpu:.1f} s, this process and its workers): "
        f"{points / total:,.0f} points/s, {rep_days / total:,.0f} replicate-days/s"
    )
    analysis = total - phases.sweep - (phases.design - phases.design_in_sweep)
    print(
        f"  design {phases.design:.1f} s ({phases.design_calls} design_points call(s)), "
        f"runs {phases.runs:.1f} s ({rep_days / phases.runs:,.0f} replicate-days/s), "
        f"analysis {analysis:.1f} s"
    )
    return total, phases.runs, summary


def peak_memory() -> str:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return (
        f"peak resident memory: this process {own:,.0f} MiB, largest worker process "
        f"{children:,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1024, help="Sobol base samples (default 1024)")
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument(
        "--days", type=int, default=None, help="days to run (default: the scenario's horizon, 365)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--backend",
        choices=sweep_module.BACKENDS,
        default=None,
        help="default: processes on a multi-core machine",
    )
    parser.add_argument("--workers", type=int, default=None, help="default: every core")
    parser.add_argument("--skip-dask-scaling", action="store_true")
    parser.add_argument(
        "--dask-n",
        type=int,
        default=None,
        help="base samples of the Dask scaling runs (default: --n)",
    )
    parser.add_argument("--progress", action="store_true", help="show progress bars")
    args = parser.parse_args()
    days = args.days or ns.load_scenario(SCENARIO).horizon_days
    parameters = len(ns.parameters.continuous())
    print(
        f"python {platform.python_version()}, negotiation_sim {ns.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores; {SCENARIO}, {parameters} continuous "
        f"parameters, outputs {', '.join(OUTPUTS)}"
    )
    common = {
        "replicates": args.replicates,
        "days": args.days,
        "seed": args.seed,
        "progress": args.progress,
    }

    backend = args.backend or ("processes" if (os.cpu_count() or 1) > 1 else "serial")
    workers = args.workers or os.cpu_count() or 1
    _, _, summary = timed_analysis(
        f"backend={backend}, workers={workers}",
        days,
        n=args.n,
        backend=args.backend,
        workers=args.workers,
        **common,
    )
    print("  largest total-order indices:")
    print("\n".join(summary))
    print(f"  (aim: under 120 s for N = 1024; {peak_memory()})")

    if args.skip_dask_scaling:
        return
    dask_n = args.dask_n or args.n
    times = {}
    for dask_workers in (1, 2):
        times[dask_workers] = timed_analysis(
            f"backend=dask, workers={dask_workers}",
            days,
            n=dask_n,
            backend="dask",
            workers=dask_workers,
            **common,
        )[:2]
    (one, one_runs), (two, two_runs) = times[1], times[2]
    print(
        f"dask scaling 1 -> 2 workers: total {one:.1f} s -> {two:.1f} s "
        f"(speed-up {one / two:.2f}x), runs {one_runs:.1f} s -> {two_runs:.1f} s "
        f"(speed-up {one_runs / two_runs:.2f}x)"
    )
    print(peak_memory())


if __name__ == "__main__":
    main()
