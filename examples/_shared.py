"""What every example shares: its command line (replicates, seed, where the figure goes).

The environment variable NEGOTIATION_SIM_EXAMPLE_REPLICATES overrides the default number of
replicates (the test suite uses it to run every example quickly).
"""

from __future__ import annotations

import argparse
import os


def arguments(doc: str, out: str, replicates: int = 4000, seed: int = 2024) -> argparse.Namespace:
    """Parse ``--replicates``, ``--seed`` and ``--out`` for an example whose docstring is
    ``doc`` and whose figure goes to ``out`` by default."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    default = int(os.environ.get("NEGOTIATION_SIM_EXAMPLE_REPLICATES", replicates))
    parser.add_argument(
        "--replicates",
        type=int,
        default=default,
        help=f"replicates per setting (default {default})",
    )
    parser.add_argument("--seed", type=int, default=seed, help="the model seed")
    parser.add_argument("--out", default=out, help=f"where to write the figure (default {out})")
    return parser.parse_args()
