"""Quick start: the 2017 pressure campaign over many replicates.

Prints a summary of outcomes (shares with 95 % Wilson intervals; medians with the 10-90 % range
of replicates) next to the record of 2017, and writes a four-panel figure.

    python examples/quickstart.py [--replicates N] [--seed S] [--out out/quickstart.png]

The environment variable NEGOTIATION_SIM_EXAMPLE_REPLICATES overrides the default number of
replicates (the test suite uses it to run every example quickly).
"""

from __future__ import annotations

from _shared import arguments

import negotiation_sim as ns
from negotiation_sim.analysis import summarize
from negotiation_sim.figures import overview

#: The record of 2017 (CNS database and the public record; see data/records/SOURCE.md).
OBSERVED_2017 = {
    "launch_days": 15,
    "missiles": 21,
    "icbm_tests": 3,
    "nuclear_tests": 1,
    "un_resolutions": 4,
    "un_vetoes": 0,
    "talks_reached": 0,
}


def main() -> None:
    args = arguments(__doc__, "out/quickstart.png", replicates=5000, seed=2017)

    model = ns.run("pressure-2017", replicates=args.replicates, seed=args.seed)
    table = summarize(model.outcomes)
    table["observed 2017"] = table.index.map(OBSERVED_2017)
    print(f"{model.scenario.title}: {model.replicates} replicates, seed {args.seed}\n")
    with_observed = table[["unit", "estimate", "low", "high", "observed 2017", "interval"]]
    print(with_observed.to_string(float_format=lambda x: f"{x:.3g}", na_rep=""))
    print("\nOne replicate, told as a chronicle (first 12 events):")
    print("\n".join(model.chronicle(0).splitlines()[:14]))
    overview(model, args.out)
    print(f"\nFigure written to {args.out}")


if __name__ == "__main__":
    main()
