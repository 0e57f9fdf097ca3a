"""The UN channel (M10, M15): what was Pyongyang's open line to the United Nations worth?

In 2017 Pyongyang refused Washington "though Pyongyang is open to continuing discussions with
the United Nations", and Feltman urged channels to "prevent miscalculations" that could lead to
war (seed 003). The counterfactual `un-channel-closed-2017` shuts that line; the brief expects
later contact and talks and a higher risk of a militarized crisis. Compared with 2017 as it
was, on the same replicate seeds.

    python examples/un_channel.py [--replicates N] [--seed S] [--out out/un_channel.png]
"""

from __future__ import annotations

from _shared import arguments

import negotiation_sim as ns
from negotiation_sim.figures import distributions

OUTCOMES = (
    "days_to_contact",
    "talks_reached",
    "days_to_talks",
    "crisis",
    "max_tension",
    "launch_days",
)


def main() -> None:
    args = arguments(__doc__, "out/un_channel.png")
    comparison = ns.compare(
        "pressure-2017", "un-channel-closed-2017", replicates=args.replicates, seed=args.seed
    )
    print(comparison.summary(OUTCOMES))
    distributions(
        comparison, ("days_to_contact", "crisis", "max_tension", "talks_reached"), args.out
    )
    print(f"\nFigure written to {args.out}")


if __name__ == "__main__":
    main()
