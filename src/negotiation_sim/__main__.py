"""``python -m negotiation_sim`` and the ``negotiation-sim`` console script.

Only the standard library is imported before the command's modules load, and Ctrl-C is held
back while they load: an import interrupted midway can surface as an unrelated ImportError
(numpy turns it into one), so the interruption is let in once the imports are done and is
reported like any other (exit status 130, one line). Python's own start-up, the few
milliseconds before this module runs, is outside the package's reach.
"""

from __future__ import annotations

import signal
import sys


def main() -> None:
    """Run the command line and exit with its status."""
    holds = hasattr(signal, "pthread_sigmask")  # POSIX; elsewhere Ctrl-C is let in at once
    try:
        if holds:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            from negotiation_sim.cli import main as command_line
        finally:
            if holds:  # a Ctrl-C that came meanwhile is raised here, inside this try
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        status = command_line()
    except KeyboardInterrupt:
        print("negotiation-sim: interrupted", file=sys.stderr)
        status = 130
    sys.exit(status)


if __name__ == "__main__":
    main()
