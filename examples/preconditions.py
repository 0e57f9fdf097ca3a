"""Preconditions (M1): do talks come sooner without them? 2022, three offers compared.

Washington's 2022 offer stood "without any preconditions" (seed 000); in 2017 Tillerson asked
for a pause in tests first, and Pyongyang's red line was talks aimed at giving up its weapons
(seed 003). Each stricter precondition is compared with none on the same replicate seeds
(common random numbers), with 95 % intervals of the difference and Kaplan-Meier curves of the
time to talks.

    python examples/preconditions.py [--replicates N] [--seed S] [--out out/preconditions.png]
"""

from __future__ import annotations

from _shared import arguments

import negotiation_sim as ns
from negotiation_sim.figures import kaplan_meier

#: The offers compared, as values of `washington.precondition`.
PRECONDITIONS = {
    "no preconditions": "none",
    "60-day test pause": "test_pause",
    "denuclearization first": "denuclearization",
}


def main() -> None:
    args = arguments(__doc__, "out/preconditions.png")
    base = ns.load_scenario("no-preconditions-2022").with_params({"washington.pause_days": 60})
    (none_label, none), *stricter = PRECONDITIONS.items()
    comparisons = [
        ns.compare(
            base,
            base,
            replicates=args.replicates,
            seed=args.seed,
            params_a={"washington.precondition": none},
            params_b={"washington.precondition": value},
            labels=(none_label, label),
        )
        for label, value in stricter
    ]
    for comparison in comparisons:
        print(
            comparison.summary(
                ["talks_reached", "days_to_talks", "talks_days", "launch_days", "final_trust"]
            )
        )
        print()
    kaplan_meier(comparisons, args.out)
    print(f"Figure written to {args.out}")


if __name__ == "__main__":
    main()
