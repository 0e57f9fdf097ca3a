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

One model for every year. A scenario file sets the ``context`` of its period and the
``policy`` of its actors (the roles in `negotiation_sim.parameters`); behaviour is one value
for every year, calibrated jointly (``data/calibrated.toml``). A file that sets a behaviour
parameter is a counterfactual and must say so, with ``base`` or ``counterfactual = true``
(which `Scenario.save` writes for a scenario whose behaviour was changed); otherwise it is
refused. `Scenario.with_params`, dictionaries and sweeps may vary anything.

Scripted history and the user's values. A scenario file's own ``[params]`` are the values at
its start; its dated moves change them as history did (Beijing's enforcement rises on 18
February 2017). A value the user sets (`Scenario.with_params`, ``params=`` of `run`, `compare`
and `sweep`, ``--set`` on the command line, the dashboard's controls, a counterfactual's
``[params]`` over its base) is *held*: it holds for the whole run, and a move that would set
the same quantity leaves it as the user set it. Such a move keeps its other effects (a
precondition move still restates the offer; Russia's crisis still starts); a move that only
sets the quantity is left out. `Scenario.held_moves` lists what a hold overrides. To let the
moves apply instead, pass ``hold=False`` (the value is then only the starting value) or drop
the moves with `Scenario.without_moves`. A file may hold its own values with
``hold = ["beijing.enforcement", ...]``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np

from negotiation_sim import parameters
from negotiation_sim.actors import ACTORS
from negotiation_sim.declarations import MoveKind
from negotiation_sim.errors import ScenarioError, allowed_text, check_integer, check_value

#: The longest run in days: a scenario's horizon, or the days one run may ask for (a century).
MAX_DAYS = 36_500
#: How deep counterfactuals may build on one another (a base of a base of ...).
MAX_BASE_DEPTH = 16


@dataclass(frozen=True)
class StateField:
    """One variable of the initial state a scenario may set."""

    name: str
    default: float | int | bool
    low: float | int | None
    high: float | int | None
    kind: str  # real | integer | flag
    doc: str

    def range_text(self) -> str:
        """The values this field accepts, in words (the reference's range column)."""
        return allowed_text(self.kind, self.low, self.high)

    def validate(self, value: object, source: str) -> object:
        return check_value(source, f"initial.{self.name}", value, self.kind, self.low, self.high)


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


#: Every move kind a scenario may script, by (actor, kind), as each actor declares them
#: (`Actor.move_kinds`). Pyongyang's moves are never scripted.
MOVE_KINDS: Mapping[tuple[str, str], MoveKind] = MappingProxyType(
    {(m.actor, m.kind): m for actor in ACTORS for m in actor.move_kinds}
)

#: The parameter a precondition move's ``days`` sets, by the precondition it names.
DAYS_OF_PRECONDITION: Mapping[str, str] = MappingProxyType(
    {"test_pause": "washington.pause_days", "behaviour_change": "washington.behaviour_days"}
)

#: Actor spellings accepted in scenario files: each actor's key, its label and its aliases.
ACTOR_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        spelling.lower(): actor.key
        for actor in ACTORS
        for spelling in (actor.key, actor.label, *actor.aliases)
    }
)
#: The actors whose moves a scenario may script.
SCRIPTED_ACTORS = tuple(dict.fromkeys(actor for actor, _ in MOVE_KINDS))


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
    #: Parameters the user's values hold: the move leaves their quantities alone.
    held: frozenset[str] = frozenset()

    @property
    def spec(self) -> MoveKind:
        return MOVE_KINDS[(self.actor, self.kind)]

    def quantities(self) -> dict[str, object]:
        """Every parameter quantity the move's value and days set (registry name to value),
        held or not."""
        out = {}
        if self.spec.sets is not None and self.value is not None:
            out[self.spec.sets] = self.value
        if self.days is not None and self.spec.lasts is None:
            out[DAYS_OF_PRECONDITION[self.value]] = self.days
        return out

    @property
    def sets(self) -> dict[str, object]:
        """The parameter quantities this move sets on its date, less those held."""
        return {name: v for name, v in self.quantities().items() if name not in self.held}

    def label(self) -> str:
        """The move as a reader names it: ``2017-02-18 beijing enforcement``."""
        return f"{self.date.isoformat()} {self.actor} {self.kind}"

    def to_dict(self) -> dict[str, object]:
        """The move as a ``[[moves]]`` table."""
        out: dict[str, object] = {"date": self.date, "actor": self.actor, "kind": self.kind}
        for key in ("value", "days"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        for key in ("note", "source"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario. Build one with `load_scenario` or `scenario_from_dict`; derive
    others with `with_params`, `with_initial` and `without_moves`; write one with `save`.

    Two scenarios are equal when their content is (name, dates, texts, initial state,
    parameters, held parameters and moves), wherever they were read from.
    """

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
    #: Parameters whose values hold for the whole run: scripted moves leave them alone.
    held: frozenset[str] = frozenset()

    def with_params(self, values: Mapping[str, object], *, hold: bool = True) -> Scenario:
        """Return a new scenario with ``values`` (dotted names) overriding its parameters.

        Values may be scalars or 1-D sequences with one value per replicate. With ``hold``
        (the default) they hold for the whole run: a scripted move that would set the same
        quantity leaves it alone (see `held_moves`). ``hold=False`` makes them starting values
        that the scenario's moves change on their dates, as the file's own values are.
        """
        checked = parameters.validate(values, f"{self.path} (with_params)")
        held = self.held | set(checked) if hold else self.held - set(checked)
        return replace(
            self, params=MappingProxyType({**self.params, **checked}), held=frozenset(held)
        )

    def with_initial(self, values: Mapping[str, object]) -> Scenario:
        """Return a new scenario with ``values`` overriding its initial state."""
        checked = _parse_initial(values, f"{self.path} (with_initial)")
        return replace(self, initial=MappingProxyType({**self.initial, **checked}))

    def without_moves(self, *selectors: str) -> Scenario:
        """Return a new scenario without scripted moves: all of them, or those ``selectors``
        name. A selector is an actor (``"beijing"``), a kind (``"us_sanctions"``) or both
        (``"washington.precondition"``), as `MOVE_KINDS` lists them.

        >>> s = load_scenario("pressure-2017")
        >>> kept = s.without_moves("washington.us_sanctions", "beijing")
        >>> sorted({m.actor for m in kept.moves} & {"beijing", "washington"})
        ['washington']
        >>> len(s.without_moves().moves)
        0
        """
        if not selectors:
            return replace(self, moves=())
        chosen = move_kinds_selected(selectors, f"{self.path} (without_moves)")
        return replace(self, moves=tuple(m for m in self.moves if (m.actor, m.kind) not in chosen))

    def applied_moves(self) -> tuple[Move, ...]:
        """The moves as the model applies them: quantities of held parameters are left to the
        user's values, and a move that would only set such a quantity is left out."""
        applied = []
        for move in self.moves:
            held = self.held & move.quantities().keys()
            if held:
                move = replace(move, held=frozenset(held))
                if move.spec.only_sets and not move.sets:
                    continue
            applied.append(move)
        return tuple(applied)

    def held_moves(self) -> list[tuple[Move, dict[str, object]]]:
        """Each move a held parameter overrides, with the values it would have set."""
        out = []
        for move in self.moves:
            overridden = {n: v for n, v in move.quantities().items() if n in self.held}
            if overridden:
                out.append((move, overridden))
        return out

    def parameter_values(self) -> dict[str, object]:
        """Every parameter: the registry's defaults overridden by this scenario's values."""
        return {**parameters.defaults(), **self.params}

    def initial_state(self) -> dict[str, object]:
        """Every initial-state variable: defaults overridden by this scenario's values."""
        return {**{f.name: f.default for f in INITIAL_STATE.values()}, **self.initial}

    @property
    def max_days(self) -> int:
        """The most days a run of this scenario may cover: `MAX_DAYS`, or fewer when the
        calendar (which ends on 31 December 9999) ends first."""
        return min(MAX_DAYS, dt.date.max.toordinal() - self.start.toordinal() + 1)

    def date_of(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    # --- as data ------------------------------------------------------------------------
    @property
    def changes_behaviour(self) -> bool:
        """Whether the scenario sets a behaviour parameter: then it is a counterfactual of the
        one model every year shares, not a period of history."""
        return any(parameters.REGISTRY[n].role == "behaviour" for n in self.params)

    def to_dict(self) -> dict[str, object]:
        """The scenario as plain data shaped like a scenario file, self-contained: a
        counterfactual's base is resolved into it (`scenario_from_dict` reads it back)."""
        out: dict[str, object] = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "start": self.start,
            "horizon_days": self.horizon_days,
        }
        if self.held:
            out["hold"] = sorted(self.held)
        out["initial"] = dict(self.initial)
        out["params"] = {name: _plain(value) for name, value in self.params.items()}
        if self.changes_behaviour:
            out["counterfactual"] = True
        out["moves"] = [move.to_dict() for move in self.moves]
        return out

    def to_toml(self) -> str:
        """The scenario as the text of a TOML scenario file that `load_scenario` reads back
        to an equal scenario."""
        import tomlkit

        from negotiation_sim import __version__

        where = f" from {self.path}" if self.path != "<scenario>" else ""
        based = f", a counterfactual of {self.base} with its base resolved" if self.base else ""
        header = (
            f"# Scenario {self.name!r}{based}: written by negotiation_sim {__version__}{where}.\n"
        )
        data = self.to_dict()
        if not data["moves"]:
            del data["moves"]  # tomlkit writes an empty list as an array, not a table array
        return header + tomlkit.dumps(data)

    def save(self, path: str | Path) -> Path:
        """Write `to_toml` to ``path`` (a new or existing file in an existing folder)."""
        path = Path(path)
        try:
            path.write_text(self.to_toml(), encoding="utf-8")
        except OSError as error:
            raise ScenarioError(
                str(path), "path", str(path), f"allowed: a writable file path ({error.strerror})"
            ) from None
        return path

    def fingerprint(self) -> str:
        """A SHA-256 hex digest of the content: equal scenarios have equal fingerprints."""
        return hashlib.sha256(self._canonical().encode()).hexdigest()

    def _canonical(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, default=dt.date.isoformat)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self._canonical() == other._canonical()

    def __hash__(self) -> int:
        return hash(self._canonical())

    def __reduce__(self):
        # Mapping proxies do not pickle; sweeps and process pools send scenarios to workers.
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values["initial"], values["params"] = dict(self.initial), dict(self.params)
        return (_rebuild, (values,))


def _rebuild(values: dict) -> Scenario:
    values["initial"] = MappingProxyType(values["initial"])
    values["params"] = MappingProxyType(values["params"])
    return Scenario(**values)


def _plain(value: object) -> object:
    """A parameter value as TOML and JSON hold it: arrays as lists of Python scalars."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value.item() if isinstance(value, np.generic) else value


def move_kinds_selected(selectors: Iterable[str], source: str) -> set[tuple[str, str]]:
    """The (actor, kind) pairs of `MOVE_KINDS` that ``selectors`` name: an actor, a kind, or
    ``actor.kind``."""
    chosen = set()
    for selector in selectors:
        if not isinstance(selector, str):
            raise ScenarioError(source, "without_moves", selector, _SELECTORS_ALLOWED)
        head, dot, kind = selector.lower().partition(".")
        actor = ACTOR_ALIASES.get(head)
        if dot:
            matched = {(actor, kind)} & MOVE_KINDS.keys()
        else:
            matched = {key for key in MOVE_KINDS if actor == key[0] or head == key[1]}
        if not matched:
            raise ScenarioError(source, "without_moves", selector, _SELECTORS_ALLOWED)
        chosen |= matched
    return chosen


_SELECTORS_ALLOWED = (
    f"allowed: an actor ({', '.join(SCRIPTED_ACTORS)}), a move kind or actor.kind: "
    + ", ".join(f"{a}.{k}" for a, k in MOVE_KINDS)
)


def list_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("negotiation_sim") / "data" / "scenarios"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_scenario(name_or_path: str | Path | Scenario) -> Scenario:
    """A scenario from a shipped scenario's name, a TOML file's path, or a `Scenario` (returned
    as it is): every entry point that takes a scenario takes any of the three."""
    return _load(name_or_path, ())


def _load(name_or_path: object, chain: tuple[str, ...]) -> Scenario:
    if isinstance(name_or_path, Scenario):
        return name_or_path
    if not isinstance(name_or_path, (str, Path)):
        raise ScenarioError(
            "<scenario>",
            "scenario",
            name_or_path,
            "allowed: a shipped scenario's name, a path to a TOML file or a Scenario",
        )
    text_path = str(name_or_path)
    if text_path in list_scenarios():
        resource = resources.files("negotiation_sim") / "data" / "scenarios" / f"{text_path}.toml"
        raw = parse_toml(resource.read_bytes(), f"{text_path}.toml")
        return _from_dict(raw, f"{text_path}.toml", (*chain, f"shipped:{text_path}"), file=True)
    path = Path(text_path)
    if not _is_file(path):
        raise ScenarioError(
            text_path,
            "scenario",
            text_path,
            "allowed: a path to a TOML file or a shipped scenario: " + ", ".join(list_scenarios()),
        )
    raw = read_toml(path, str(path))
    return _from_dict(raw, str(path), (*chain, str(path.resolve())), file=True)


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; False for names the system cannot even look up."""
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long, or holding a NUL byte
        return False


def read_toml(path: str | Path, source: str) -> dict:
    """The TOML file at ``path`` as a dict; any problem reading or parsing it is a
    `ScenarioError` naming ``source``."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ScenarioError(
            source, "<file>", str(path), f"allowed: a readable file ({error.strerror})"
        ) from None
    return parse_toml(data, source)


def parse_toml(data: bytes | str, source: str) -> dict:
    """TOML text or UTF-8 bytes (a byte-order mark is allowed) as a dict, or `ScenarioError`
    naming the encoding or syntax problem."""
    if isinstance(data, bytes):
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ScenarioError(
                source, "<file>", "UTF-16 text", "allowed: a TOML file encoded as UTF-8"
            )
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ScenarioError(
                source,
                "<file>",
                f"byte 0x{data[error.start]:02x} at offset {error.start}",
                "allowed: a TOML file encoded as UTF-8 (not binary, Latin-1 or UTF-16)",
            ) from None
    if "\x00" in data:  # valid UTF-8, but never in TOML: binary, or UTF-16 without a mark
        raise ScenarioError(
            source,
            "<file>",
            f"a NUL byte at offset {data.index(chr(0))}",
            "allowed: a TOML file encoded as UTF-8 (not binary or UTF-16)",
        )
    try:
        return tomllib.loads(data)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(source, "<toml>", str(error), "allowed: valid TOML") from None
    except RecursionError:
        raise ScenarioError(
            source, "<toml>", "arrays or tables nested too deeply", "allowed: valid TOML"
        ) from None


_TOP_KEYS = {
    "name",
    "title",
    "description",
    "start",
    "horizon_days",
    "initial",
    "params",
    "hold",
    "moves",
    "base",
    "drop_moves",
    "counterfactual",
}
_MOVE_KEYS = {"date", "actor", "kind", "value", "days", "note", "source"}


def scenario_from_dict(raw: Mapping, source: str = "<dict>") -> Scenario:
    """Build a validated scenario from a mapping shaped like a scenario file.

    >>> import datetime as dt
    >>> s = scenario_from_dict(
    ...     {"name": "demo", "start": dt.date(2022, 1, 1), "horizon_days": 90,
    ...      "params": {"beijing.enforcement": 0.9}}
    ... )
    >>> s.params["beijing.enforcement"]
    0.9
    """
    return _from_dict(raw, source, ())


def _from_dict(
    raw: Mapping, source: str, chain: tuple[str, ...], *, file: bool = False
) -> Scenario:
    if not isinstance(raw, Mapping):
        raise ScenarioError(source, "<scenario>", raw, "allowed: a table of scenario keys")
    for key in raw:
        if key not in _TOP_KEYS:
            raise ScenarioError(
                source, key, raw[key], "unknown key; allowed: " + ", ".join(sorted(_TOP_KEYS))
            )
    name = _require(raw, "name", str, source)
    if not name.strip() or not name.isprintable():
        raise ScenarioError(source, "name", name, "allowed: a non-empty one-line string")
    base = _base(raw, source, chain)
    raw = _inherit(raw, base)
    start = _require(raw, "start", dt.date, source)
    if isinstance(start, dt.datetime):
        raise ScenarioError(source, "start", start, "allowed: a TOML date such as 2017-01-01")
    horizon = _require(raw, "horizon_days", int, source)
    check_integer(source, "horizon_days", horizon, 1, MAX_DAYS)
    last = dt.date.max.toordinal() - start.toordinal() + 1
    if horizon > last:
        raise ScenarioError(
            source,
            "horizon_days",
            horizon,
            f"allowed: at most {last} days from {start.isoformat()} (the calendar ends on "
            f"{dt.date.max.isoformat()})",
        )
    initial = _parse_initial(raw.get("initial", {}), source)
    params = parameters.validate(_table(raw, "params", source), source)
    counterfactual = raw.get("counterfactual", False)
    if not isinstance(counterfactual, bool):
        raise ScenarioError(source, "counterfactual", counterfactual, "allowed: true or false")
    if file and base is None and not counterfactual:
        _refuse_behaviour(params, source)
    held = _hold(raw, source) | (set(params) if base is not None else set())
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
        title=_text(raw, "title", source),
        description=_text(raw, "description", source),
        initial=MappingProxyType({**(base.initial if base else {}), **initial}),
        params=MappingProxyType({**(base.params if base else {}), **params}),
        moves=tuple(sorted(moves, key=lambda m: m.day)),
        path=source,
        base=base.name if base else None,
        held=frozenset(held | (base.held if base else set())),
    )


def _refuse_behaviour(params: Mapping[str, object], source: str) -> None:
    """A scenario file of a period sets its context and policy; behaviour is one value for every
    year (calibrated jointly), so a file that changes it must say it is a counterfactual."""
    for name, value in params.items():
        if parameters.REGISTRY[name].role == "behaviour":
            raise ScenarioError(
                source,
                name,
                _plain(value),
                "allowed: context and policy parameters; this is behaviour, one value for "
                "every year (data/calibrated.toml). A file that changes behaviour is a "
                'counterfactual: build it on a scenario with base = "pressure-2017" (say), '
                "or mark it counterfactual = true",
            )


def _text(raw: Mapping, key: str, source: str, where: str = "") -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ScenarioError(source, f"{where}.{key}" if where else key, value, "allowed: a string")
    return value


def _hold(raw: Mapping, source: str) -> set[str]:
    """The parameters a file holds against its own moves (``hold = [...]``)."""
    names = raw.get("hold", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ScenarioError(source, "hold", names, "allowed: an array of parameter names")
    for name in names:
        try:
            parameters.get(name, source)
        except ScenarioError as error:
            raise ScenarioError(source, "hold", name, error.allowed) from None
    return set(names)


def _base(raw: Mapping, source: str, chain: tuple[str, ...]) -> Scenario | None:
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
    if not isinstance(name, str) or not name or name == raw.get("name"):
        raise ScenarioError(source, "base", name, "allowed: another scenario's name or path")
    if name in list_scenarios():
        key = f"shipped:{name}"
    else:
        path = Path(source).parent / name
        if not _is_file(path):
            raise ScenarioError(
                source,
                "base",
                name,
                "allowed: a shipped scenario ("
                + ", ".join(list_scenarios())
                + ") or a path to a TOML file",
            )
        name, key = str(path), str(path.resolve())
    if key in chain:
        raise ScenarioError(
            source, "base", raw["base"], "allowed: a base that does not lead back to this file"
        )
    if len(chain) >= MAX_BASE_DEPTH:
        raise ScenarioError(
            source, "base", raw["base"], f"allowed: at most {MAX_BASE_DEPTH} bases in a chain"
        )
    return _load(name, chain)


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
    if actor not in SCRIPTED_ACTORS:
        raise ScenarioError(
            source,
            f"{where}.actor",
            raw.get("actor"),
            f"allowed: {', '.join(SCRIPTED_ACTORS[:-1])} or {SCRIPTED_ACTORS[-1]} (Pyongyang's "
            "moves and Security Council votes are never scripted)",
        )
    kind = raw.get("kind")
    spec = MOVE_KINDS.get((actor, kind)) if isinstance(kind, str) else None
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
        note=_text(raw, "note", source, where),
        source=_text(raw, "source", source, where),
    )


def _move_value(raw: Mapping, spec: MoveKind, where: str, source: str) -> tuple[object, int | None]:
    """A move's value (checked by the registry entry of the quantity it sets) and its days
    (for a precondition that has a length, or a move that lasts, such as an exercise)."""
    value, days = raw.get("value"), raw.get("days")
    if spec.lasts is not None and days is not None:
        days = _as_move_field(parameters.get(spec.lasts), days, f"{where}.days", source)
    elif spec.sets is None and days is not None:
        raise ScenarioError(
            source, f"{where}.days", days, f"allowed: no days for {spec.actor} {spec.kind}"
        )
    if spec.sets is None:
        if value is not None:
            raise ScenarioError(
                source, f"{where}.value", value, f"allowed: no value for {spec.actor} {spec.kind}"
            )
        return None, days
    value = _as_move_field(parameters.get(spec.sets), value, f"{where}.value", source)
    if days is not None and (
        spec.sets != "washington.precondition" or value not in DAYS_OF_PRECONDITION
    ):
        raise ScenarioError(
            source,
            f"{where}.days",
            days,
            "allowed: days only with a precondition of " + " or ".join(DAYS_OF_PRECONDITION),
        )
    if days is not None:
        entry = parameters.get(DAYS_OF_PRECONDITION[value])
        days = _as_move_field(entry, days, f"{where}.days", source)
    return value, days


def _as_move_field(entry: parameters.Parameter, value: object, key: str, source: str) -> object:
    """Validate a move's field against a registry entry, naming the move's key in errors."""
    if isinstance(value, (list, tuple)):
        raise ScenarioError(source, key, value, entry.allowed())
    try:
        return entry.validate(value, source)
    except ScenarioError as error:
        raise ScenarioError(source, key, value, error.allowed) from None
