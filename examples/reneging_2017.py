"""Reneging (M2): would honouring the 60-day pause have brought talks in 2017?

Pyongyang "complained that Washington reneged on a pledge made earlier this fall to to
restart talks with Pyongyang if it halted all nuclear and missile tests for sixty days ...
Instead of talks, North Korea says, it got slapped with a fresh round of U.S. sanctions"
(seed 003). The counterfactual `moratorium-honored-2017` holds every sanctions round while
Pyongyang pauses; everything else is the 2017 campaign, on the same replicate seeds.

    python examples/reneging_2017.py [--replicates N] [--seed S] [--out out/reneging_2017.png]
"""

from __future__ import annotations

from _shared import arguments

import negotiation_sim as ns
from negotiation_sim.figures import distributions

OUTCOMES = (
    "talks_reached",
    "reneged",
    "days_to_talks",
    "launch_days",
    "icbm_tests",
    "longest_pause",
    "final_trust",
)


def main() -> None:
    args = arguments(__doc__, "out/reneging_2017.png")
    comparison = ns.compare(
        "pressure-2017", "moratorium-honored-2017", replicates=args.replicates, seed=args.seed
    )
    print(comparison.summary(OUTCOMES))
    distributions(
        comparison,
        ("talks_reached", "reneged", "launch_days", "icbm_tests", "longest_pause", "final_trust"),
        args.out,
    )
    print(f"\nFigure written to {args.out}")


if __name__ == "__main__":
    main()
