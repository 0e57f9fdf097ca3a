"""The same sweep through `mesa.batch_run` (one model per replicate) and through `ns.sweep`.

    python benchmarks/sweep_vs_batch_run.py [--points 200] [--replicates 10] [--days 365]
                                            [--processes 1] [--batch-sample K] [--quick]

Both paths run the same Latin-hypercube points (three continuous parameters of
"pressure-2017": ``pyongyang.test_propensity``, ``washington.pressure``, ``pyongyang.salvo``)
with the same replicate seeds, so every (point, seed) is the same replicate in both and their
outcomes are compared one by one:

* ``mesa.batch_run``: ``parameters={"params": [one dict per point], "seeds": [[s] for each
  replicate seed], ...}``; mesa forms the product, so it builds points x replicates models of
  one replicate each and steps each to ``--days`` (``number_processes=--processes``). Daily
  series and the event log are off, as in a sweep; the model's DataCollector still runs.
* ``ns.sweep``: the design's points in batched chunks, ``backend="serial"`` (one core) and
  the default ``processes`` backend (every core), both with the default chunk size; and
  ``backend="serial"`` with ``chunk=--points`` (every replicate in one batched model).

Aim: ``ns.sweep`` at least 200x faster than ``mesa.batch_run`` for 200 points x 10 replicates
x 365 days. ``--batch-sample K`` times only the first K points through batch_run and
extrapolates linearly (the full measurement is the default; the output says which was done).
The sweeps run first: mesa's batch_run switches multiprocessing to "spawn" for the rest of the
process. Times are wall-clock (`time.perf_counter`) of one run each, and depend on whatever
else the machine is doing; CPU seconds (this process and its finished worker processes) are
printed beside them.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import mesa
import numpy as np
import pandas as pd

import negotiation_sim as ns
from negotiation_sim.streams import replicate_seeds
from negotiation_sim.sweeps import SweepSpec, design_points, run_sweep

SCENARIO = "pressure-2017"
SPACE = {
    "pyongyang.test_propensity": {"low": 0.01, "high": 0.2},
    "washington.pressure": {"low": 0.0, "high": 1.0},
    "pyongyang.salvo": {"low": 0.0, "high": 0.9},
}
COMPARED = ("launch_days", "un_resolutions")  # outcomes batch_run reports via the DataCollector


def cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children (worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def time_sweep(
    spec: SweepSpec, backend: str, chunk: int | None
) -> tuple[float, float, pd.DataFrame]:
    cpu, start = cpu_seconds(), time.perf_counter()
    result = run_sweep(spec, backend=backend, chunk=chunk)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return seconds, cpu, result.frame()  # one row per replicate, with its parameters


def time_batch_run(
    points: pd.DataFrame, seeds: np.ndarray, days: int, processes: int
) -> tuple[float, float, list[dict]]:
    params = [{name: float(value) for name, value in row.items()} for _, row in points.iterrows()]
    parameters = {
        "scenario": SCENARIO,
        "params": params,
        "seeds": [[int(s)] for s in seeds],
        "record_daily": False,
        "record_events": False,
    }
    cpu, start = cpu_seconds(), time.perf_counter()
    rows = mesa.batch_run(
        ns.NegotiationModel,
        parameters=parameters,
        rng=[0],
        max_steps=days,
        number_processes=processes,
        data_collection_period=-1,
        display_progress=False,
    )
    return time.perf_counter() - start, cpu_seconds() - cpu, rows


def compare(rows: list[dict], frame: pd.DataFrame, names: list[str]) -> str:
    """Whether every batch_run row equals the sweep's replicate of the same point and seed."""
    expected = {(tuple(float(v) for v in r[names]), int(r["seed"])): r for _, r in frame.iterrows()}
    mismatched = 0
    for row in rows:
        want = expected[(tuple(row["params"][n] for n in names), int(row["seeds"][0]))]
        mismatched += any(float(row[c]) != float(want[c]) for c in COMPARED)
    if mismatched:
        return f"{mismatched} of {len(rows)} replicates DIFFER"
    return f"all {len(rows)} replicates identical ({', '.join(COMPARED)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--processes", type=int, default=1, help="mesa.batch_run's number_processes (default 1)"
    )
    parser.add_argument(
        "--batch-sample",
        type=int,
        default=None,
        metavar="K",
        help="run only the first K points through batch_run and extrapolate",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20 points")
    args = parser.parse_args()
    if args.quick:
        args.points = 20
    print(
        f"python {platform.python_version()}, negotiation_sim {ns.__version__}, "
        f"mesa {mesa.__version__}, {platform.machine()}, {os.cpu_count()} cores"
    )

    spec = SweepSpec(
        SCENARIO,
        SPACE,
        replicates=args.replicates,
        seed=args.seed,
        design="lhs",
        points=args.points,
        days=args.days,
    )
    points = design_points(spec)
    names = list(points.columns)
    seeds = replicate_seeds(args.seed, args.replicates)
    total = args.points * args.replicates
    rep_days = total * args.days
    print(
        f"{SCENARIO}: {args.points} lhs points over {', '.join(names)} x "
        f"{args.replicates} replicates x {args.days} days = {total} replicates, "
        f"{rep_days:,} replicate-days"
    )

    # Warm up (imports, scenario parsing) so neither path pays for them.
    ns.NegotiationModel(SCENARIO, record_daily=False, record_events=False).run(2)

    results = {}
    for backend, chunk in (("serial", None), ("processes", None), ("serial", args.points)):
        seconds, cpu, frame = time_sweep(spec, backend, chunk)
        workers = 1 if backend == "serial" else os.cpu_count()
        label = f"backend={backend} ({workers} worker(s), " + (
            "default chunks)" if chunk is None else f"one chunk of {chunk} points)"
        )
        results[label] = seconds
        print(
            f"ns.sweep {label}: {seconds:.2f} s (cpu {cpu:.2f} s), "
            f"{rep_days / seconds:,.0f} replicate-days/s"
        )

    sample = min(args.batch_sample or args.points, args.points)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        measured, cpu, rows = time_batch_run(points.iloc[:sample], seeds, args.days, args.processes)
    batch_seconds = measured * args.points / sample
    batch_cpu = cpu * args.points / sample
    if sample < args.points:
        how = (
            f"EXTRAPOLATED from {sample} of {args.points} points "
            f"({sample * args.replicates} models) in {measured:.2f} s, cpu {cpu:.2f} s"
        )
    else:
        how = "measured in full"
    print(
        f"mesa.batch_run ({total} models of one replicate, number_processes="
        f"{args.processes}): {batch_seconds:.2f} s (cpu {batch_cpu:.2f} s), "
        f"{rep_days / batch_seconds:,.0f} replicate-days/s [{how}]"
    )
    print(f"check: {compare(rows, frame, names)}")
    for label, seconds in results.items():
        print(f"ratio batch_run / ns.sweep {label}: {batch_seconds / seconds:,.0f}x (aim: >= 200x)")


if __name__ == "__main__":
    main()
