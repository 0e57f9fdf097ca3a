"""Parameter sweeps: a space of registry parameters, a design, and many batched replicates.

A sweep is a `SweepSpec`: a scenario (a shipped name, a path or a `Scenario`; the spec keeps
the resolved `Scenario`, so workers receive its content, not a path), a space (registry names
mapped to lists of values or to ``{"low": ..., "high": ...}`` ranges; by default every
continuous parameter over its registry range), a design (``grid``, ``lhs``, ``sobol``,
``morris``), a number of replicates per point and a seed. The design turns the space into
parameter points; the points are cut into chunks, and each chunk runs as one batched model in
which every point's replicates use the same replicate seeds. A replicate's stream depends only
on its own seed, so results are bit-identical whatever the backend (see
`negotiation_sim.backends`), the number of workers or the chunk size. The space's values are
*held* (see `negotiation_sim.scenarios`): a scripted move that sets a swept quantity leaves it
as the sweep sets it.

The result is a `SweepResult`: a per-point table (`SweepResult.points`, one row per point, one
column per parameter) and a per-replicate table (`SweepResult.outcomes`: ``point``, ``seed``
and every outcome), so the parameters are kept once per point, not once per replicate.
`SweepResult.frame` joins them into one row per replicate; `SweepResult.groupby` groups the
replicates by parameters (or outcomes) directly.

    >>> import negotiation_sim as ns
    >>> result = ns.sweep("pressure-2017", {"pyongyang.salvo": [0.2, 0.4]}, replicates=3,
    ...                   days=30, backend="serial")
    >>> len(result.points), len(result.outcomes), list(result.outcomes.columns[:2])
    (2, 6, ['point', 'seed'])
    >>> list(result.frame().columns[:3])
    ['point', 'pyongyang.salvo', 'seed']
    >>> result.groupby("pyongyang.salvo")["missiles"].mean().index.tolist()
    [0.2, 0.4]

Limits, checked before anything is allocated or run: a design has at most `MAX_POINTS` points
(its size is computed, not built: a grid's is the product of its levels, lhs's is ``points``,
sobol's ``N * (D + 2)``, morris's ``N * (D + 1)``); a point has at most
`negotiation_sim.model.MAX_REPLICATES` replicates, and a chunk's replicates must fit in memory;
results returned in memory hold at most `MAX_ROWS` replicate rows and must fit in
`negotiation_sim.model.MEMORY_SHARE` of the machine's memory (a sweep into a store with
``load=False`` has no such bound: its rows stay on disk).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import InitVar, dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from negotiation_sim import parameters as registry
from negotiation_sim.backends import (  # noqa: F401 - the constants are imported from here too
    BACKENDS,
    MAX_WORKERS,
    SCHEDULER_TIMEOUT,
    ChunksFailed,
    open_backend,
)
from negotiation_sim.errors import ScenarioError, check_integer
from negotiation_sim.model import MAX_REPLICATES, MEMORY_SHARE, NegotiationModel, check_memory
from negotiation_sim.outcomes import OUTCOMES
from negotiation_sim.posterior import UNCERTAINTIES, packaged
from negotiation_sim.scenarios import (
    Scenario,
    list_scenarios,
    load_scenario,
    read_toml,
    scenario_from_dict,
)
from negotiation_sim.streams import replicate_seeds

DESIGNS = ("grid", "lhs", "sobol", "morris")
#: Levels of a range in a grid when ``points`` is not given.
GRID_LEVELS = 5
#: Points of an lhs design, or base samples of sobol and morris, when ``points`` is not given.
DEFAULT_POINTS = {"lhs": 100, "sobol": 64, "morris": 20}
#: Replicates per chunk the default chunk size aims for: a batch this size runs near full
#: speed, and its float64 temporaries (128 KB) stay under glibc's mmap threshold, which Dask's
#: workers pin at 128 KiB (above it every temporary is mapped and unmapped: ~2.4x slower).
CHUNK_REPLICATES = 16_000
MORRIS_LEVELS = 4
#: The most points one sweep's design may have (ten million: a day of a 2-core machine at
#: 10 replicates x 365 days; the design table alone is points x parameters x 8 bytes).
MAX_POINTS = 10_000_000
#: The most replicate rows (points x replicates) a sweep returns in memory.
MAX_ROWS = 1_000_000_000
#: The largest seed (replicate seeds are 63-bit).
MAX_SEED = 2**63 - 1
#: Bytes a replicate row of `SweepResult.outcomes` takes (8 per column), for the memory check.
ROW_BYTES = 8 * (len(OUTCOMES) + 1)


class SweepFailed(ChunksFailed):
    """Chunks that failed twice: their points (``failures`` holds each chunk's list of
    points), and why. Every other chunk was kept."""

    def __init__(self, failures: Sequence[tuple[list[int], str]]) -> None:
        points = sorted(p for chunk, _ in failures for p in chunk)
        super().__init__(
            failures,
            f"{len(points)} point(s) failed twice and were not run: {_abbreviate(points)}",
        )


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep: ``stored`` finished points are in the store at ``store``
    (0 and None without a store), and a resume continues from them."""

    def __init__(self, store: str | None, stored: int) -> None:
        self.store, self.stored = store, stored
        where = f"; {stored} finished point(s) in {store}" if store else ""
        super().__init__(f"sweep interrupted{where}")


