"""The ``negotiation-sim`` command: a thin layer over the library.

Commands: ``scenarios`` lists the shipped scenarios; ``run`` summarises many replicates of one;
``chronicle`` tells one replicate day by day; ``compare`` sets two scenarios side by side on
common random numbers; ``sweep`` and ``sensitivity`` explore parameters; ``calibrate`` fits
the behaviour to the record; ``viz`` serves the live dashboard.

Exit status: 0 on success; 2 with one line naming the problem for a bad specification,
scenario, parameter, value, path, option, store or port (any `NegotiationSimError` but
`ChunksFailed`); 1 with one line when chunks of a long job failed twice (what finished is kept
in the store), an optional extra is missing or a file cannot be written; 130 when interrupted
(``viz``: 128 plus the number of the signal that stopped it).
No traceback for a user's mistake.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from negotiation_sim import calibration, parameters, runner
from negotiation_sim.analysis import summarize, text_table
from negotiation_sim.backends import BACKENDS, ChunksFailed
from negotiation_sim.comparison import compare, format_cell, format_number, format_percent
from negotiation_sim.errors import (
    NegotiationSimError,
    PortError,
    ScenarioError,
    check_integer,
    check_writable_file,
)
from negotiation_sim.model import MAX_REPLICATES
from negotiation_sim.posterior import UNCERTAINTIES
from negotiation_sim.scenarios import MAX_DAYS, list_scenarios, load_scenario

if TYPE_CHECKING:
    import pandas as pd

    from negotiation_sim.scenarios import Scenario

_SOURCE = "<command line>"
_TABLES = (".csv", ".parquet")
_FIGURES = (".png", ".pdf", ".svg")
_FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
#: Commands whose interrupted work can continue with ``--resume``.
_RESUMABLE = ("sweep", "sensitivity", "calibrate")
_SCENARIO_HELP = (
    "a shipped scenario's name (see 'negotiation-sim scenarios') or a path to a scenario TOML file"
)


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2.

    argparse prints the whole usage before its error; a script reading stderr wants one line.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


# --- parameter overrides ------------------------------------------------------------------------
def parse_overrides(items: Iterable[str] | None, option: str = "--set") -> dict[str, object]:
    """Parameter overrides from ``name=value`` strings, typed by the registry and validated.

    Reals and integers are numbers, flags true/false (also yes/no, 1/0), choices strings.
    Raises `ScenarioError` naming ``option`` for an unknown name, a malformed item or a value
    the registry rejects, so a long run never starts with a typo.

    >>> parse_overrides(["pyongyang.test_propensity=0.05", "un.channel_open=no"])
    {'pyongyang.test_propensity': 0.05, 'un.channel_open': False}
    """
    overrides = {}
    for item in items or ():
        name, equals, text = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise ScenarioError(
                _SOURCE, option, item, "allowed: NAME=VALUE, e.g. pyongyang.test_propensity=0.05"
            )
        entry = _registry_entry(name, option, item)
        overrides[name] = entry.validate(_typed(entry, text.strip()), f"{_SOURCE} {option}")
    return overrides


def _registry_entry(name: str, option: str, item: str) -> parameters.Parameter:
    if name in parameters.REGISTRY:
        return parameters.REGISTRY[name]
    near = difflib.get_close_matches(name, parameters.REGISTRY, n=3) or [
        "pyongyang.test_propensity"
    ]
    raise ScenarioError(
        _SOURCE,
        option,
        item,
        f"unknown parameter {name!r}; allowed: a parameter of the registry, "
        f"e.g. {', '.join(near)}; see docs/reference.md",
    )


def _typed(entry: parameters.Parameter, text: str) -> object:
    """``text`` as the registry's kind wants it; left as text when it is not one, so that the
    registry's own validation names what is allowed."""
    if entry.kind == "flag":
        return _FLAGS.get(text.lower(), text)
    if entry.kind == "choice":
        return text
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    return text


# --- the parser ---------------------------------------------------------------------------------
def _backend_options(parser: argparse.ArgumentParser) -> None:
    """Where a long job's simulations run: the same options for every long job."""
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="where chunks run (default: processes on a multi-core machine)",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="a Dask scheduler address (default: a local cluster)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes, at least 1 (default: the machine's cores)",
    )


