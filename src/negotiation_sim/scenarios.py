"""Scenarios: a start date, a horizon, an initial state, parameter overrides and dated moves.

A scenario is a TOML file. The shipped ones live in ``negotiation_sim/data/scenarios``; any
other path works too. Only the outside world's moves (Washington, Beijing, Moscow, the UN)
may be scripted; Pyongyang's tests and answers and the Security Council's votes never are.

Example (abridged)::

    name = "pressure-2017"
    title = "The 2017 pressure campaign"
    start = 2017-01-01
    horizon_days = 365

    [initial]
    capability = 0.45

    [params]
    "washington.precondition" = "behaviour_change"

    [[moves]]
    date = 2017-11-21
    actor = "washington"
    kind = "us_sanctions"
    note = "new Treasury sanctions round"
    source = "timeline_2017_2022.csv (seed 003)"

A counterfactual names its ``base`` scenario and states only what it changes: its
``[initial]`` and ``[params]`` entries override the base's, its ``[[moves]]`` add to the
base's, and each ``[[drop_moves]]`` entry (``date``, ``actor``, ``kind``) removes one of the
base's moves. Start and horizon come from the base unless given::

    name = "un-channel-closed-2017"
    base = "pressure-2017"

    [params]
    "un.channel_open" = false
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from negotiation_sim import parameters
from negotiation_sim.errors import ScenarioError


@dataclass(frozen=True)
class StateField:
    """One variable of the initial state a scenario may set."""

    name: str
    default: float | int | bool
    low: float | int | None
    high: float | int | None
    kind: str  # real | integer | flag
    doc: str

    def validate(self, value: object, source: str) -> object:
        key = f"initial.{self.name}"
        if self.kind == "flag":
            if isinstance(value, bool):
                return value
            raise ScenarioError(source, key, value, "allowed: true or false")
        allowed = (
            f"allowed: {'an integer' if self.kind == 'integer' else 'a finite number'} "
            f"in [{self.low}, {self.high}]"
        )
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(source, key, value, allowed)
        if (self.kind == "integer" and not float(value).is_integer()) or not math.isfinite(value):
            raise ScenarioError(source, key, value, allowed)
        if not self.low <= value <= self.high:
            raise ScenarioError(source, key, value, allowed)
        return int(value) if self.kind == "integer" else float(value)


INITIAL_STATE: Mapping[str, StateField] = MappingProxyType(
    {
        f.name: f
        for f in (
            StateField("tension", 0.3, 0.0, 1.0, "real", "Tension on the peninsula (M9, M15)."),
            StateField("trust", 0.2, 0.0, 1.0, "real", "Pyongyang's trust in Washington (M2, M8)."),
            StateField(
                "capability", 0.4, 0.0, 1.0, "real", "Maturity of Pyongyang's arsenal (M14)."
            ),
            StateField(
                "us_sanctions", 0.3, 0.0, 1.0, "real", "Unilateral US sanctions level (M3)."
            ),
            StateField(
                "un_sanctions", 0.3, 0.0, 1.0, "real", "Security Council sanctions level (M4)."
            ),
            StateField("economic_pain", 0.2, 0.0, 1.0, "real", "Economic pain in Pyongyang (M5)."),
            StateField(
                "days_since_test",
                30,
                0,
                3650,
                "integer",
                "Days since Pyongyang's last test when the scenario starts (M2, M6).",
            ),
            StateField(
                "talks_state",
                0,
                0,
                3,
                "integer",
                "0 none, 1 contact, 2 working-level talks, 3 summit (M10, M17).",
            ),
            StateField(
                "offer_active",
                False,
                None,
                None,
                "flag",
                "Whether Washington's offer of talks stands at the start (M1).",
            ),
            StateField(
                "pause_pledged",
                False,
                None,
                None,
                "flag",
                "Whether Pyongyang keeps a pledged test pause at the start (M2).",
            ),
            StateField(
                "un_envoy_blessed",
                False,
                None,
                None,
                "flag",
                "Whether Washington has blessed a UN envoy at the start (M10).",
            ),
            StateField(
                "russia_crisis",
                False,
                None,
                None,
                "flag",
                "Whether a crisis with Russia draws Washington's attention at the start (M12, M13).",
            ),
        )
    }
)


@dataclass(frozen=True)
class MoveKind:
    """A move an outside actor may make on a scripted date."""

    actor: str
    kind: str
    mechanisms: tuple[str, ...]
    doc: str
    value: str | None = None  # None | "share" | "precondition"


MOVE_KINDS: Mapping[tuple[str, str], MoveKind] = MappingProxyType(
    {
        (m.actor, m.kind): m
        for m in (
            MoveKind(
                "washington",
                "talks_offer",
                ("M1", "M8"),
                "Offer or restate talks; the offer's credibility is renewed.",
            ),
            MoveKind(
                "washington",
                "precondition",
                ("M1", "M8"),
                "Set the precondition (value: one of washington.precondition's choices; optional "
                "days: the pause or behaviour-change length). It stands as an offer, unless it "
                "tightens a standing offer: then it is a mixed signal.",
                "precondition",
            ),
            MoveKind(
                "washington", "us_sanctions", ("M3", "M2", "M20"), "A unilateral sanctions round."
            ),
            MoveKind("washington", "threat", ("M9",), "A public threat."),
            MoveKind(
                "washington", "mixed_signal", ("M8",), "A voice contradicting the standing offer."
            ),
            MoveKind("washington", "back_channel", ("M10",), "A direct contact opportunity."),
            MoveKind("washington", "reassure", ("M16",), "A show of commitment to allies."),
            MoveKind("washington", "bless_un_envoy", ("M10",), "Washington blesses a UN envoy."),
            MoveKind(
                "beijing",
                "enforcement",
                ("M5",),
                "Set Beijing's enforcement (value 0..1).",
                "share",
            ),
            MoveKind("beijing", "envoy", ("M11", "M10"), "A Chinese envoy visits Pyongyang."),
            MoveKind("moscow", "intermediary", ("M10", "M12"), "Moscow hosts Pyongyang's envoys."),
            MoveKind(
                "moscow",
                "distraction",
                ("M12", "M13"),
                "A crisis with Russia begins (value: US-Russia relations after it, 0..1).",
                "share",
            ),
            MoveKind("un", "envoy_proposal", ("M10",), "The Secretary-General proposes an envoy."),
            MoveKind(
                "un",
                "envoy",
                ("M10", "M15"),
                "A UN envoy mission (goes ahead only if the channel is open and Washington blessed).",
            ),
        )
    }
)

#: Actor spellings accepted in scenario files.
ACTOR_ALIASES = MappingProxyType(
    {
        "washington": "washington",
        "beijing": "beijing",
        "moscow": "moscow",
        "un": "un",
        "united_nations": "un",
        "unitednations": "un",
        "pyongyang": "pyongyang",
    }
)


@dataclass(frozen=True)
class Move:
    """A dated, scripted move of an outside actor."""

    date: dt.date
    day: int
    actor: str
    kind: str
    value: object = None
    days: int | None = None
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Build one with `load_scenario`; derive others with `with_params`."""

    name: str
    start: dt.date
    horizon_days: int
    title: str = ""
    description: str = ""
    initial: Mapping[str, object] = field(default_factory=dict)
    params: Mapping[str, object] = field(default_factory=dict)
    moves: tuple[Move, ...] = ()
    path: str = "<scenario>"
    base: str | None = None

    def with_params(self, values: Mapping[str, object]) -> Scenario:
        """Return a new scenario with ``values`` (dotted names) overriding its parameters.

        Values may be scalars or 1-D sequences with one value per replicate.
        """
        checked = parameters.validate(values, f"{self.path} (with_params)")
        return replace(self, params=MappingProxyType({**self.params, **checked}))

    def with_initial(self, values: Mapping[str, object]) -> Scenario:
        """Return a new scenario with ``values`` overriding its initial state."""
        checked = _parse_initial(values, f"{self.path} (with_initial)")
        return replace(self, initial=MappingProxyType({**self.initial, **checked}))

    def without_moves(self) -> Scenario:
        """Return a new scenario with no scripted moves (the world left to the actors)."""
        return replace(self, moves=())

    def parameter_values(self) -> dict[str, object]:
        """Every parameter: the registry's defaults overridden by this scenario's values."""
        return {**parameters.defaults(), **self.params}

    def initial_state(self) -> dict[str, object]:
        """Every initial-state variable: defaults overridden by this scenario's values."""
        return {**{f.name: f.default for f in INITIAL_STATE.values()}, **self.initial}

    def date_of(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))