# --- the specification --------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class SweepSpec:
    """What a sweep runs; stored with its results so a resume can check it is the same sweep.

    ``scenario`` may be a shipped name, a path or a `Scenario`; the spec keeps the `Scenario`
    (with ``without_moves`` applied: selectors as `Scenario.without_moves`, an empty list
    dropping every scripted move). ``points`` and ``days`` are kept as the design and the runs
    use them: the defaults are filled in (``points`` is None for a grid of lists only).

    Two specs are equal when they run the same sweep: the same scenario content, the same
    space *in the same key order* (the order decides the design's points) and the same
    numbers.
    """

    scenario: Scenario
    space: Mapping[str, object] | None = None
    replicates: int = 10
    seed: int = 0
    design: str = "grid"
    points: int | None = None
    days: int | None = None
    source: str = "<sweep>"
    without_moves: InitVar[Sequence[str] | None] = None
    #: ``"none"`` or ``"posterior"``: replicate i of every point runs posterior draw i.
    uncertainty: str = "none"

    def __post_init__(self, without_moves: Sequence[str] | None) -> None:
        source = self.source
        check_integer(source, "replicates", self.replicates, 1, MAX_REPLICATES)
        check_integer(source, "seed", self.seed, 0, MAX_SEED)
        if self.points is not None:
            check_integer(source, "points", self.points, 1)
        if not isinstance(self.uncertainty, str) or self.uncertainty not in UNCERTAINTIES:
            raise ScenarioError(
                source,
                "uncertainty",
                self.uncertainty,
                "allowed: 'none' (the posterior medians) or 'posterior' (replicate i of every "
                "point runs posterior draw i)",
            )
        if not isinstance(self.design, str) or self.design not in DESIGNS:
            raise ScenarioError(
                source, "design", self.design, "allowed: one of " + ", ".join(DESIGNS)
            )
        scenario = _resolve_scenario(self.scenario, source)
        if without_moves is not None:
            scenario = _without_moves(scenario, without_moves, source)
        days = scenario.horizon_days if self.days is None else self.days
        check_integer(source, "days", days, 1, scenario.max_days)
        space = parse_space(self.space, source)
        if self.design in ("sobol", "morris") and any(
            not isinstance(v, dict) for v in space.values()
        ):
            raise ScenarioError(
                source,
                "space",
                _first_list(space),
                f"allowed for design {self.design!r}: ranges {{ low = ..., high = ... }} only",
            )
        if self.design == "grid":
            ranged = any(isinstance(v, dict) for v in space.values())
            points = (self.points or GRID_LEVELS) if ranged else None
        else:
            points = self.points or DEFAULT_POINTS[self.design]
        for name, value in (("scenario", scenario), ("space", space), ("points", points)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "days", int(days))
        _check_size(self)

    @property
    def size(self) -> int:
        """The number of points of the design, computed without building it."""
        return design_size(self.design, self.space, self.points)

    def to_dict(self) -> dict:
        """The specification as plain JSON data, what the store keeps and compares: the
        scenario's whole content (dates as ISO text) and fingerprint, the space in its key
        order, and the numbers."""
        return {
            "scenario": _json(self.scenario.to_dict()),
            "scenario_fingerprint": self.scenario.fingerprint(),
            "space": _json(self.space),
            "replicates": int(self.replicates),
            "seed": int(self.seed),
            "design": self.design,
            "points": self.points,
            "days": self.days,
            "uncertainty": self.uncertainty,
            # Which posterior: resuming with another one would mix two sets of draws.
            "posterior": packaged().fingerprint() if self.uncertainty == "posterior" else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping, source: str = "<sweep>") -> SweepSpec:
        """The spec `to_dict` described (as a store keeps it)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("scenario"), Mapping):
            raise ScenarioError(source, "spec", data, "allowed: a sweep specification's data")
        return cls.from_table(scenario_from_dict(_dated(data["scenario"]), source), data, source)

    @classmethod
    def from_table(cls, scenario: object, table: Mapping, source: str) -> SweepSpec:
        """A spec of ``scenario`` from a table shaped like a spec file (a file's, or the
        store's); keys the table lacks take the defaults."""
        given = {key: table[key] for key in _SPEC_KEYS - {"scenario"} if key in table}
        return cls(scenario, source=source, **given)

    def _key(self) -> str:
        plain = self.to_dict()
        del plain["scenario"]  # compared by content below, whatever its keys' order
        return json.dumps(plain)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SweepSpec):
            return NotImplemented
        return self.scenario == other.scenario and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        names = list(self.space)
        space = names if len(names) <= 4 else f"<{len(names)} parameters>"
        return (
            f"SweepSpec({self.scenario.name!r}, space={space}, replicates={self.replicates}, "
            f"seed={self.seed}, design={self.design!r}, points={self.points}, days={self.days}"
            + (f", uncertainty={self.uncertainty!r})" if self.uncertainty != "none" else ")")
        )


