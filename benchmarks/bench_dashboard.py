"""What the dashboard costs on the server: one day of play, and a new ensemble on Reset.

    python benchmarks/bench_dashboard.py [--days 120] [--ensemble 200] [--repeat 3]

A day of play is the traced replicate's step plus what its panels draw that day: the three
daily-series figures rendered to PNG, the events of the day and the chronicle's tail. Reset
builds a new `LiveModel`, runs its ensemble to the horizon and draws the fan chart as the page
does. The exports are the page's downloads after the days of play. Times are the best of
``--repeat``; the browser's own drawing is not included. Needs the viz extra.
"""

from __future__ import annotations

import argparse
import io
import time

from negotiation_sim.app import (
    SERIES_PANELS,
    LiveModel,
    chronicle_text,
    daily_csv,
    ensemble_figure,
    panels_png,
    series_figure,
)


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
    model.ensemble()
    ran = time.perf_counter()
    _png(ensemble_figure(model, "tension"))
    return ran - start, time.perf_counter() - ran


def exports(days: int) -> tuple[float, float, float]:
    """Seconds to make each download after ``days`` days: CSV, chronicle, panels' PNG."""
    model = LiveModel("pressure-2017", seed=1)
    for _ in range(days):
        model.step()
    model.ensemble()  # run already when the page shows its fan chart
    times = []
    for export in (daily_csv, chronicle_text, panels_png):
        start = time.perf_counter()
        export(model)
        times.append(time.perf_counter() - start)
    return tuple(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--ensemble", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    play = min(day_of_play(args.days) for _ in range(args.repeat))
    runs, draw = min(reset(args.ensemble) for _ in range(args.repeat))
    csv, text, png = (min(t) for t in zip(*(exports(args.days) for _ in range(args.repeat))))
    print(
        f"one day of play (step + 3 series figures + events): {play * 1000:.0f} ms "
        f"({1 / play:.1f} days/s at most with a render interval of 1)"
    )
    print(
        f"reset: ensemble of {args.ensemble} replicates x 365 days {runs * 1000:.0f} ms, "
        f"fan chart {draw * 1000:.0f} ms"
    )
    print(
        f"exports after {args.days} days: CSV {csv * 1000:.0f} ms, chronicle "
        f"{text * 1000:.0f} ms, panels PNG {png * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
