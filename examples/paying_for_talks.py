"""Paying for talks (M7): does buying a seat at the table bring talks, and at what price?

"Are we willing to essentially pay them to come to the table? ... Anytime you need to pay
someone to come to the table, you can be pretty sure that they're not going to stay there"
(senior US official, seed 000). The counterfactual `pay-to-talk-2022` offers inducements that
every launch day raises; the brief expects more tests before talks, earlier talks, and shorter
talks. Compared with 2022 as it was, on the same replicate seeds.

    python examples/paying_for_talks.py [--replicates N] [--seed S] [--out out/paying.png]
"""

from __future__ import annotations

from _shared import arguments

import negotiation_sim as ns
from negotiation_sim.figures import distributions

OUTCOMES = (
    "talks_reached",
    "days_to_talks",
    "launch_days_before_talks",
    "talks_days",
    "talks_collapsed",
    "launch_days",
    "missiles",
)


def main() -> None:
    args = arguments(__doc__, "out/paying_for_talks.png")
    comparison = ns.compare(
        "no-preconditions-2022", "pay-to-talk-2022", replicates=args.replicates, seed=args.seed
    )
    print(comparison.summary(OUTCOMES))
    distributions(
        comparison,
        (
            "talks_reached",
            "launch_days_before_talks",
            "talks_days",
            "talks_collapsed",
            "launch_days",
            "days_to_talks",
        ),
        args.out,
    )
    print(f"\nFigure written to {args.out}")


if __name__ == "__main__":
    main()
