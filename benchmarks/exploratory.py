"""EMA Workbench: the batched evaluator against EMA's sequential one, measured in one run.

    python benchmarks/exploratory.py [--scenarios 100] [--policies 10] [--replicates 20]
                                     [--workers 2]

The same seeded design (scenarios x policies experiments of `replicates` replicates each, the
posterior's behaviour parameters as uncertainties and every policy parameter as a lever, on
no-preconditions-2022) through `ema_workbench.SequentialEvaluator` (one model call per
experiment) and `negotiation_sim.exploratory.BatchedEvaluator` (the whole design as batched
models in chunks, on one process and on a pool of worker processes). Prints each time, the
ratios, and checks the outcomes are the same.
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np
from ema_workbench import SequentialEvaluator

from negotiation_sim import exploratory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=100)
    parser.add_argument("--policies", type=int, default=10)
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # EMA logs every experiment at INFO
    model = exploratory.ema_model("no-preconditions-2022", replicates=args.replicates, seed=1)
    design = {
        "scenarios": args.scenarios,
        "policies": args.policies,
        "uncertainty_sampling_kwargs": {"rng": 1},
        "lever_sampling_kwargs": {"rng": 2},
    }
    size = args.scenarios * args.policies
    timings, results = {}, {}
    evaluators = {
        "batched, serial": lambda: exploratory.BatchedEvaluator(model, backend="serial"),
        f"batched, {args.workers} processes": lambda: exploratory.BatchedEvaluator(
            model, backend="processes", workers=args.workers
        ),
        "EMA sequential": lambda: SequentialEvaluator(model),
    }
    for label, make in evaluators.items():
        started = time.perf_counter()
        with make() as evaluator:
            results[label] = evaluator.perform_experiments(**design)[1]
        timings[label] = time.perf_counter() - started
        print(f"{label:24s} {size} experiments x {args.replicates}: {timings[label]:8.2f} s")
    same = all(
        np.array_equal(results["EMA sequential"][k], other[k])
        for other in results.values()
        for k in other
    )
    sequential = timings["EMA sequential"]
    for label, seconds in timings.items():
        if label != "EMA sequential":
            print(f"EMA sequential / {label}: {sequential / seconds:.0f}x")
    print(f"same outcomes on every evaluator: {same}")


if __name__ == "__main__":
    main()
