"""Recovery of known behaviour on synthetic records: the coverage of 90 % credible intervals.

    python benchmarks/recovery.py [--repetitions 20] [--rounds 6] [--pilot 10000] [--seed 0]

Each repetition takes "true" behaviour parameters (a draw of the packaged posterior, so the
truth is a behaviour the record allows), simulates one synthetic record of both years from
them with its own seed, calibrates on that record with `negotiation_sim.inference.abc` (every
calibrated parameter free), and asks whether each true value lies inside its 90 % credible
interval. Over many repetitions a calibrated method covers the truth about 90 % of the time
per parameter; much less means overconfident posteriors, much more wide ones. Prints one line
per repetition, then the coverage per parameter and overall, with a 95 % Wilson interval, and
the time and simulations per second.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from negotiation_sim import inference
from negotiation_sim.analysis import wilson_interval
from negotiation_sim.posterior import load_posterior


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--pilot", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    truths = load_posterior()
    rng = np.random.default_rng(args.seed)
    rows = rng.choice(len(truths), size=args.repetitions, replace=False)
    inside = {name: [] for name in truths.names}
    simulations, started = 0, time.perf_counter()
    for repetition, row in enumerate(rows):
        truth = truths.rows([row])
        record = inference.simulate(truth, rng.integers(0, 2**62, size=1))[0]
        post = inference.abc(
            target=record,
            draws=args.draws,
            rounds=args.rounds,
            pilot=args.pilot,
            batch_size=args.batch_size,
            seed=args.seed * 1000 + repetition,
        )
        simulations += int(post.provenance["simulations"])
        table = post.interval(0.9)
        hits = []
        for name in truths.names:
            value = float(truth[name][0])
            hit = bool(table.loc[name, "low"] <= value <= table.loc[name, "high"])
            inside[name].append(hit)
            hits.append("+" if hit else "-")
        print(f"repetition {repetition:2d} (posterior draw {row}): {''.join(hits)}", flush=True)
    seconds = time.perf_counter() - started
    print(f"\ncoverage of 90 % credible intervals over {args.repetitions} repetitions:")
    for name, hits in inside.items():
        low, high = wilson_interval(sum(hits), len(hits))
        print(f"  {name:34s} {np.mean(hits):6.1%}  [{low:.0%}, {high:.0%}]")
    every = [hit for hits in inside.values() for hit in hits]
    low, high = wilson_interval(sum(every), len(every))
    print(f"  {'all parameters':34s} {np.mean(every):6.1%}  [{low:.0%}, {high:.0%}]")
    print(
        f"{simulations:,} simulations of both years in {seconds:.0f} s "
        f"({simulations / seconds:,.0f} per second)"
    )


if __name__ == "__main__":
    main()