def _sweep_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "spec",
        help="the sweep specification (TOML): scenario (a shipped name or a path relative to "
        "the file), optional without_moves, replicates, seed, design, optional points and "
        "days, and a [space] table (default: every continuous parameter)",
    )
    parser.add_argument(
        "--store",
        metavar="FILE",
        help="SQLite file the results go to, chunk by chunk (in an existing folder)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the sweep in --store, skipping finished points",
    )
    _backend_options(parser)
    parser.add_argument(
        "--chunk",
        type=int,
        metavar="POINTS",
        help="parameter points per chunk, at least 1 (default: ~16,000 replicates)",
    )


def _days_and_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--days",
        type=int,
        metavar="D",
        help="days to run (default: the scenario's horizon; more runs on without scripted moves)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="model seed; the same seed gives the same results (default: 0)",
    )


def _replicates(parser: argparse.ArgumentParser, default: int) -> None:
    parser.add_argument(
        "--replicates",
        type=int,
        default=default,
        metavar="N",
        help="replicates to run, each with its own random stream (default: %(default)s)",
    )


def _overrides(parser: argparse.ArgumentParser, option: str, whose: str = "") -> None:
    # One or more per option, and the option repeatable: --set a=1 b=2 or --set a=1 --set b=2.
    parser.add_argument(
        option,
        action="extend",
        nargs="+",
        metavar="NAME=VALUE",
        help=f"override registry parameters{whose}, e.g. "
        "pyongyang.test_propensity=0.05 washington.honor_pause=true; "
        "repeatable (names: docs/reference.md)",
    )


def _without_moves(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--without-moves",
        nargs="*",
        metavar="SELECTOR",
        help="drop the scenario's scripted moves: all of them, or those named by actor "
        "(beijing), kind (us_sanctions) or actor.kind (washington.precondition)",
    )


def _uncertainty(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--uncertainty",
        choices=UNCERTAINTIES,
        default="none",
        help="'posterior': replicate i runs the packaged posterior's draw i of the behaviour, "
        "so intervals carry parameter uncertainty; 'none' (default): the posterior medians",
    )


def _command(commands, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=summary, description=description)
    parser.set_defaults(command_parser=parser)  # to report a stray option as its own
    return parser


def _add_scenarios(commands) -> None:
    _command(
        commands,
        "scenarios",
        "list the shipped scenarios",
        "List the shipped scenarios: name, period simulated and what each one is.",
    )


def _add_run(commands) -> None:
    run = _command(
        commands,
        "run",
        "run a scenario and summarise its outcomes",
        "Run many replicates of a scenario and print every outcome with an interval "
        "(shares: 95% Wilson CI; counts and levels: median and 10-90% of "
        "replicates).",
    )
    run.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO_HELP)
    _replicates(run, 1000)
    _days_and_seed(run)
    _overrides(run, "--set")
    _without_moves(run)
    _uncertainty(run)
    run.add_argument(
        "--out",
        metavar="FILE",
        help="write one row per replicate to FILE.csv "
        "or FILE.parquet (Parquet needs the parquet extra)",
    )
    run.add_argument(
        "--plot",
        metavar="FILE",
        help="write an overview figure to FILE.png, .pdf or .svg (needs the plot extra)",
    )


def _add_chronicle(commands) -> None:
    chronicle = _command(
        commands,
        "chronicle",
        "tell one replicate as a dated narrative",
        "Run one replicate of a scenario and print its events day by day, "
        "with the historical record's notes on scripted moves.",
    )
    chronicle.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO_HELP)
    _days_and_seed(chronicle)
    _overrides(chronicle, "--set")
    _without_moves(chronicle)


def _add_compare(commands) -> None:
    compare = _command(
        commands,
        "compare",
        "compare two scenarios on common random numbers",
        "Run scenarios A and B on the same replicate seeds and print both "
        "estimates of every outcome and their paired difference with intervals.",
    )
    compare.add_argument("a", metavar="A", help="side a: " + _SCENARIO_HELP)
    compare.add_argument(
        "b",
        metavar="B",
        help="side b: the same kind of name or path (may equal A, with different --set-a/--set-b)",
    )
    _replicates(compare, 2000)
    _days_and_seed(compare)
    _overrides(compare, "--set-a", " on side a")
    _overrides(compare, "--set-b", " on side b")
    _without_moves(compare)
    _uncertainty(compare)
    compare.add_argument(
        "--figure",
        metavar="FILE",
        help="write the outcome distributions of "
        "both sides to FILE.png, .pdf or .svg (needs the plot extra)",
    )
    compare.add_argument(
        "--csv", metavar="FILE.csv", help="write the comparison table, one row per outcome"
    )


