"""``python -m negotiation_sim`` and the ``negotiation-sim`` console script.

Only the standard library is imported before the command runs, so Ctrl-C while the model's
modules load is reported like any other interruption (exit status 130, one line), not as a
traceback from inside an import.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line and exit with its status."""
    try:
        from negotiation_sim.cli import main as command_line

        status = command_line()
    except KeyboardInterrupt:
        print("negotiation-sim: interrupted", file=sys.stderr)
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    main()
