"""Markdown reference tables rendered from the package's typed data.

The docs read the same single sources as the code: the parameter registry
(`negotiation_sim.parameters.REGISTRY`), the outcome, daily-series and event tables
(`negotiation_sim.outcomes`), the initial-state fields and scripted move kinds
(`negotiation_sim.scenarios`) and the shipped scenario files. Nothing here holds a number or a
description of its own, so a table can only go stale if the generated file is not rewritten:
``tests/test_docs.py`` checks that ``docs/reference.md`` equals what `write_reference` writes.

Regenerate the reference with::

    python -m negotiation_sim.reference docs/reference.md
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from pathlib import Path

from negotiation_sim.actors import ACTORS as REGISTERED_ACTORS
from negotiation_sim.outcomes import DAILY, EVENT_KINDS, OUTCOMES, Measure
from negotiation_sim.parameters import REGISTRY, ROLE_MEANINGS, with_role
from negotiation_sim.scenarios import (
    DAYS_OF_PRECONDITION,
    INITIAL_STATE,
    MOVE_KINDS,
    MoveKind,
    list_scenarios,
    load_scenario,
)

#: The command that regenerates ``docs/reference.md``.
COMMAND = "python -m negotiation_sim.reference docs/reference.md"
#: Whose parameters the reference lists, in order (every registered actor, then the world),
#: with their headings.
_PARAMETER_OWNERS = {
    **{actor.key: actor.label for actor in REGISTERED_ACTORS},
    "world": "The world between them",
}
MECHANISM_IDS = tuple(f"M{i}" for i in range(1, 21))


# --- cells and tables ---------------------------------------------------------------------------
def _cell(text: object) -> str:
    """Text made safe for one Markdown table cell (pipes escaped, one line)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(text: object) -> str:
    return f"`{text}`"


