"""Bytes per replicate row of a sweep's results held in memory, over every parameter.

    python benchmarks/sweep_memory.py [--points 100] [--replicates 10] [--days 30]

A sweep of "pressure-2017" over the default space (every continuous parameter of the registry,
each over its registry range) with an lhs design (a grid of it would have 5^94 points), run on
the serial backend. Reported, as ``DataFrame.memory_usage(deep=True).sum() / rows``:

* the one-row-per-replicate table with every parameter in every row: what ``ns.sweep``
  returned up to format 1 of the store, and what `SweepResult.frame` builds on demand;
* the `SweepResult` kept now: its per-point table (each point's parameters once) and its
  per-replicate table (``point``, ``seed``, outcomes), both counted, over the same rows.

The parameters' share shrinks with the replicates per point: each point's 94 values are
counted once for all its replicates. Days do not matter (outcomes are one row per replicate
whatever the days); they only make the run longer.

Run it against an older checkout (``PYTHONPATH=old/src``) and it measures the frame that
version returns.
"""

from __future__ import annotations

import argparse
import platform

import pandas as pd

import negotiation_sim as ns

SCENARIO = "pressure-2017"


def per_row(frame: pd.DataFrame) -> float:
    return float(frame.memory_usage(deep=True).sum()) / len(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, pandas {pd.__version__}, "
        f"negotiation_sim {ns.__version__}"
    )
    result = ns.sweep(
        SCENARIO,
        None,  # every continuous parameter over its registry range
        replicates=args.replicates,
        seed=args.seed,
        design="lhs",
        points=args.points,
        days=args.days,
        backend="serial",
    )
    if isinstance(result, pd.DataFrame):  # an older version: the wide frame is the result
        parameters = [c for c in result.columns if "." in c]
        print(
            f"{SCENARIO}: {args.points} lhs points over {len(parameters)} parameters x "
            f"{args.replicates} replicates = {len(result):,} rows"
        )
        print(f"returned DataFrame: {per_row(result):,.1f} bytes per replicate row")
        return
    rows = len(result)
    wide = result.frame()
    print(
        f"{SCENARIO}: {args.points} lhs points over {len(result.parameters)} parameters x "
        f"{args.replicates} replicates = {rows:,} rows"
    )
    print(
        f"one row per replicate with every parameter (SweepResult.frame(), the former result): "
        f"{per_row(wide):,.1f} bytes per replicate row"
    )
    points_bytes = float(result.points.memory_usage(deep=True).sum())
    outcome_bytes = float(result.outcomes.memory_usage(deep=True).sum())
    print(
        f"SweepResult (points once + outcomes per replicate): "
        f"{result.memory_usage() / rows:,.1f} bytes per replicate row "
        f"(points {points_bytes / rows:,.1f} + outcomes {outcome_bytes / rows:,.1f})"
    )
    print(f"ratio: {per_row(wide) * rows / result.memory_usage():.2f}x smaller")


if __name__ == "__main__":
    main()
