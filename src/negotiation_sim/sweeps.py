"""Parameter sweeps: a space of registry parameters, a design, and many batched replicates.

A sweep is a `SweepSpec`: a scenario, a space (registry names mapped to lists of values or to
``{"low": ..., "high": ...}`` ranges; by default every continuous parameter over its registry
range), a design (``grid``, ``lhs``, ``sobol``, ``morris``), a number of replicates per point
and a seed. The design turns the space into parameter points; the points are cut into chunks,
and each chunk runs as one batched model in which every point's replicates use the same
replicate seeds. A replicate's stream depends only on its own seed, so results are
bit-identical whatever the backend, the number of workers or the chunk size.

    >>> import negotiation_sim as ns
    >>> frame = ns.sweep("pressure-2017", {"pyongyang.salvo": [0.2, 0.4]}, replicates=3,
    ...                  days=30, backend="serial")
    >>> frame.shape[0], list(frame.columns[:3])
    (6, ['point', 'pyongyang.salvo', 'seed'])
"""

from __future__ import annotations

import itertools
import json
import math
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from negotiation_sim import parameters as registry
from negotiation_sim.errors import ScenarioError, check_integer
from negotiation_sim.model import NegotiationModel
from negotiation_sim.scenarios import list_scenarios, load_scenario
from negotiation_sim.streams import replicate_seeds

DESIGNS = ("grid", "lhs", "sobol", "morris")
BACKENDS = ("serial", "processes", "dask")
#: Levels of a range in a grid when ``points`` is not given.
GRID_LEVELS = 5
#: Points of an lhs design, or base samples of sobol and morris, when ``points`` is not given.
DEFAULT_POINTS = {"lhs": 100, "sobol": 64, "morris": 20}
#: Replicates per chunk the default chunk size aims for: a batch this size runs near full
#: speed, and its float64 temporaries (128 KB) stay under glibc's mmap threshold, which Dask's
#: workers pin at 128 KiB (above it every temporary is mapped and unmapped: ~2.4x slower).
CHUNK_REPLICATES = 16_000
MORRIS_LEVELS = 4


class SweepFailed(RuntimeError):
    """Chunks that failed twice: their points, and why. Every other chunk was kept."""

    def __init__(self, failures: Sequence[tuple[list[int], str]]) -> None:
        self.failures = list(failures)
        points = sorted(p for chunk, _ in self.failures for p in chunk)
        first = self.failures[0][1] if self.failures else ""
        super().__init__(
            f"{len(points)} point(s) failed twice and were not run: "
            f"{_abbreviate(points)}; first error: {first}"
        )


# --- the specification --------------------------------------------------------------------
@dataclass(frozen=True)
class SweepSpec:
    """What a sweep runs; stored with its results so a resume can check it is the same sweep."""

    scenario: str
    space: Mapping[str, object]
    replicates: int = 10
    seed: int = 0
    design: str = "grid"
    points: int | None = None
    days: int | None = None
    source: str = field(default="<sweep>", compare=False)

    def __post_init__(self) -> None:
        check_integer(self.source, "replicates", self.replicates, 1)
        check_integer(self.source, "seed", self.seed, 0)
        if self.points is not None:
            check_integer(self.source, "points", self.points, 1)
        if self.days is not None:
            check_integer(self.source, "days", self.days, 1)
        if self.design not in DESIGNS:
            raise ScenarioError(
                self.source, "design", self.design, "allowed: one of " + ", ".join(DESIGNS)
            )
        try:
            load_scenario(self.scenario)  # fails early, naming the scenario
        except ScenarioError as error:
            if error.source == self.scenario:  # not found: say which specification named it
                raise ScenarioError(self.source, "scenario", self.scenario, error.allowed) from None
            raise
        object.__setattr__(self, "space", parse_space(self.space, self.source))
        if self.design in ("sobol", "morris") and any(
            not isinstance(v, dict) for v in self.space.values()
        ):
            raise ScenarioError(
                self.source,
                "space",
                _first_list(self.space),
                f"allowed for design {self.design!r}: ranges {{ low = ..., high = ... }} only",
            )

    def to_dict(self) -> dict:
        """The specification as plain data (what the store keeps and compares)."""
        out = asdict(self)
        out.pop("source")
        return json.loads(json.dumps(out))


