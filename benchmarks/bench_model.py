"""Speed of the batched model: replicate-days per second, and one replicate-year.

    python benchmarks/bench_model.py [--replicates 10000] [--days 365] [--repeat 5]

Times are the best of ``--repeat`` runs (this machine's timings vary from run to run), on one
core. Peak memory is the resident high-water mark of this process (one 10,000-replicate model
with every daily series and event recorded is the largest thing it holds).
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import time

import negotiation_sim as ns


def best_time(repeat: int, **kwargs) -> float:
    times = []
    for i in range(repeat):
        model = ns.NegotiationModel("pressure-2017", seed=i, **kwargs)
        start = time.perf_counter()
        model.run()
        times.append(time.perf_counter() - start)
        del model
        gc.collect()  # actors and model refer to each other: free each run before the next
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, negotiation_sim {ns.__version__}, "
        f"{platform.machine()}"
    )
    days = ns.load_scenario("pressure-2017").horizon_days
    for label, options in (
        ("everything recorded", {}),
        ("outcomes only", {"record_daily": False, "record_events": False}),
    ):
        seconds = best_time(args.repeat, replicates=args.replicates, **options)
        rate = args.replicates * days / seconds
        print(
            f"{args.replicates} replicates x {days} days, {label}: {seconds:.2f} s, "
            f"{rate:,.0f} replicate-days/s"
        )
    single = best_time(max(args.repeat, 15), replicates=1)
    print(f"one replicate x {days} days (everything recorded): {single * 1000:.0f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
