"""The ``negotiation-sim`` command: a thin layer over the library.

Exit status: 0 on success; 2 with one line naming the problem for a bad specification,
scenario, parameter, value or path; 1 with one line when chunks of a sweep failed twice (the
rest are kept in the store); 130 when interrupted. No traceback for a user's mistake.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from negotiation_sim.errors import ScenarioError


def _sweep_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", help="the sweep specification (TOML): scenario, replicates, "
                        "seed, design, optional points and days, and a [space] table")
    parser.add_argument("--store", help="SQLite file the results go to, chunk by chunk")
    parser.add_argument("--resume", action="store_true",
                        help="continue the sweep in --store, skipping finished points")
    parser.add_argument("--backend", choices=("serial", "processes", "dask"),
                        help="where chunks run (default: processes on a multi-core machine)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="a Dask scheduler address (default: a local cluster)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="worker processes (default: the machine's cores)")
    parser.add_argument("--chunk", type=int, metavar="POINTS",
                        help="parameter points per chunk (default: ~16,000 replicates)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="negotiation-sim",
        description="Simulate the diplomacy around North Korea's missile programme.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sweep = commands.add_parser("sweep", help="run a parameter sweep",
                                description="Run a parameter sweep and store every replicate.")
    _sweep_options(sweep)
    sweep.add_argument("--out", metavar="FILE.csv",
                       help="also write the results as CSV")
    sens = commands.add_parser("sensitivity", help="Sobol or Morris sensitivity analysis",
                               description="Sobol or Morris indices (SALib) of chosen outputs; "
                               "the specification's design is the method and its points "
                               "the base samples N.")
    _sweep_options(sens)
    sens.add_argument("--outputs", default="talks_reached,launch_days,crisis",
                      help="comma-separated outcome names (default: %(default)s)")
    sens.add_argument("--figure", metavar="FILE.png", help="write the indices' figure")
    sens.add_argument("--csv", metavar="FILE.csv", help="write the indices as CSV")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except ScenarioError as error:
        print(f"negotiation-sim: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("negotiation-sim: interrupted; rerun with --resume to continue", file=sys.stderr)
        return 130
    except _failure_types() as error:
        print(f"negotiation-sim: error: {error}", file=sys.stderr)
        return 1


def _failure_types() -> tuple[type[BaseException], ...]:
    from negotiation_sim.sweeps import SweepFailed

    return (SweepFailed, ImportError, OSError)


def _run_options(args: argparse.Namespace) -> dict:
    return {"store": args.store, "resume": args.resume, "backend": args.backend,
            "chunk": args.chunk, "workers": args.workers, "scheduler": args.scheduler,
            "progress": sys.stderr.isatty()}


def _sweep(args: argparse.Namespace) -> int:
    from negotiation_sim.sweeps import load_spec, run_sweep

    if args.resume and not args.store:
        raise ScenarioError("<command line>", "--resume", True, "allowed: only with --store")
    spec = load_spec(args.spec)
    frame = run_sweep(spec, **_run_options(args))
    where = f" into {args.store}" if args.store else ""
    print(f"{spec.scenario}: {frame['point'].nunique()} points x {spec.replicates} replicates "
          f"({len(frame)} rows){where}")
    if args.out:
        frame.to_csv(args.out, index=False)
        print(f"results written to {args.out}")
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    from negotiation_sim.sensitivity_analysis import sensitivity
    from negotiation_sim.sweeps import load_spec

    spec = load_spec(args.spec)
    if spec.design not in ("sobol", "morris"):
        raise ScenarioError(spec.source, "design", spec.design,
                            "allowed for sensitivity: sobol or morris")
    outputs = [name.strip() for name in args.outputs.split(",") if name.strip()]
    result = sensitivity(spec.scenario, outputs, spec.design, n=spec.points or 64,
                         replicates=spec.replicates, seed=spec.seed, space=spec.space,
                         days=spec.days, **_run_options(args))
    print(result.summary())
    if args.figure:
        result.figure(args.figure)
        print(f"figure written to {args.figure}")
    if args.csv:
        result.indices.to_csv(args.csv, index=False)
        print(f"indices written to {args.csv}")
    return 0


_COMMANDS = {"sweep": _sweep, "sensitivity": _sensitivity}


def main_exit() -> None:
    """The console script: exit with `main`'s status."""
    sys.exit(main())


if __name__ == "__main__":
    main_exit()
