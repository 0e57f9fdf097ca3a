"""Simulations per second of the calibration's simulator on each backend, measured in one run.

    python benchmarks/backends.py [--draws 8000] [--workers 2] [--repeats 2]

`negotiation_sim.inference.simulate_on` runs a batch of parameter draws (one replicate of both
historical years each) split into one chunk per worker. This times the same batch in this
process and on a pool of worker processes, alternately, each after a warm-up batch that starts
the pool, and prints each time and the ratio of the best serial time to the best pooled one
(the draws have their own seeds, so both give the same statistics; checked here too).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from negotiation_sim import inference
from negotiation_sim.backends import open_backend
from negotiation_sim.scenarios import load_scenario
from negotiation_sim.streams import replicate_seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    years = [load_scenario(name) for name in inference.HISTORICAL]
    stats = [inference.statistics(year) for year in years]
    seeds = replicate_seeds(3, args.draws)
    values = {"pyongyang.salvo": np.linspace(0.1, 0.8, args.draws)}
    best, made = {}, {}
    for _ in range(args.repeats):
        for name in ("serial", "processes"):
            with open_backend(name, args.workers) as backend:
                inference.simulate_on(backend, values, seeds[:200], years, stats)  # warm up
                started = time.perf_counter()
                made[name] = inference.simulate_on(backend, values, seeds, years, stats)
                seconds = time.perf_counter() - started
            best[name] = min(best.get(name, np.inf), seconds)
            print(f"{name:9s} {seconds:6.2f} s  {args.draws / seconds:8,.0f} simulations/s")
    assert np.array_equal(made["serial"], made["processes"])
    ratio = best["serial"] / best["processes"]
    print(f"serial / processes ({args.workers} workers), best of {args.repeats}: {ratio:.2f}")


if __name__ == "__main__":
    main()