def list_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("negotiation_sim") / "data" / "scenarios"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_scenario(name_or_path: str | Path | Scenario) -> Scenario:
    """Load a shipped scenario by name, or any scenario file by path."""
    if isinstance(name_or_path, Scenario):
        return name_or_path
    text_path = str(name_or_path)
    if text_path in list_scenarios():
        resource = resources.files("negotiation_sim") / "data" / "scenarios" / f"{text_path}.toml"
        return _parse(resource.read_text(encoding="utf-8"), f"{text_path}.toml")
    path = Path(text_path)
    if not path.is_file():
        raise ScenarioError(
            text_path,
            "scenario",
            text_path,
            "allowed: a path to a TOML file or a shipped scenario: " + ", ".join(list_scenarios()),
        )
    return _parse(path.read_text(encoding="utf-8"), str(path))


_TOP_KEYS = {
    "name",
    "title",
    "description",
    "start",
    "horizon_days",
    "initial",
    "params",
    "moves",
    "base",
    "drop_moves",
}
_MOVE_KEYS = {"date", "actor", "kind", "value", "days", "note", "source"}


def _parse(text: str, source: str) -> Scenario:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(source, "<toml>", str(error), "allowed: valid TOML") from None
    return scenario_from_dict(raw, source)


def scenario_from_dict(raw: Mapping, source: str = "<dict>") -> Scenario:
    """Build a validated scenario from a mapping shaped like a scenario file.

    >>> import datetime as dt
    >>> s = scenario_from_dict({"name": "demo", "start": dt.date(2022, 1, 1),
    ...                         "horizon_days": 90, "params": {"beijing.enforcement": 0.9}})
    >>> s.params["beijing.enforcement"]
    0.9
    """
    if not isinstance(raw, Mapping):
        raise ScenarioError(source, "<scenario>", raw, "allowed: a table of scenario keys")
    for key in raw:
        if key not in _TOP_KEYS:
            raise ScenarioError(
                source, key, raw[key], "unknown key; allowed: " + ", ".join(sorted(_TOP_KEYS))
            )
    name = _require(raw, "name", str, source)
    base = _base(raw, source)
    raw = _inherit(raw, base)
    start = _require(raw, "start", dt.date, source)
    if isinstance(start, dt.datetime):
        raise ScenarioError(source, "start", start, "allowed: a TOML date such as 2017-01-01")
    horizon = _require(raw, "horizon_days", int, source)
    if isinstance(horizon, bool) or not 1 <= horizon <= 36500:
        raise ScenarioError(source, "horizon_days", horizon, "allowed: an integer in [1, 36500]")
    initial = _parse_initial(raw.get("initial", {}), source)
    params = parameters.validate(_table(raw, "params", source), source)
    moves = [
        _parse_move(m, i, start, horizon, source) for i, m in enumerate(_moves_list(raw, source))
    ]
    if base is not None:
        kept = _drop_moves(base.moves, raw.get("drop_moves", []), source)
        moves = [_redate(m, start, horizon, source) for m in kept] + moves
    return Scenario(
        name=name,
        start=start,
        horizon_days=horizon,
        title=str(raw.get("title", "")),
        description=str(raw.get("description", "")),
        initial=MappingProxyType({**(base.initial if base else {}), **initial}),
        params=MappingProxyType({**(base.params if base else {}), **params}),
        moves=tuple(sorted(moves, key=lambda m: m.day)),
        path=source,
        base=base.name if base else None,
    )