def _resolve_scenario(scenario: object, source: str) -> Scenario:
    try:
        return load_scenario(scenario)
    except ScenarioError as error:
        if error.key == "scenario":  # not found, or not a scenario at all: name the spec
            given = str(scenario) if isinstance(scenario, Path) else scenario
            raise ScenarioError(source, "scenario", given, error.allowed) from None
        raise


def _without_moves(scenario: Scenario, selectors: object, source: str) -> Scenario:
    if isinstance(selectors, str) or not isinstance(selectors, (list, tuple)):
        raise ScenarioError(
            source,
            "without_moves",
            selectors,
            "allowed: a list of selectors (actor, kind or actor.kind); [] drops every move",
        )
    try:
        return scenario.without_moves(*selectors)
    except ScenarioError as error:
        raise ScenarioError(source, "without_moves", error.value, error.allowed) from None


def _json(value: object) -> object:
    """Plain JSON data: dates as ISO text, tuples as lists, numpy scalars as Python's."""
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def _dated(content: Mapping) -> dict:
    """A scenario's JSON content with its dates as dates again."""
    out = dict(content)
    out["start"] = _date(out.get("start"))
    if isinstance(out.get("moves"), list):
        out["moves"] = [
            {**move, "date": _date(move.get("date"))} if isinstance(move, Mapping) else move
            for move in out["moves"]
        ]
    return out


def _date(value: object) -> object:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return value  # left to the scenario's own check, which names it


_SPEC_KEYS = {
    "scenario",
    "without_moves",
    "replicates",
    "seed",
    "design",
    "points",
    "days",
    "space",
    "uncertainty",
}


def load_spec(path: str | Path) -> SweepSpec:
    """Read a sweep specification from a TOML file.

    Keys: ``scenario`` (a shipped name, or a path relative to the file), optional
    ``without_moves`` (a list of selectors as `Scenario.without_moves`: an actor, a kind or
    ``actor.kind``; ``[]`` drops every scripted move), ``replicates``, ``seed``, ``design``,
    optional ``points``, ``days`` and ``uncertainty`` (``"posterior"``: replicate i of every
    point runs posterior draw i), and a ``[space]`` table mapping parameter names to a list
    of values or to ``{ low = ..., high = ... }`` (without ``[space]``: every continuous
    parameter over its registry range). The order of the ``[space]`` keys decides the design's
    points::

        scenario = "pressure-2017"
        without_moves = ["beijing.enforcement"]
        replicates = 10
        seed = 1
        design = "lhs"
        points = 200

        [space]
        "pyongyang.test_propensity" = { low = 0.01, high = 0.1 }
        "washington.precondition" = ["none", "test_pause"]
    """
    path = Path(path)
    source = str(path)
    if not _is_file(path):
        raise ScenarioError(source, "spec", source, "allowed: a path to a TOML file")
    raw = read_toml(path, source)
    for key in raw:
        if key not in _SPEC_KEYS:
            raise ScenarioError(
                source, key, raw[key], "unknown key; allowed: " + ", ".join(sorted(_SPEC_KEYS))
            )
    scenario = raw.get("scenario")
    if not isinstance(scenario, str) or not scenario:
        raise ScenarioError(
            source,
            "scenario",
            scenario,
            "allowed: a shipped scenario's name or a path to a scenario file",
        )
    if scenario not in list_scenarios():
        beside = path.parent / scenario
        if not _is_file(beside):
            raise ScenarioError(
                source,
                "scenario",
                scenario,
                f"allowed: a shipped scenario ({', '.join(list_scenarios())}) or a path to a "
                f"scenario file relative to the specification ({beside} is not a file)",
            )
        scenario = beside
    return SweepSpec.from_table(scenario, raw, source)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long, or holding a NUL byte
        return False


def _first_list(space: Mapping) -> object:
    return next(k for k, v in space.items() if not isinstance(v, dict))