def _add_viz(commands) -> None:
    viz = _command(
        commands,
        "viz",
        "serve the live dashboard",
        "Serve the live dashboard (a Solara page over the Mesa model) until stopped; "
        "needs the viz extra: pip install 'negotiation-sim[viz]'. Ctrl-C (SIGINT), SIGTERM "
        "and SIGHUP stop the server with it; the exit status is then 128 + the signal's "
        "number (130 for Ctrl-C).",
    )
    viz.add_argument(
        "--scenario",
        metavar="SCENARIO",
        help=f"the scenario shown first: {_SCENARIO_HELP}; the picker lists it with the "
        "shipped ones (default: pressure-2017)",
    )
    viz.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s, this machine only)",
    )
    viz.add_argument(
        "--port", type=int, default=8765, help="port to listen on, 1-65535 (default: %(default)s)"
    )
    viz.add_argument(
        "--no-browser", action="store_true", help="do not open a browser window on the dashboard"
    )


def _add_sweeps(commands) -> None:
    sweep = _command(
        commands,
        "sweep",
        "run a parameter sweep",
        "Run a parameter sweep and store every replicate.",
    )
    _sweep_options(sweep)
    sweep.add_argument(
        "--out",
        metavar="FILE.csv",
        help="also write the results as CSV, one row per replicate with its parameters",
    )
    sens = _command(
        commands,
        "sensitivity",
        "Sobol or Morris sensitivity analysis",
        "Sobol or Morris indices (SALib) of chosen outputs; the specification's "
        "design is the method and its points the base samples N.",
    )
    _sweep_options(sens)
    sens.add_argument(
        "--outputs",
        default="talks_reached,launch_days,crisis",
        help="comma-separated outcome names (default: %(default)s)",
    )
    sens.add_argument("--figure", metavar="FILE.png", help="write the indices' figure")
    sens.add_argument("--csv", metavar="FILE.csv", help="write the indices as CSV")


def _add_calibrate(commands) -> None:
    calibrate = _command(
        commands,
        "calibrate",
        "calibrate the behaviour against both years (ABC-SMC)",
        "Calibrate the behaviour every year shares against the record of 2017 and 2022 at "
        "once: ABC-SMC with an adaptive distance (ELFI; needs the calibrate extra: pip install "
        "'negotiation-sim[calibrate]'). Writes the posterior (OUT/posterior.csv, its "
        "provenance in OUT/posterior.toml), the report with its figures (OUT/calibration.md) "
        "and keeps every batch of simulations in a store (OUT/abc.sqlite) so that a killed run "
        "resumes with --resume. Seeded and reproducible.",
    )
    calibrate.add_argument("--out", default="calibration", metavar="DIR", help="output folder")
    calibrate.add_argument("--draws", type=int, default=1000, help="posterior draws kept")
    calibrate.add_argument("--rounds", type=int, default=14, help="SMC populations")
    calibrate.add_argument(
        "--quantile", type=float, default=0.5, help="share of each population kept (0-1)"
    )
    calibrate.add_argument(
        "--batch-size", type=int, default=4000, help="simulations per batched model"
    )
    calibrate.add_argument(
        "--pilot",
        type=int,
        default=20000,
        help="prior draws of the pilot that fits the summaries (default: %(default)s)",
    )
    calibrate.add_argument("--seed", type=int, default=2024, help="seed (default: %(default)s)")
    calibrate.add_argument(
        "--replicates",
        type=int,
        default=2000,
        help="replicates per year of the report's checks (default: %(default)s)",
    )
    calibrate.add_argument(
        "--report", metavar="FILE.md", help="write the report here (default: OUT/calibration.md)"
    )
    calibrate.add_argument(
        "--search",
        action="store_true",
        help="first rerun the joint point search (differential evolution; its losses kept in "
        "OUT/search.sqlite, resumed with --resume) whose values the parameters without a "
        "posterior keep; by default the package's values (data/calibrated.toml)",
    )
    calibrate.add_argument(
        "--search-seed",
        type=int,
        default=calibration.SEARCH_SEED,
        help="seed of the point search (default: %(default)s, the shipped search's)",
    )
    calibrate.add_argument("--resume", action="store_true", help="continue a killed run")
    _backend_options(calibrate)
    calibrate.add_argument(
        "--install",
        action="store_true",
        help="also install the posterior in the package (data/posterior.csv; its medians "
        "become the registry's defaults): for the package's maintainers",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="negotiation-sim",
        description="Simulate the diplomacy around North Korea's missile programme.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=CommandParser
    )
    for add in (
        _add_scenarios,
        _add_run,
        _add_chronicle,
        _add_compare,
        _add_sweeps,
        _add_calibrate,
        _add_viz,
    ):
        add(commands)
    return parser