def _base(raw: Mapping, source: str) -> Scenario | None:
    """The scenario a counterfactual builds on: a shipped name, or a path beside ``source``."""
    if "base" not in raw:
        if "drop_moves" in raw:
            raise ScenarioError(
                source,
                "drop_moves",
                raw["drop_moves"],
                "allowed: only together with base = <scenario>",
            )
        return None
    name = raw["base"]
    if not isinstance(name, str) or name == raw.get("name"):
        raise ScenarioError(source, "base", name, "allowed: another scenario's name or path")
    if name in list_scenarios():
        return load_scenario(name)
    path = Path(source).parent / name
    if not path.is_file():
        raise ScenarioError(
            source,
            "base",
            name,
            "allowed: a shipped scenario ("
            + ", ".join(list_scenarios())
            + ") or a path to a TOML file",
        )
    return load_scenario(path)


def _inherit(raw: Mapping, base: Scenario | None) -> Mapping:
    """Start and horizon come from the base unless the counterfactual sets them."""
    if base is None:
        return raw
    return {
        "start": base.start,
        "horizon_days": base.horizon_days,
        "title": base.title,
        "description": base.description,
        **raw,
    }


def _drop_moves(moves: tuple[Move, ...], drops: object, source: str) -> list[Move]:
    """The base's moves less those ``[[drop_moves]]`` names; each must name exactly one."""
    if not isinstance(drops, list) or not all(isinstance(d, Mapping) for d in drops):
        raise ScenarioError(
            source,
            "drop_moves",
            drops,
            "allowed: an array of tables [[drop_moves]] with date, actor, kind",
        )
    kept = list(moves)
    for index, drop in enumerate(drops):
        key = (
            drop.get("date"),
            ACTOR_ALIASES.get(str(drop.get("actor", "")).lower()),
            drop.get("kind"),
        )
        found = [m for m in kept if (m.date, m.actor, m.kind) == key]
        if len(found) != 1 or set(drop) - {"date", "actor", "kind"}:
            listed = "; ".join(f"{m.date} {m.actor} {m.kind}" for m in moves)
            raise ScenarioError(
                source,
                f"drop_moves[{index}]",
                dict(drop),
                f"allowed: date, actor and kind of one of the base's moves: {listed}",
            )
        kept.remove(found[0])
    return kept