def parse_space(
    space: Mapping | str | Sequence[str] | None, source: str = "<sweep>"
) -> dict[str, object]:
    """Validate a space against the registry; return it as plain data, in its key order.

    ``None`` means every continuous parameter over its registry range; a role (``"policy"``)
    or a list of roles (``["behaviour", "context"]``, see `parameters.ROLES`) means every
    continuous parameter of those roles over its range. Otherwise a table: a value may be a
    list of values (each checked like a scenario value), one value, or a range
    ``{low, high}`` inside the registry's range.
    """
    if space is None:
        return _ranges(registry.continuous())
    if isinstance(space, str) or (
        isinstance(space, (list, tuple)) and space and all(isinstance(r, str) for r in space)
    ):
        roles = [space] if isinstance(space, str) else list(space)
        for role in roles:
            if role not in registry.ROLES:
                raise ScenarioError(
                    source,
                    "space",
                    space,
                    "allowed: a table of registry parameters, or roles among "
                    + ", ".join(registry.ROLES),
                )
        chosen = _ranges(e for e in registry.continuous() if e.role in roles)
        if not chosen:
            raise ScenarioError(source, "space", space, "allowed: roles with continuous parameters")
        return chosen
    if not isinstance(space, Mapping) or not space:
        raise ScenarioError(
            source,
            "space",
            dict(space) if isinstance(space, Mapping) else space,
            "allowed: a non-empty table of registry parameter names",
        )
    return {name: _parse_dimension(name, value, source) for name, value in space.items()}


def _ranges(entries) -> dict[str, object]:
    """Each parameter over its whole registry range."""
    return {e.name: {"low": float(e.low), "high": float(e.high)} for e in entries}


_SCALARS_ONLY = "allowed: a list of single values, one value, or { low = ..., high = ... }"


def _parse_dimension(name: object, value: object, source: str) -> object:
    entry = registry.REGISTRY.get(name) if isinstance(name, str) else None
    if entry is None:
        raise ScenarioError(
            source,
            f"space.{name}",
            value,
            "unknown parameter; allowed: names in the registry "
            "(docs/reference.md), e.g. pyongyang.salvo",
        )
    if isinstance(value, Mapping):
        return _parse_range(entry, value, source)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if not values:
        raise ScenarioError(
            source,
            f"space.{name}",
            values,
            "allowed: at least one value, or { low = ..., high = ... }",
        )
    return [_validated(entry, v, source, value) for v in values]


def _validated(entry: registry.Parameter, value: object, source: str, shown_as: object) -> object:
    key = f"space.{entry.name}"
    if isinstance(value, (list, tuple, set, frozenset, Mapping, np.ndarray, pd.Series)):
        raise ScenarioError(source, key, shown_as, _SCALARS_ONLY)
    try:
        return entry.validate(value, source)
    except ScenarioError as error:
        raise ScenarioError(source, key, value, error.allowed) from None


def _parse_range(entry: registry.Parameter, value: Mapping, source: str) -> dict:
    key = f"space.{entry.name}"
    if entry.kind not in ("real", "integer"):
        raise ScenarioError(
            source, key, dict(value), f"allowed: a list of values for a {entry.kind} parameter"
        )
    if set(value) != {"low", "high"}:
        raise ScenarioError(source, key, dict(value), "allowed: exactly the keys low and high")
    low, high = (_validated(entry, value[k], source, dict(value)) for k in ("low", "high"))
    if not low < high:
        raise ScenarioError(source, key, dict(value), "allowed: low < high")
    return {"low": low, "high": high}


# --- designs ------------------------------------------------------------------------------
def design_size(design: str, space: Mapping[str, object], points: int | None) -> int:
    """The number of points of a design, computed exactly without building it: a grid's is
    the product of its levels (a list's length, ``points`` levels per range), lhs's is
    ``points``, sobol's ``N * (D + 2)`` and morris's ``N * (D + 1)`` for ``N = points`` base
    samples and ``D`` parameters."""
    if design == "grid":
        return math.prod(_levels(v, points) for v in space.values())
    n = points or DEFAULT_POINTS[design]
    return {"lhs": n, "sobol": n * (len(space) + 2), "morris": n * (len(space) + 1)}[design]


def _levels(dimension: object, points: int | None) -> int:
    return len(dimension) if isinstance(dimension, list) else (points or GRID_LEVELS)


def _check_size(spec: SweepSpec) -> None:
    size = spec.size
    if size <= MAX_POINTS:
        return
    d = len(spec.space)
    if spec.design == "grid":
        counts = Counter(_levels(v, spec.points) for v in spec.space.values())
        formula = " x ".join(f"{n}^{k}" if k > 1 else f"{n}" for n, k in counts.items())
        how = "fewer parameters or levels (points), or a sampled design (lhs, sobol, morris)"
    elif spec.design == "lhs":
        formula, how = "points", "fewer points"
    else:
        extra = 2 if spec.design == "sobol" else 1
        formula = f"N x (D + {extra}) = {_count(spec.points)} x {d + extra}"
        how = "fewer base samples (points) or parameters"
    raise ScenarioError(
        spec.source,
        "design",
        spec.design,
        f"allowed: at most {MAX_POINTS:,} points per sweep; this design has {formula} = "
        f"{_count(size)} points: choose {how}",
    )