# --- running ------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parse(argv)
    try:
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt as interrupt:
        # A sweep says how many finished points its store holds: only then is there anything
        # to resume.
        stored = getattr(interrupt, "stored", 0)
        hint = (
            f"; {stored} finished point(s) are in {interrupt.store}: "
            "rerun with --resume to continue"
            if stored and args.command in _RESUMABLE
            else ""
        )
        print(f"negotiation-sim: interrupted{hint}", file=sys.stderr)
        return 130
    except _failure_types() as error:  # before NegotiationSimError: ChunksFailed is one too
        print(f"negotiation-sim: error: {_one_line(str(error))}", file=sys.stderr)
        return 1
    except NegotiationSimError as error:  # the user's mistakes: ScenarioError, StoreError, ...
        print(f"negotiation-sim: error: {_one_line(str(error))}", file=sys.stderr)
        return 2


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv``; a stray option is reported by its command, which knows its options."""
    args, extra = build_parser().parse_known_args(argv)
    if extra:
        args.command_parser.error("unrecognized arguments: " + " ".join(extra))
    return args


def _failure_types() -> tuple[type[BaseException], ...]:
    import sqlite3

    return (ChunksFailed, ImportError, OSError, sqlite3.Error)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _counts(args: argparse.Namespace, min_replicates: int = 1) -> None:
    """Check the counts before anything runs (argparse took care of their type)."""
    if getattr(args, "replicates", None) is not None:
        check_integer(_SOURCE, "--replicates", args.replicates, min_replicates, MAX_REPLICATES)
    if args.days is not None:
        check_integer(_SOURCE, "--days", args.days, 1, MAX_DAYS)
    check_integer(_SOURCE, "--seed", args.seed, 0)


def _output(path: str | None, option: str, suffixes: tuple[str, ...]) -> str | None:
    """Check an output path before a long run: a known suffix, not a folder, in a folder that
    exists and can be written to."""
    if path is None:
        return None
    if Path(path).suffix.lower() not in suffixes:
        raise ScenarioError(
            _SOURCE, option, path, "allowed: a file name ending in " + ", ".join(suffixes)
        )
    check_writable_file(_SOURCE, option, path)
    return path


def say(text: str = "") -> None:
    """Print a line of the command's results on standard output.

    A reader that stops reading (``| head -1``) only loses the rest of the printed output:
    standard output is pointed at the null device and the command goes on to write its
    result files and exit normally.
    """
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # later prints and the final flush go nowhere
        os.close(devnull)


def _need(module: str, extra: str, what: str) -> None:
    """Fail before running when an optional extra that the output needs is missing."""
    try:
        importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{what} needs {module}: pip install 'negotiation-sim[{extra}]'"
        ) from error


def _described(scenario: Scenario) -> str:
    """A scenario's description; a counterfactual's says what it is a counterfactual of."""
    if scenario.base is None:
        return scenario.description
    text = scenario.description.removeprefix(f"As {scenario.base}, but ")
    return f"counterfactual of {scenario.base}: {text}"


def _scenarios(args: argparse.Namespace) -> int:
    rows = []
    for name in list_scenarios():
        scenario = load_scenario(name)
        last = scenario.date_of(scenario.horizon_days - 1)
        rows.append(
            (name, f"{scenario.start.isoformat()} to {last.isoformat()}", _described(scenario))
        )
    say(text_table(("name", "period", "description"), rows))
    return 0


def _scenario(name_or_path: str, args: argparse.Namespace, overrides: dict) -> Scenario:
    """A scenario with ``--without-moves`` and the ``--set`` overrides applied (held)."""
    scenario = load_scenario(name_or_path)
    if args.without_moves is not None:
        scenario = scenario.without_moves(*args.without_moves)
    return scenario.with_params(overrides)


def _held_notes(scenario: Scenario, overrides: dict, option: str) -> None:
    """Say each scripted move an override holds against, so no move is overridden silently."""
    for move, values in scenario.held_moves():
        held = [name for name in values if name in overrides]
        if held:
            said = ", ".join(f"{name} {value}" for name, value in values.items())
            say(
                f"note: {option} {', '.join(held)} holds over the scripted move of "
                f"{move.label()} (which sets {said}); --without-moves drops moves instead"
            )


def _scenario_and_overrides(args: argparse.Namespace) -> tuple[Scenario, dict[str, object]]:
    """The checked counts, then the scenario of ``run`` and ``chronicle`` with ``--set``."""
    _counts(args)
    overrides = parse_overrides(args.set)
    return _scenario(args.scenario, args, overrides), overrides


def _outcome_table(summary: pd.DataFrame) -> str:
    """`analysis.summarize` as aligned text, formatted as `Comparison.summary` formats cells:
    shares in percent, other values to 3 significant digits."""
    rows = []
    for name, row in summary.iterrows():
        show = format_percent if row["unit"] == "share" else format_number
        rows.append(
            (
                name,
                row["unit"],
                format_cell(row["estimate"], row["low"], row["high"], show),
                row["interval"],
            )
        )
    return text_table(("outcome", "unit", "estimate [low, high]", "interval"), rows)


def _header(scenario: Scenario, args: argparse.Namespace, days: int) -> str:
    overrides = "; --set " + " ".join(args.set) if args.set else ""
    return (
        f"{scenario.name}: {args.replicates} replicates x {days} days from "
        f"{scenario.start.isoformat()}, seed {args.seed}{overrides}"
        + (
            "; behaviour from the posterior"
            if getattr(args, "uncertainty", "") == "posterior"
            else ""
        )
    )


def _run_outputs(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """``--out`` and ``--plot``, checked with their extras before the run."""
    out = _output(args.out, "--out", _TABLES)
    plot = _output(args.plot, "--plot", _FIGURES)
    if out and out.lower().endswith(".parquet"):
        _need("pyarrow", "parquet", "--out FILE.parquet")
    if plot:
        _need("matplotlib", "plot", "--plot")
    return out, plot


def _run(args: argparse.Namespace) -> int:
    out, plot = _run_outputs(args)
    scenario, overrides = _scenario_and_overrides(args)
    days = scenario.horizon_days if args.days is None else args.days
    say(_header(scenario, args, days))
    _held_notes(scenario, overrides, "--set")
    # Daily series only for the figure, and no event log: both cost time in large runs.
    model = runner.run(
        scenario,
        args.replicates,
        days,
        args.seed,
        record_daily=plot is not None,
        record_events=False,
        progress=sys.stderr.isatty(),
        uncertainty=args.uncertainty,
    )
    say(_outcome_table(summarize(model.outcomes)))
    if out:
        outcomes = model.outcomes
        write = outcomes.to_csv if out.lower().endswith(".csv") else outcomes.to_parquet
        write(out, index=False)
        say(f"outcomes written to {out}")
    if plot:
        from negotiation_sim.figures import overview

        overview(model, plot)
        say(f"figure written to {plot}")
    return 0


def _chronicle(args: argparse.Namespace) -> int:
    scenario, overrides = _scenario_and_overrides(args)
    model = runner.run(scenario, 1, args.days, args.seed, record_daily=False)
    _held_notes(scenario, overrides, "--set")
    say(model.chronicle(0))
    return 0


def _compare(args: argparse.Namespace) -> int:
    _counts(args, min_replicates=2)
    figure = _output(args.figure, "--figure", _FIGURES)
    table = _output(args.csv, "--csv", (".csv",))
    if figure:
        _need("matplotlib", "plot", "--figure")
    sides = [(args.a, parse_overrides(args.set_a, "--set-a"), "--set-a"),
             (args.b, parse_overrides(args.set_b, "--set-b"), "--set-b")]  # fmt: skip
    a, b = (_scenario(name, args, overrides) for name, overrides, _ in sides)
    for scenario, (_, overrides, option) in zip((a, b), sides, strict=True):
        _held_notes(scenario, overrides, option)
    comparison = compare(
        a,
        b,
        args.replicates,
        args.seed,
        days=args.days,
        progress=sys.stderr.isatty(),
        uncertainty=args.uncertainty,
    )
    say(comparison.summary())
    if figure:
        from negotiation_sim.figures import distributions

        distributions(comparison, path=figure)
        say(f"figure written to {figure}")
    if table:
        comparison.table.to_csv(table)
        say(f"table written to {table}")
    return 0


def _check_address(host: str, port: int) -> None:
    """Fail with one line before starting the server when it could not listen there."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind((host, port))
        except socket.gaierror as error:
            raise ScenarioError(
                _SOURCE, "--host", host, f"allowed: an address of this machine ({error.strerror})"
            ) from None
        except OSError as error:
            raise PortError(
                _SOURCE, "--port", port, f"allowed: a free port on {host} ({error.strerror})"
            ) from None