_SPEC_KEYS = {"scenario", "replicates", "seed", "design", "points", "days", "space"}


def load_spec(path: str | Path) -> SweepSpec:
    """Read a sweep specification from a TOML file.

    Keys: ``scenario`` (a shipped name, or a path relative to the file), ``replicates``,
    ``seed``, ``design``, optional ``points`` and ``days``, and a ``[space]`` table mapping
    parameter names to a list of values or to ``{ low = ..., high = ... }``::

        scenario = "pressure-2017"
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
    if not path.is_file():
        raise ScenarioError(source, "spec", source, "allowed: a path to a TOML file")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ScenarioError(source, "<toml>", str(error), "allowed: valid TOML") from None
    for key in raw:
        if key not in _SPEC_KEYS:
            raise ScenarioError(
                source, key, raw[key], "unknown key; allowed: " + ", ".join(sorted(_SPEC_KEYS))
            )
    scenario = raw.get("scenario")
    if not isinstance(scenario, str):
        raise ScenarioError(
            source,
            "scenario",
            scenario,
            "allowed: a shipped scenario's name or a path to a scenario file",
        )
    beside = path.parent / scenario
    if scenario not in list_scenarios() and beside.is_file():
        scenario = str(beside)
    return SweepSpec(
        scenario,
        raw.get("space", {}),
        raw.get("replicates", 10),
        raw.get("seed", 0),
        raw.get("design", "grid"),
        raw.get("points"),
        raw.get("days"),
        source=source,
    )


def _first_list(space: Mapping) -> object:
    return next(k for k, v in space.items() if not isinstance(v, dict))


def parse_space(space: Mapping | None, source: str = "<sweep>") -> dict[str, object]:
    """Validate a space against the registry; return it as plain data.

    ``None`` means every continuous parameter over its registry range. A value may be a list
    of values (each checked like a scenario value), one value, or a range ``{low, high}``
    inside the registry's range.
    """
    if space is None:
        return {e.name: {"low": float(e.low), "high": float(e.high)} for e in registry.continuous()}
    if not isinstance(space, Mapping) or not space:
        raise ScenarioError(
            source,
            "space",
            space
            if space is None or space == {}
            else dict(space)
            if isinstance(space, Mapping)
            else space,
            "allowed: a non-empty table of registry parameter names",
        )
    return {name: _parse_dimension(name, value, source) for name, value in space.items()}


def _parse_dimension(name: str, value: object, source: str) -> object:
    entry = registry.REGISTRY.get(name)
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
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if not values:
        raise ScenarioError(
            source,
            f"space.{name}",
            values,
            "allowed: at least one value, or { low = ..., high = ... }",
        )
    return [_validated(entry, v, source) for v in values]


def _validated(entry: registry.Parameter, value: object, source: str) -> object:
    try:
        return entry.validate(value, source)
    except ScenarioError as error:
        raise ScenarioError(source, f"space.{entry.name}", value, error.allowed) from None


def _parse_range(entry: registry.Parameter, value: Mapping, source: str) -> dict:
    key = f"space.{entry.name}"
    if entry.kind not in ("real", "integer"):
        raise ScenarioError(
            source, key, dict(value), f"allowed: a list of values for a {entry.kind} parameter"
        )
    if set(value) != {"low", "high"}:
        raise ScenarioError(source, key, dict(value), "allowed: exactly the keys low and high")
    low, high = (_validated(entry, value[k], source) for k in ("low", "high"))
    if not low < high:
        raise ScenarioError(source, key, dict(value), "allowed: low < high")
    return {"low": low, "high": high}


# --- designs ------------------------------------------------------------------------------
def design_points(spec: SweepSpec) -> pd.DataFrame:
    """The design's parameter points: one row per point (index ``point``), one column per
    parameter, integer parameters rounded."""
    space = spec.space
    names = list(space)
    if spec.design == "grid":
        levels = [_grid_levels(space[n], spec.points) for n in names]
        rows = list(itertools.product(*levels))
        frame = pd.DataFrame(rows, columns=names)
    else:
        unit = _unit_sample(spec, len(names))
        frame = pd.DataFrame({n: _scale(space[n], unit[:, i]) for i, n in enumerate(names)})
    for name in names:
        if registry.REGISTRY[name].kind == "integer":
            frame[name] = frame[name].round().astype(np.int64)
    frame.index.name = "point"
    return frame


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


# --- running chunks -----------------------------------------------------------------------
def run_points(spec: dict, points: pd.DataFrame) -> pd.DataFrame:
    """Run every point of ``points`` with the spec's replicates as one batched model.

    Returns one row per replicate: ``point``, the parameters, ``seed`` and every outcome.
    Takes the spec as plain data so that it pickles cheaply to worker processes.
    """
    seeds = replicate_seeds(spec["seed"], spec["replicates"])
    reps = seeds.size
    params = {name: _repeat(points[name].to_numpy(), reps) for name in points.columns}
    model = NegotiationModel(
        spec["scenario"],
        seeds=np.tile(seeds, len(points)),
        params=params,
        record_daily=False,
        record_events=False,
    )
    outcomes = model.run(spec["days"]).outcomes.drop(columns="seed")
    head = pd.DataFrame({"point": np.repeat(points.index.to_numpy(), reps)})
    for name in points.columns:
        head[name] = np.repeat(points[name].to_numpy(), reps)
    head["seed"] = model.seeds
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


# --- backends -----------------------------------------------------------------------------
Done = Callable[[pd.DataFrame], None]


def _run_serial(
    spec: dict, chunks: list[pd.DataFrame], done: Done, workers: int, scheduler: str | None
) -> list[tuple[list[int], str]]:
    failed = []
    for points in chunks:
        for attempt in (1, 2):
            try:
                done(run_points(spec, points))
                break
            except Exception as error:  # noqa: BLE001 - reported by point below
                if attempt == 2:
                    failed.append((points.index.tolist(), repr(error)))
    return failed


def _run_processes(
    spec: dict, chunks: list[pd.DataFrame], done: Done, workers: int, scheduler: str | None
) -> list[tuple[list[int], str]]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pending, errors = list(chunks), {}
    for _attempt in (1, 2):  # a chunk that fails, or whose worker dies, is retried once
        retry = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(run_points, spec, points): points for points in pending}
            for future in as_completed(futures):
                points = futures[future]
                try:
                    rows = future.result()
                except Exception as error:  # noqa: BLE001 - includes a dead worker
                    retry.append(points)
                    errors[points.index[0]] = repr(error)
                    continue
                done(rows)
        pending = retry
        if not pending:
            break
    return [(p.index.tolist(), errors[p.index[0]]) for p in pending]


def _run_dask(
    spec: dict, chunks: list[pd.DataFrame], done: Done, workers: int, scheduler: str | None
) -> list[tuple[list[int], str]]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the dask backend needs: pip install 'negotiation-sim[distributed]'"
        ) from error
    # No scheduler given: a local cluster on loopback, closed with the client.
    cluster = (
        nullcontext(scheduler)
        if scheduler
        else LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    )
    failed = []
    with cluster as address, Client(address) as client:
        futures = {
            client.submit(run_points, spec, points, retries=1, pure=False): points
            for points in chunks
        }
        for future in as_completed(futures):
            points = futures[future]
            try:
                rows = future.result()
            except Exception as error:  # noqa: BLE001 - reported by point below
                failed.append((points.index.tolist(), repr(error)))
                continue
            done(rows)
    return failed


_BACKENDS = {"serial": _run_serial, "processes": _run_processes, "dask": _run_dask}


# --- the entry point ----------------------------------------------------------------------
def sweep(
    scenario: str | Path,
    space: Mapping | None = None,
    replicates: int = 10,
    seed: int = 0,
    design: str = "grid",
    *,
    points: int | None = None,
    days: int | None = None,
    store: str | Path | None = None,
    resume: bool = False,
    backend: str | None = None,
    chunk: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run a sweep and return one row per replicate: ``point``, parameters, ``seed``, outcomes.

    Args:
        scenario: a shipped scenario's name or a scenario file's path.
        space: registry names mapped to a list of values or ``{"low": .., "high": ..}``;
            default: every continuous parameter over its registry range.
        replicates, seed: replicates per point and the seed their seeds derive from (the same
            replicate seeds at every point: common random numbers).
        design: ``grid`` (full factorial; ranges get ``points`` levels, default 5), ``lhs``
            (``points`` points), ``sobol`` or ``morris`` (SALib's samplers, ``points`` base
            samples).
        days: days to run (default: the scenario's horizon).
        store: an SQLite file the results are written to chunk by chunk; ``resume`` continues
            a store of the same specification, skipping finished points.
        backend: ``serial``, ``processes`` (default on a multi-core machine) or ``dask``
            (``scheduler``: a Dask scheduler address; none starts a local cluster).
        chunk: points per chunk (default: about 16,000 replicates per chunk).
        workers: processes or Dask workers (default: the machine's cores).
        progress: show a progress bar (points done, rate, time left).

    Raises `SweepFailed` (after keeping every other chunk) when chunks fail twice.
    """
    spec = SweepSpec(str(scenario), space, replicates, seed, design, points, days)
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
) -> pd.DataFrame:
    """Run a validated `SweepSpec`; see `sweep` for the options.

    ``points`` may pass the spec's `design_points` when the caller has them already.
    """
    backend = backend or ("processes" if (os.cpu_count() or 1) > 1 else "serial")
    if backend not in BACKENDS:
        raise ScenarioError(
            spec.source, "backend", backend, "allowed: one of " + ", ".join(BACKENDS)
        )
    workers = workers or os.cpu_count() or 1
    check_integer(spec.source, "workers", workers, 1)
    plain = spec.to_dict()
    points = design_points(spec) if points is None else points
    sink = _open_store(store, plain, resume)
    try:
        todo = points.drop(index=list(sink.finished_points())) if sink else points
        chunk = chunk or default_chunk(spec.replicates, len(todo), workers)
        check_integer(spec.source, "chunk", chunk, 1)
        kept: list[pd.DataFrame] = []
        with _progress_bar(len(points), len(points) - len(todo), progress) as bar:

            def done(rows: pd.DataFrame) -> None:
                (sink.write if sink else kept.append)(rows)
                bar.update(rows["point"].nunique())

            failed = _BACKENDS[backend](plain, chunk_points(todo, chunk), done, workers, scheduler)
        if failed:
            for failed_points, message in failed:
                if sink:
                    sink.record_failure(failed_points, message)
            raise SweepFailed(failed)
        return sink.load() if sink else _ordered(kept, points)
    finally:
        if sink:
            sink.close()


def _open_store(path: str | Path | None, spec: dict, resume: bool):
    if path is None:
        return None
    from negotiation_sim.store import SweepStore

    return SweepStore.open(path, spec, resume=resume)


def _ordered(parts: Iterable[pd.DataFrame], points: pd.DataFrame) -> pd.DataFrame:
    parts = list(parts)
    if not parts:
        return pd.DataFrame(columns=["point", *points.columns, "seed"])
    frame = pd.concat(parts, ignore_index=True)
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


def load_sweep(path: str | Path) -> pd.DataFrame:
    """The results of a stored sweep, one row per replicate."""
    from negotiation_sim.store import load_sweep as load

    return load(path)


def _abbreviate(points: list[int], limit: int = 20) -> str:
    shown = ", ".join(map(str, points[:limit]))
    return shown + (f", ... ({len(points)} in all)" if len(points) > limit else "")