def _count(n: int) -> str:
    """A count for a message: exact up to a quadrillion, then as a power of ten."""
    if n < 10**15:
        return f"{n:,}"
    exponent = int(math.log10(n))
    mantissa = n // 10 ** (exponent - 2) / 100
    return f"about {mantissa:.2f}e{exponent}"


def design_points(spec: SweepSpec) -> pd.DataFrame:
    """The design's parameter points: one row per point (index ``point``), one column per
    parameter, integer parameters rounded."""
    space = spec.space
    names = list(space)
    if spec.design == "grid":
        frame = pd.DataFrame(_grid_columns([_grid_levels(space[n], spec.points) for n in names]))
        frame.columns = names
    else:
        unit = _unit_sample(spec, len(names))
        frame = pd.DataFrame({n: _scale(space[n], unit[:, i]) for i, n in enumerate(names)})
    for name in names:
        if registry.REGISTRY[name].kind == "integer":
            frame[name] = frame[name].round().astype(np.int64)
    frame.index = pd.RangeIndex(len(frame), name="point")
    return frame


def _grid_columns(levels: list[list]) -> dict[int, np.ndarray]:
    """The full factorial as columns, in `itertools.product` order (the last varies fastest),
    built with numpy rather than one tuple per point."""
    sizes = [len(values) for values in levels]
    total = math.prod(sizes)
    columns, inner = {}, total
    for i, values in enumerate(levels):
        inner //= sizes[i]
        array = np.asarray(values)
        columns[i] = np.tile(np.repeat(array, inner), total // (inner * sizes[i]))
    return columns


def _grid_levels(dimension: object, points: int | None) -> list:
    if isinstance(dimension, dict):
        return list(np.linspace(dimension["low"], dimension["high"], points or GRID_LEVELS))
    return list(dimension)


def _unit_sample(spec: SweepSpec, d: int) -> np.ndarray:
    """Points in the unit cube: scipy's seeded Latin hypercube, or SALib's seeded samplers."""
    n = spec.points or DEFAULT_POINTS[spec.design]
    if spec.design == "lhs":
        return qmc.LatinHypercube(d=d, seed=spec.seed).random(n)
    problem = salib_problem(spec, unit=True)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, n, calc_second_order=False, seed=spec.seed)
    from SALib.sample import morris

    return morris.sample(problem, n, num_levels=MORRIS_LEVELS, seed=spec.seed)


def _scale(dimension: object, u: np.ndarray) -> np.ndarray:
    """Unit-cube coordinates to values: a range scaled, or a list's values picked."""
    if isinstance(dimension, dict):
        return dimension["low"] + u * (dimension["high"] - dimension["low"])
    index = np.minimum((u * len(dimension)).astype(np.int64), len(dimension) - 1)
    return np.asarray(dimension)[index]


def salib_problem(spec: SweepSpec, unit: bool = False) -> dict:
    """The SALib problem of a ranged space (``unit``: bounds [0, 1], scaled afterwards)."""
    names = list(spec.space)
    bounds = [[0.0, 1.0] if unit else [spec.space[n]["low"], spec.space[n]["high"]] for n in names]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


