"""What the dashboard costs on the server: one day of play, and a new ensemble on Reset.

    python benchmarks/bench_dashboard.py [--days 120] [--ensemble 200] [--repeat 3]

A day of play is the traced replicate's step plus what its panels draw that day: the three
daily-series figures rendered to PNG, the events of the day and the chronicle's tail. Reset
builds a new `LiveModel`, runs its ensemble to the horizon and draws the fan chart. Times are
the best of ``--repeat``; the browser's own drawing is not included. Needs the viz extra.
"""

from __future__ import annotations

import argparse
import io
import time

from negotiation_sim.app import SERIES_PANELS, LiveModel, series_figure
from negotiation_sim.figures import fan_chart


def _png(figure) -> int:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.tell()


def day_of_play(days: int) -> float:
    """Mean seconds per played day over ``days`` days, drawing every day."""
    model = LiveModel("pressure-2017", seed=1)
    start = time.perf_counter()
    for _ in range(days):
        model.step()
        for title, names in SERIES_PANELS.items():
            _png(series_figure(model.simulation, title, names))
        model.latest_events()
    return (time.perf_counter() - start) / days


def reset(ensemble: int) -> tuple[float, float]:
    """Seconds to run a new ensemble, and to draw its fan chart."""
    model = LiveModel("pressure-2017", seed=1, ensemble=ensemble)
    start = time.perf_counter()
    runs = model.ensemble()
    ran = time.perf_counter()
    _png(fan_chart(runs, "tension"))
    return ran - start, time.perf_counter() - ran


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--ensemble", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    play = min(day_of_play(args.days) for _ in range(args.repeat))
    runs, draw = min(reset(args.ensemble) for _ in range(args.repeat))
    print(
        f"one day of play (step + 3 series figures + events): {play * 1000:.0f} ms "
        f"({1 / play:.1f} days/s at most with a render interval of 1)"
    )
    print(
        f"reset: ensemble of {args.ensemble} replicates x 365 days {runs * 1000:.0f} ms, "
        f"fan chart {draw * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