def _redate(move: Move, start: dt.date, horizon: int, source: str) -> Move:
    """A base move counted from this scenario's start; it must still fall in the horizon."""
    day = (move.date - start).days
    if not 0 <= day < horizon:
        raise ScenarioError(
            source,
            "horizon_days",
            horizon,
            f"allowed: a start and horizon that keep the base's move of {move.date.isoformat()}",
        )
    return replace(move, day=day)


def _require(raw: Mapping, key: str, kind: type, source: str) -> object:
    if key not in raw:
        raise ScenarioError(source, key, None, f"missing; allowed: a {kind.__name__}")
    value = raw[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ScenarioError(source, key, value, f"allowed: a {kind.__name__}")
    return value


def _table(raw: Mapping, key: str, source: str) -> Mapping:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ScenarioError(source, key, value, "allowed: a table")
    return value


def _moves_list(raw: Mapping, source: str) -> list:
    moves = raw.get("moves", [])
    if not isinstance(moves, list) or not all(isinstance(m, Mapping) for m in moves):
        raise ScenarioError(source, "moves", moves, "allowed: an array of tables [[moves]]")
    return moves


def _parse_initial(raw: object, source: str) -> dict[str, object]:
    if not isinstance(raw, Mapping):
        raise ScenarioError(source, "initial", raw, "allowed: a table")
    out = {}
    for key, value in raw.items():
        if key not in INITIAL_STATE:
            raise ScenarioError(
                source, f"initial.{key}", value, "unknown key; allowed: " + ", ".join(INITIAL_STATE)
            )
        out[key] = INITIAL_STATE[key].validate(value, source)
    return out


def _parse_move(raw: Mapping, index: int, start: dt.date, horizon: int, source: str) -> Move:
    where = f"moves[{index}]"
    for key in raw:
        if key not in _MOVE_KEYS:
            raise ScenarioError(
                source,
                f"{where}.{key}",
                raw[key],
                "unknown key; allowed: " + ", ".join(sorted(_MOVE_KEYS)),
            )
    date = raw.get("date")
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise ScenarioError(
            source, f"{where}.date", date, "allowed: a TOML date such as 2017-11-21"
        )
    day = (date - start).days
    if not 0 <= day < horizon:
        end = start + dt.timedelta(days=horizon - 1)
        raise ScenarioError(
            source,
            f"{where}.date",
            date.isoformat(),
            f"allowed: a date from {start.isoformat()} to {end.isoformat()}",
        )
    actor = ACTOR_ALIASES.get(str(raw.get("actor", "")).lower())
    if actor is None or actor == "pyongyang":
        raise ScenarioError(
            source,
            f"{where}.actor",
            raw.get("actor"),
            "allowed: washington, beijing, moscow or un (Pyongyang's moves and "
            "Security Council votes are never scripted)",
        )
    kind = raw.get("kind")
    spec = MOVE_KINDS.get((actor, kind))
    if spec is None:
        kinds = [k for (a, k) in MOVE_KINDS if a == actor]
        raise ScenarioError(
            source, f"{where}.kind", kind, f"allowed for {actor}: " + ", ".join(kinds)
        )
    value, days = _move_value(raw, spec, where, source)
    return Move(
        date=date,
        day=day,
        actor=actor,
        kind=kind,
        value=value,
        days=days,
        note=str(raw.get("note", "")),
        source=str(raw.get("source", "")),
    )


def _move_value(raw: Mapping, spec: MoveKind, where: str, source: str) -> tuple[object, int | None]:
    value, days = raw.get("value"), raw.get("days")
    if spec.value is None:
        if value is not None or days is not None:
            raise ScenarioError(
                source, f"{where}.value", value, f"allowed: no value for {spec.actor} {spec.kind}"
            )
        return None, None
    if spec.value == "share":
        if days is not None:
            raise ScenarioError(source, f"{where}.days", days, "allowed: no days for this kind")
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or not 0 <= value <= 1
        ):
            raise ScenarioError(source, f"{where}.value", value, "allowed: a number in [0, 1]")
        return float(value), None
    value = _as_move_field(
        parameters.get("washington.precondition"), value, f"{where}.value", source
    )
    if days is not None and value not in ("test_pause", "behaviour_change"):
        raise ScenarioError(
            source, f"{where}.days", days, "allowed: days only with test_pause or behaviour_change"
        )
    if days is not None:
        entry = "washington.pause_days" if value == "test_pause" else "washington.behaviour_days"
        days = _as_move_field(parameters.get(entry), days, f"{where}.days", source)
    return value, days


def _as_move_field(entry: parameters.Parameter, value: object, key: str, source: str) -> object:
    """Validate a move's field against a registry entry, naming the move's key in errors."""
    if isinstance(value, (list, tuple)):
        raise ScenarioError(source, key, value, entry.allowed())
    try:
        return entry.validate(value, source)
    except ScenarioError as error:
        raise ScenarioError(source, key, value, error.allowed) from None