def _viz(args: argparse.Namespace) -> int:
    options = {"host": args.host, "port": args.port, "open_browser": not args.no_browser}
    if args.scenario is not None:
        load_scenario(args.scenario)  # a bad name or file fails here, not in the server
        shipped = args.scenario in list_scenarios()
        # Absolute: the server finds the file whatever its working directory.
        options["scenario"] = args.scenario if shipped else str(Path(args.scenario).resolve())
    check_integer(_SOURCE, "--port", args.port, 1, 65535, error=PortError)
    _check_address(args.host, args.port)
    try:
        from negotiation_sim.app import serve
    except ImportError as error:
        raise ImportError(
            f"{error}; the dashboard needs: pip install 'negotiation-sim[viz]'"
        ) from error
    # `serve` blocks while the server runs; it returns 128 + the signal's number when a
    # signal stopped it (see `negotiation_sim.app.serve`), or the server's exit status.
    return serve(**options) or 0


def _run_options(args: argparse.Namespace) -> dict:
    """The options of ``sweep`` and ``sensitivity``, checked before the specification loads."""
    if args.resume and not args.store:
        raise ScenarioError(_SOURCE, "--resume", True, "allowed: only with --store")
    for option, value in (("--workers", args.workers), ("--chunk", args.chunk)):
        if value is not None:
            check_integer(_SOURCE, option, value, 1)
    return {
        "store": args.store,
        "resume": args.resume,
        "backend": args.backend,
        "chunk": args.chunk,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "progress": sys.stderr.isatty(),
    }