def _value(value: object) -> str:
    """A default or scenario value, spelled as in a TOML scenario file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def _mechanisms(ids: Iterable[str]) -> str:
    return ", ".join(ids) or "–"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# --- the tables ---------------------------------------------------------------------------------
def parameter_table(actor: str | None = None) -> str:
    """The parameter registry (one actor's entries, or all), one row per parameter."""
    rows = [
        (
            _code(p.name),
            p.role,
            _code(_value(p.default)) + (" (calibrated)" if p.calibrated else ""),
            p.range_text(),
            p.unit,
            _mechanisms(p.mechanisms),
            _code(p.source),
            f"“{p.quote}”",
            p.doc,
        )
        for p in REGISTRY.values()
        if actor is None or p.actor == actor
    ]
    return _table(
        (
            "name",
            "role",
            "default",
            "range or choices",
            "unit",
            "mechanisms",
            "seed file",
            "quotation",
            "meaning",
        ),
        rows,
    )


def role_table() -> str:
    """The parameter roles (`negotiation_sim.parameters.ROLE_MEANINGS`), each with its meaning
    and how many registry parameters have it."""
    rows = [(_code(role), len(with_role(role)), meaning) for role, meaning in ROLE_MEANINGS.items()]
    return _table(("role", "parameters", "meaning"), rows)


def _measure_table(measures: Iterable[Measure]) -> str:
    rows = [
        (_code(m.name), m.unit or "–", m.kind, _mechanisms(m.mechanisms), m.doc) for m in measures
    ]
    return _table(("name", "unit", "kind", "mechanisms", "meaning"), rows)


def outcome_table() -> str:
    """Per-replicate outcomes (`negotiation_sim.outcomes.OUTCOMES`), columns of ``outcomes``."""
    return _measure_table(OUTCOMES.values())


def daily_table() -> str:
    """Daily series (`negotiation_sim.outcomes.DAILY`), read with ``model.daily(name)``."""
    return _measure_table(DAILY.values())


def event_table() -> str:
    """Event kinds (`negotiation_sim.outcomes.EVENT_KINDS`) with how the chronicle tells them."""
    rows = [
        (_code(e.kind), e.actor, e.template, _mechanisms(e.mechanisms))
        for e in EVENT_KINDS.values()
    ]
    return _table(("kind", "actor", "chronicle text", "mechanisms"), rows)


def initial_state_table() -> str:
    """Initial-state fields a scenario may set under ``[initial]``."""
    rows = []
    for f in INITIAL_STATE.values():
        rows.append((_code(f.name), _code(_value(f.default)), f.range_text(), f.kind, f.doc))
    return _table(("name", "default", "range", "kind", "meaning"), rows)


def _move_value(move: MoveKind) -> str:
    """What a move kind's ``value`` (and ``days``) may be: what the quantity it sets accepts."""
    if move.lasts is not None:
        return f"optional `days` it lasts: {REGISTRY[move.lasts].range_text()}"
    if move.sets is None:
        return "–"
    text = f"`value`: {REGISTRY[move.sets].range_text()}"
    return text + ("; optional `days`" if move.sets == "washington.precondition" else "")


def move_table() -> str:
    """Move kinds a scenario may script under ``[[moves]]`` (never Pyongyang, never votes)."""
    rows = [
        (
            _code(m.actor),
            _code(m.kind),
            _move_value(m),
            _sets(m),
            _mechanisms(m.mechanisms),
            m.doc,
        )
        for m in MOVE_KINDS.values()
    ]
    return _table(("actor", "kind", "value", "sets", "mechanisms", "meaning"), rows)


def _sets(move: MoveKind) -> str:
    """The parameters a move kind sets, which a user's held value keeps instead."""
    names = [move.sets] if move.sets else []
    if move.sets == "washington.precondition":
        names += list(DAYS_OF_PRECONDITION.values())
    return ", ".join(_code(n) for n in names) or "–"


def mechanism_table() -> str:
    """For each mechanism id, the parameters, outcomes, series, events and moves naming it."""

    def named(mechanism: str, items, key) -> str:
        return ", ".join(_code(key(i)) for i in items if mechanism in i.mechanisms) or "–"

    rows = [
        (
            m,
            named(m, REGISTRY.values(), lambda p: p.name),
            named(m, OUTCOMES.values(), lambda o: o.name),
            named(m, DAILY.values(), lambda d: d.name),
            named(m, EVENT_KINDS.values(), lambda e: e.kind),
            named(m, MOVE_KINDS.values(), lambda k: f"{k.actor} {k.kind}"),
        )
        for m in MECHANISM_IDS
    ]
    return _table(("mechanism", "parameters", "outcomes", "daily series", "events", "moves"), rows)


def scenario_table(name: str) -> str:
    """One shipped scenario: its settings, initial state, parameter overrides and moves."""
    s = load_scenario(name)
    parts = [
        _table(
            ("setting", "value"),
            [
                ("title", s.title),
                ("description", s.description),
                ("start", s.start.isoformat()),
                ("horizon_days", s.horizon_days),
                *(
                    [
                        (
                            "base",
                            f"`{s.base}` (a counterfactual: the values below include the base's)",
                        )
                    ]
                    if s.base
                    else []
                ),
            ],
        )
    ]
    initial = [(_code(k), _code(_value(v))) for k, v in s.initial.items()]
    parts.append(
        "Initial state (other fields at their defaults):\n\n"
        + (_table(("field", "value"), initial) if initial else "none\n")
    )
    params = [
        (_code(k), REGISTRY[k].role, _code(_value(v)), _code(_value(REGISTRY[k].default)))
        for k, v in s.params.items()
    ]
    parts.append(
        "Parameter overrides (the rest at their defaults):\n\n"
        + (_table(("parameter", "role", "value", "default"), params) if params else "none\n")
    )
    moves = [
        (
            m.date.isoformat(),
            m.day,
            _code(m.actor),
            _code(m.kind),
            "–" if m.value is None else _code(_value(m.value)),
            "–" if m.days is None else m.days,
            m.note,
            m.source,
        )
        for m in s.moves
    ]
    parts.append(
        "Scripted moves:\n\n"
        + (
            _table(("date", "day", "actor", "kind", "value", "days", "note", "source"), moves)
            if moves
            else "none\n"
        )
    )
    return "\n".join(parts)


# --- the whole reference ------------------------------------------------------------------------
def render_reference() -> str:
    """The text of ``docs/reference.md``."""
    out = [
        "# negotiation_sim reference",
        "",
        f"<!-- Generated by `{COMMAND}` from the package's typed data. Do not edit by hand. -->",
        "",
        (
            "Every table below is rendered from the data the code itself reads: the parameter "
            "registry (`negotiation_sim.parameters.REGISTRY`), the outcome, daily-series and event "
            "tables (`negotiation_sim.outcomes`), the initial-state fields and move kinds "
            "(`negotiation_sim.scenarios`) and the shipped scenario files. The model itself is "
            "described in [ODD.md](ODD.md). Seed files: `000_86765be9c3ba85b9.txt` is CNN, 30 "
            "January 2022 (Liptak and Atwood); `003_184512813cdc3250.txt` is Foreign Policy, 13 "
            "December 2017 (Lynch and De Luce); see [mechanisms.md](mechanisms.md)."
        ),
        "",
        "## Parameters",
        "",
        (
            "Set them in a scenario's `[params]` table or with `Scenario.with_params` / "
            "`params=` (dotted names; a scalar, or one value per replicate). Ranges are inclusive "
            "and enforced on input."
        ),
        "",
        "### Roles",
        "",
        (
            "Each parameter has a role (`Parameter.role`; `parameters.with_role(role)` lists "
            "them): one model serves every year, so its behaviour is calibrated once, a scenario "
            "sets the context of its period, and a user varies policy. A scenario file sets only "
            "context and policy; one that sets behaviour must say it is a counterfactual "
            "(`base` or `counterfactual = true`)."
        ),
        "",
        role_table(),
        "",
        (
            "Defaults marked *(calibrated)* come from the joint calibration of the behaviour "
            "over both historical years (`data/calibrated.toml`, written by "
            "`negotiation_sim.calibration`; see [calibration.md](calibration.md))."
        ),
        "",
    ]
    for actor, title in _PARAMETER_OWNERS.items():
        out += [f"### {title} (`{actor}.*`)", "", parameter_table(actor)]
    out += [
        "## Mechanisms",
        "",
        (
            "Where each mechanism of the model brief (M1–M20) is named in the typed data. "
            "[ODD.md](ODD.md) maps each one to the code that implements it."
        ),
        "",
        mechanism_table(),
        "## Outcomes",
        "",
        (
            "One row per replicate in `model.outcomes`. Days count from the scenario's start "
            "(day 0)."
        ),
        "",
        outcome_table(),
        "## Daily series",
        "",
        "Arrays of shape (days, replicates) from `model.daily(name)`.",
        "",
        daily_table(),
        "## Events",
        "",
        "Rows of `model.events(replicate)`; `model.chronicle(replicate)` tells them in order.",
        "",
        event_table(),
        "## Initial state",
        "",
        "Fields a scenario may set in its `[initial]` table.",
        "",
        initial_state_table(),
        "## Scripted moves",
        "",
        (
            "Move kinds a scenario may script in `[[moves]]` (keys `date`, `actor`, `kind`, and "
            "`value`/`days` where the kind takes them). Pyongyang's moves and Security Council "
            "votes are never scripted. A move sets the parameters in its `sets` column from "
            "its date on, unless the user holds them (`Scenario.with_params`, `--set`): then "
            "the user's value stays, and a move that only sets it is left out."
        ),
        "",
        move_table(),
        "## Shipped scenarios",
        "",
    ]
    for name in list_scenarios():
        out += [f"### `{name}`", "", scenario_table(name)]
    return "\n".join(out).rstrip("\n") + "\n"


def write_reference(path: str | Path) -> Path:
    """Write the full reference to ``path`` (folders created as needed); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_reference(), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m negotiation_sim.reference",
        description="Write the Markdown reference of parameters, outcomes, series, events, "
        "initial state, move kinds and shipped scenarios.",
    )
    parser.add_argument(
        "path",
        nargs="?",
        default="docs/reference.md",
        help="where to write it (default: docs/reference.md)",
    )
    args = parser.parse_args(argv)
    print(f"wrote {write_reference(args.path)}")


if __name__ == "__main__":
    main()