# --- results ------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class SweepResult:
    """A sweep's results: each point's parameters once, and one row per replicate.

    ``points``: one row per point (index ``point``), one column per parameter, in the space's
    order. ``outcomes``: one row per replicate, sorted by point (each point's replicates in
    seed order): ``point``, ``seed`` and every outcome, as `NegotiationModel.outcomes` has them.
    `frame` joins the two into the one-row-per-replicate table; `groupby` groups replicates by
    parameters or outcomes without joining the parameters it does not need::

        result.groupby("washington.precondition")["talks_reached"].mean()
        result.frame().plot.scatter("pyongyang.test_propensity", "launch_days")
        result.outcomes.groupby("point")["launch_days"].mean()  # per point, with result.points
    """

    spec: SweepSpec
    points: pd.DataFrame
    outcomes: pd.DataFrame

    def __post_init__(self) -> None:
        points = self.points.copy(deep=False)
        points.index = pd.Index(points.index.to_numpy(np.int64), name="point")
        object.__setattr__(self, "points", points)

    @property
    def parameters(self) -> list[str]:
        """The swept parameters, in the space's order."""
        return list(self.points.columns)

    def __len__(self) -> int:
        return len(self.outcomes)

    def frame(self, parameters: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per replicate: ``point``, the parameters (all, or those named), ``seed``
        and every outcome."""
        names = self.parameters if parameters is None else list(parameters)
        unknown = [n for n in names if n not in self.points.columns]
        if unknown:
            raise KeyError(f"not swept: {unknown}; swept: {self.parameters}")
        position = self.points.index.get_indexer(self.outcomes["point"].to_numpy())
        if (position < 0).any():
            raise ValueError("outcomes hold points that the points table lacks")
        joined = self.points[names].iloc[position].reset_index(drop=True)
        outcomes = self.outcomes.reset_index(drop=True)
        return pd.concat([outcomes[["point"]], joined, outcomes.drop(columns="point")], axis=1)

    def groupby(self, by, *args, **kwargs):
        """``frame().groupby(by, ...)``, joining only the parameters ``by`` names."""
        names = [by] if isinstance(by, str) else by if isinstance(by, list) else None
        wanted = None if names is None else [n for n in names if n in self.points.columns]
        return self.frame(wanted).groupby(by, *args, **kwargs)

    def equals(self, other: object) -> bool:
        """Whether ``other`` holds the same spec, points and outcomes, bit for bit."""
        return (
            isinstance(other, SweepResult)
            and self.spec == other.spec
            and self.points.equals(other.points)
            and list(self.points.dtypes) == list(other.points.dtypes)
            and self.outcomes.equals(other.outcomes)
            and list(self.outcomes.dtypes) == list(other.outcomes.dtypes)
        )

    def memory_usage(self) -> int:
        """Bytes held by both tables (``DataFrame.memory_usage(deep=True)``)."""
        return int(
            self.points.memory_usage(deep=True).sum() + self.outcomes.memory_usage(deep=True).sum()
        )

    def __repr__(self) -> str:
        return (
            f"SweepResult({self.spec.scenario.name!r}, design={self.spec.design!r}, "
            f"{len(self.points)} points x {self.spec.replicates} replicates = {len(self)} rows, "
            f"parameters={self.parameters if len(self.parameters) <= 4 else len(self.parameters)})"
        )


# --- running chunks -----------------------------------------------------------------------
def run_points(task: dict, points: pd.DataFrame) -> pd.DataFrame:
    """Run every point of ``points`` with the task's replicates as one batched model.

    ``task`` holds the `Scenario` (its content travels to workers), ``seed``, ``replicates``
    and ``days``. Returns one row per replicate: ``point``, ``seed`` and every outcome.
    """
    seeds = replicate_seeds(task["seed"], task["replicates"])
    reps = seeds.size
    params = {name: _repeat(points[name].to_numpy(), reps) for name in points.columns}
    uncertainty = task.get("uncertainty", "none")
    model = NegotiationModel(
        task["scenario"],
        seeds=np.tile(seeds, len(points)),
        params=params,
        record_daily=False,
        record_events=False,
        uncertainty=uncertainty,
        # Replicate i of every point runs posterior draw i: common draws across points.
        posterior_rows=None if uncertainty == "none" else np.tile(np.arange(reps), len(points)),
    )
    outcomes = model.run(task["days"]).outcomes.drop(columns="seed")
    head = pd.DataFrame(
        {"point": np.repeat(points.index.to_numpy(np.int64), reps), "seed": model.seeds}
    )
    return pd.concat([head, outcomes.reset_index(drop=True)], axis=1)


def _repeat(values: np.ndarray, reps: int) -> np.ndarray | list:
    """One value per replicate: numbers as an array (checked at once), others as a list."""
    repeated = np.repeat(values, reps)
    if repeated.dtype.kind in "iuf":
        return repeated
    return [v.item() if isinstance(v, np.generic) else v for v in repeated]


def chunk_points(points: pd.DataFrame, chunk: int) -> list[pd.DataFrame]:
    """Consecutive blocks of ``chunk`` points."""
    return [points.iloc[i : i + chunk] for i in range(0, len(points), chunk)]


def default_chunk(replicates: int, points: int, workers: int) -> int:
    """Points per chunk: about `CHUNK_REPLICATES` replicates, and enough chunks to keep
    every worker busy."""
    by_size = max(1, CHUNK_REPLICATES // replicates)
    by_workers = max(1, math.ceil(points / (4 * max(workers, 1))))
    return min(by_size, by_workers)


# --- the entry point ----------------------------------------------------------------------
def sweep(
    scenario: str | Path | Scenario,
    space: Mapping | str | Sequence[str] | None = None,
    replicates: int = 10,
    seed: int = 0,
    design: str = "grid",
    *,
    points: int | None = None,
    days: int | None = None,
    without_moves: Sequence[str] | None = None,
    store: str | Path | None = None,
    resume: bool = False,
    backend: str | None = None,
    chunk: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    uncertainty: str = "none",
) -> SweepResult:
    """Run a sweep and return its `SweepResult`: ``points`` (the parameters of each point) and
    ``outcomes`` (one row per replicate: ``point``, ``seed``, outcomes).

    Args:
        scenario: a shipped scenario's name, a scenario file's path or a `Scenario`.
        space: registry names mapped to a list of values or ``{"low": .., "high": ..}``; or
            a role (``"policy"``, ``"behaviour"``, ``"context"``) or a list of roles: every
            continuous parameter of those roles over its registry range; default: every
            continuous parameter. Its values hold over scripted moves that would set the same
            quantities.
        replicates, seed: replicates per point and the seed their seeds derive from (the same
            replicate seeds at every point: common random numbers).
        design: ``grid`` (full factorial; ranges get ``points`` levels, default 5), ``lhs``
            (``points`` points), ``sobol`` or ``morris`` (SALib's samplers, ``points`` base
            samples).
        days: days to run (default: the scenario's horizon).
        without_moves: drop the scenario's scripted moves these selectors name (as
            `Scenario.without_moves`; ``[]``: all of them).
        store: an SQLite file the results are written to chunk by chunk; ``resume`` continues
            a store of the same specification, skipping finished points.
        backend: ``serial``, ``processes`` (default on a multi-core machine) or ``dask``
            (``scheduler``: a Dask scheduler address; none starts a local cluster).
        chunk: points per chunk (default: about 16,000 replicates per chunk).
        workers: processes or Dask workers (default: the machine's cores).
        progress: show a progress bar (points done, rate, time left).
        uncertainty: ``"posterior"`` gives replicate i of every point the packaged
            posterior's draw i of the behaviour parameters the space does not vary, so
            results carry parameter uncertainty and points still share draws and random
            numbers; ``"none"`` (default) runs the posterior medians.

    Raises `ScenarioError` for a bad specification or option before anything runs,
    `SweepFailed` (after keeping every other chunk) when chunks fail twice, and
    `SweepInterrupted` (a `KeyboardInterrupt`) on Ctrl-C.
    """
    spec = SweepSpec(
        scenario,
        space,
        replicates,
        seed,
        design,
        points,
        days,
        without_moves=without_moves,
        uncertainty=uncertainty,
    )
    return run_sweep(
        spec,
        store=store,
        resume=resume,
        backend=backend,
        chunk=chunk,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )


def run_sweep(
    spec: SweepSpec,
    *,
    store: str | Path | None = None,
    resume: bool = False,
    backend: str | None = None,
    chunk: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    points: pd.DataFrame | None = None,
    load: bool = True,
) -> SweepResult | None:
    """Run a validated `SweepSpec`; see `sweep` for the options.

    ``points`` may pass the spec's `design_points` when the caller has them already.
    ``load=False`` (only with a store) leaves the results in the store and returns None: no
    bound on the rows then but the disk's; read them with `load_sweep`.
    """
    source = spec.source
    runner = open_backend(backend, workers, scheduler, source)  # checked; started when used
    if chunk is not None:
        check_integer(source, "chunk", chunk, 1)
    if not load and store is None:
        raise ScenarioError(source, "load", load, "allowed: False only with a store")
    size = spec.size
    _check_chunk(spec, chunk, size)
    _check_in_memory(spec, size, load)
    points = design_points(spec) if points is None else points
    sink, created = _open_store(store, spec, resume)
    try:
        todo = points.drop(index=list(sink.finished_points())) if sink else points
        chunk = chunk or default_chunk(spec.replicates, len(todo), runner.workers)
        task = {
            "scenario": spec.scenario,
            "seed": spec.seed,
            "replicates": spec.replicates,
            "days": spec.days,
            "uncertainty": spec.uncertainty,
        }
        # run_points is looked up now, not when the module was imported: tests replace it.
        work = partial(run_points, task)
        kept: list[pd.DataFrame] = []
        with _progress_bar(len(points), len(points) - len(todo), progress) as bar, runner:

            def done(finished: pd.DataFrame, rows: pd.DataFrame) -> None:
                if sink:
                    sink.write(rows, points=finished)
                else:
                    kept.append(rows)
                bar.update(len(finished))

            failed = [
                (finished.index.tolist(), message)
                for finished, message in runner.map(work, chunk_points(todo, chunk), done)
            ]
        if failed:
            for failed_points, message in failed:
                if sink:
                    sink.record_failure(failed_points, message)
            raise SweepFailed(failed)
        if sink:
            return _loaded(sink, spec) if load else None
        return SweepResult(spec, points, _ordered(kept))
    except KeyboardInterrupt:
        stored = _finished_count(sink)
        if sink and created and not stored:
            sink = _discard(sink)
        raise SweepInterrupted(str(store) if sink else None, stored) from None
    except (ScenarioError, ImportError):
        if sink and created and not _finished_count(sink):
            sink = _discard(sink)  # nothing ran: a rerun needs no --resume
        raise
    finally:
        if sink:
            sink.close()


def _check_chunk(spec: SweepSpec, chunk: int | None, size: int) -> None:
    """One point's replicates, and a chunk's, must fit in one batched model and in memory."""
    try:
        check_memory(spec.replicates, 0)
    except ScenarioError as error:
        raise ScenarioError(spec.source, "replicates", spec.replicates, error.allowed) from None
    if chunk is None:
        return
    replicates = min(chunk, size) * spec.replicates
    allowed = (
        f"allowed: chunks of at most {MAX_REPLICATES:,} replicates that fit in memory "
        f"({min(chunk, size):,} points x {spec.replicates:,} replicates = {replicates:,})"
    )
    if replicates > MAX_REPLICATES:
        raise ScenarioError(spec.source, "chunk", chunk, allowed)
    try:
        check_memory(replicates, 0)
    except ScenarioError:
        raise ScenarioError(spec.source, "chunk", chunk, allowed) from None


def _machine_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system: no check
        return None


def _check_in_memory(spec: SweepSpec, size: int, load: bool) -> None:
    """The design must fit in memory; so must results returned in memory (``load``): at most
    `MAX_ROWS` rows, and room for them twice (the chunks and the table they are joined into)."""
    rows = size * spec.replicates
    hint = (
        "or write it to a store and leave it there (store=..., load=False; --store without --out)"
    )
    if load and rows > MAX_ROWS:
        raise ScenarioError(
            spec.source,
            "replicates",
            spec.replicates,
            f"allowed: at most {MAX_ROWS:,} replicate rows in memory; this sweep has "
            f"{size:,} points x {spec.replicates:,} replicates = {rows:,}: run fewer, {hint}",
        )
    design = 2 * size * (len(spec.space) + 1) * 8
    needed = design + (2 * rows * ROW_BYTES if load else 0)
    memory = _machine_memory()
    if memory and needed > MEMORY_SHARE * memory:
        what = f"{size:,} points x {spec.replicates:,} replicates" if load else f"{size:,} points"
        raise ScenarioError(
            spec.source,
            "replicates" if load and design <= MEMORY_SHARE * memory else "design",
            spec.replicates if load and design <= MEMORY_SHARE * memory else spec.design,
            f"allowed: a sweep that fits in memory: {what} need about {_bytes(needed)} of "
            f"this machine's {_bytes(memory)}: run fewer" + (f", {hint}" if load else ""),
        )


def _bytes(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{n / 2**20:,.1f} MiB"


def _open_store(path: str | Path | None, spec: SweepSpec, resume: bool):
    """The store (or None) and whether this call created it."""
    if path is None:
        return None, False
    from negotiation_sim.store import SweepStore

    existed = _exists(Path(path))
    return SweepStore.open(path, spec, resume=resume), not existed


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _finished_count(sink) -> int:
    if sink is None:
        return 0
    try:
        return len(sink.finished_points())
    except Exception:  # noqa: BLE001 - interrupted inside the database: count what is sure
        return 0


def _discard(sink) -> None:
    """Remove a store this call created and nothing was written to."""
    sink.close()
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(Exception):  # best effort: the store held nothing
            Path(str(sink.path) + suffix).unlink(missing_ok=True)


def _loaded(sink, spec: SweepSpec) -> SweepResult:
    return SweepResult(spec, sink.load_points(), sink.load())


def _ordered(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frame = pd.concat(list(parts), ignore_index=True)
    return frame.sort_values("point", kind="stable").reset_index(drop=True)


def _progress_bar(total: int, initial: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="point",
        disable=not enabled,
        dynamic_ncols=True,
        desc="sweep",
    )


def load_sweep(path: str | Path) -> SweepResult:
    """The `SweepResult` of a stored sweep (the points finished so far, and their replicates),
    with the specification the store holds."""
    from negotiation_sim.store import SweepStore

    with SweepStore.open_read_only(path) as store:
        spec = SweepSpec.from_dict(store.spec, str(path))
        return _loaded(store, spec)


@contextmanager
def options_named(source: str, names: Mapping[str, str] | None = None) -> Iterator[None]:
    """Re-raise errors about `run_sweep`'s options (and the store's path) as the command line
    names them: ``--chunk``, ``--workers``, ``--scheduler``, ``--store``, ..."""
    names = names or {
        key: f"--{key}" for key in ("backend", "chunk", "workers", "scheduler", "store")
    }
    try:
        yield
    except ScenarioError as error:
        if error.key in names:
            # The same class: a store's error stays a StoreError under the option's name.
            raise type(error)(source, names[error.key], error.value, error.allowed) from None
        raise


def _abbreviate(points: list[int], limit: int = 20) -> str:
    shown_points = ", ".join(map(str, points[:limit]))
    return shown_points + (f", ... ({len(points)} in all)" if len(points) > limit else "")