def _sweep(args: argparse.Namespace) -> int:
    from negotiation_sim.sweeps import load_spec, options_named, run_sweep

    options = _run_options(args)
    out = _output(args.out, "--out", (".csv",))
    spec = load_spec(args.spec)
    with options_named(_SOURCE):
        # With a store and no --out the rows stay on disk: no need to hold them in memory.
        result = run_sweep(spec, **options, load=out is not None or not args.store)
    where = f" into {args.store}" if args.store else ""
    say(
        f"{spec.scenario.name}: {spec.size} points x {spec.replicates} replicates "
        f"({spec.size * spec.replicates} rows){where}"
    )
    if out:
        result.frame().to_csv(out, index=False)
        say(f"results written to {out}")
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    from negotiation_sim.sensitivity_analysis import sensitivity
    from negotiation_sim.sweeps import load_spec, options_named

    options = _run_options(args)
    figure = _output(args.figure, "--figure", _FIGURES)
    table = _output(args.csv, "--csv", (".csv",))
    if figure:
        _need("matplotlib", "plot", "--figure")
    spec = load_spec(args.spec)
    if spec.design not in ("sobol", "morris"):
        raise ScenarioError(
            spec.source, "design", spec.design, "allowed for sensitivity: sobol or morris"
        )
    outputs = [name.strip() for name in args.outputs.split(",") if name.strip()]
    with options_named(_SOURCE):
        result = sensitivity(
            spec.scenario,
            outputs,
            spec.design,
            n=spec.points,
            replicates=spec.replicates,
            seed=spec.seed,
            space=spec.space,
            days=spec.days,
            **options,
        )
    say(result.summary())
    if figure:
        result.figure(figure)
        say(f"figure written to {figure}")
    if table:
        result.indices.to_csv(table, index=False)
        say(f"indices written to {table}")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    import time

    from negotiation_sim import inference, posterior
    from negotiation_sim.store import SweepStore

    check_integer(_SOURCE, "--draws", args.draws, 2)
    check_integer(_SOURCE, "--rounds", args.rounds, 1)
    check_integer(_SOURCE, "--batch-size", args.batch_size, 1)
    check_integer(_SOURCE, "--pilot", args.pilot, 10)
    check_integer(_SOURCE, "--seed", args.seed, 0, 2**32 - 1)
    check_integer(_SOURCE, "--search-seed", args.search_seed, 0, 2**32 - 1)
    check_integer(_SOURCE, "--replicates", args.replicates, 1, MAX_REPLICATES)
    if not 0 < args.quantile < 1:
        raise ScenarioError(_SOURCE, "--quantile", args.quantile, "allowed: a number in (0, 1)")
    report = _output(args.report, "--report", (".md",))
    _need("elfi", "calibrate", "calibrate")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ScenarioError(_SOURCE, "--out", args.out, "allowed: a folder (new or existing)")
    if args.workers is not None:
        check_integer(_SOURCE, "--workers", args.workers, 1)
    out.mkdir(parents=True, exist_ok=True)
    where = {"backend": args.backend, "workers": args.workers, "scheduler": args.scheduler}
    where |= {"resume": args.resume, "progress": sys.stderr.isatty()}
    store = out / "abc.sqlite"
    say(
        f"calibrate: {len(inference.POSTERIOR_FREE)} behaviour parameters against "
        f"{', '.join(inference.HISTORICAL)}; pilot {args.pilot}, {args.draws} draws, "
        f"{args.rounds} rounds, batches of {args.batch_size}, seed {args.seed}; store {store}"
    )
    started = time.perf_counter()
    search = None
    try:
        if args.search:
            store = out / "search.sqlite"
            say(f"joint point search (differential evolution, seed {args.search_seed}) ...")
            point = calibration.calibrate(seed=args.search_seed, store=store, **where)
            written = calibration.write_calibrated(point, out / "search.toml")
            search = tomllib.loads(written.read_text(encoding="utf-8"))
            say(f"point search: loss {point.loss:.4g} after {point.evaluations} points; {written}")
            store = out / "abc.sqlite"
            started = time.perf_counter()  # the posterior's wall time is ABC's alone
        fixed = {
            name: (search["values"][name] if search else parameters.REGISTRY[name].default)
            for name in inference.FREE
            if name not in inference.POSTERIOR_FREE
        }
        post = inference.abc(
            draws=args.draws,
            rounds=args.rounds,
            quantile=args.quantile,
            batch_size=args.batch_size,
            seed=args.seed,
            pilot=args.pilot,
            fixed=fixed,
            store=store,
            **where,
        )
    except KeyboardInterrupt as interrupt:
        if store.exists():
            with SweepStore.open_read_only(store) as kept:
                interrupt.stored, interrupt.store = len(kept.finished_points()), store
        raise
    seconds = time.perf_counter() - started
    simulations = int(post.provenance["simulations"])
    post = posterior.Posterior(
        post.draws,
        {
            **post.provenance,
            "seconds": round(seconds, 1),
            "simulations_per_second": round(simulations / max(seconds, 1e-9), 1),
        },
    )
    say(f"{simulations:,} simulations of both years in {seconds:.0f} s")
    say(posterior.posterior_text(post))
    written = posterior.write_posterior(post, out / "posterior.csv", search=search)
    say(f"posterior written to {written} (provenance in {written.with_suffix('.toml')})")
    if args.install:
        say(f"installed in the package: {posterior.write_posterior(post, search=search)}")
    report = Path(report) if report else out / "calibration.md"
    if args.install:
        # The registry read the calibrated values when it was imported: a fresh interpreter
        # reports on the values just installed, defaults and counterfactuals alike.
        command = [sys.executable, "-m", "negotiation_sim.calibration", "report", str(report)]
        command += ["--replicates", str(args.replicates), "--seed", str(args.seed + 1)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    else:
        inference.report(report, post, args.replicates, args.seed + 1)
    say(f"report written to {report}")
    return 0


_COMMANDS = {
    "scenarios": _scenarios,
    "run": _run,
    "chronicle": _chronicle,
    "compare": _compare,
    "viz": _viz,
    "sweep": _sweep,
    "sensitivity": _sensitivity,
    "calibrate": _calibrate,
}


def main_exit() -> None:
    """Exit with `main`'s status (the console script is `negotiation_sim.__main__.main`)."""
    sys.exit(main())


if __name__ == "__main__":
    main_exit()
