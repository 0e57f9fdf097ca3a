"""A crash-safe SQLite store for one parameter sweep: its specification, each point's parameters
and one row per replicate.

A sweep runs many parameter points, each with several replicates, and hands its results over in
chunks. `SweepStore` keeps them in a single SQLite file so a sweep that is killed can be resumed
without losing or duplicating work.

Schema (format 2; standard library ``sqlite3``, WAL journal):

``meta(key TEXT PRIMARY KEY, value TEXT)``
    ``format`` (the store's format version), ``version`` (the version of negotiation_sim that
    created the store) and ``spec``: the sweep's specification as JSON *in its key order*
    (`negotiation_sim.sweeps.SweepSpec.to_dict`: the scenario's whole content and its
    fingerprint, the space, replicates, seed, design, points and days).
``columns(tbl TEXT, position INTEGER, name TEXT, dtype TEXT)``
    The columns of the ``results`` and ``points`` tables (``tbl``) in their original order with
    their pandas dtypes (``int64``, ``float64``, ``bool``, ``str``, ``object``, ...), so that
    `SweepStore.load` and `SweepStore.load_points` restore them.
``points(point INTEGER PRIMARY KEY, "<param>", ...)``
    The points finished, each with its parameters once: a point is listed exactly when all its
    rows are in ``results``.
``results(_store_row INTEGER PRIMARY KEY AUTOINCREMENT, "point", "seed", ...)``
    One row per replicate, created by the first write from the chunk's columns. Result columns
    have no declared type, so SQLite stores values as given: 64-bit integers and IEEE doubles
    round-trip exactly (even ``-0.0``), NaN is stored as NULL and comes back as NaN, and bools
    are stored as 0/1 and come back as ``bool`` through the ``columns`` table. ``object``
    columns come back holding what SQLite holds (str, int, float, bytes or None).
``failures(id INTEGER PRIMARY KEY AUTOINCREMENT, point INTEGER, message TEXT, time TEXT)``
    Points that raised, with the error message and a UTC timestamp.

Guarantees:

* One transaction per chunk: `SweepStore.write` inserts the rows, the points' parameters and
  marks the points finished together, so a process killed at any moment leaves every committed
  chunk intact and no part of an uncommitted one (WAL journal, ``synchronous=FULL``).
* A point is never stored twice: writing a finished point raises `StoreError` and changes
  nothing. A resumed sweep skips `SweepStore.finished_points`.
* Resuming with anything different is a `StoreError` naming the first difference (its key,
  the stored value and the given one), so results of two different sweeps never mix in one
  file: another package version, another specification value, the same space keys in another
  order (the order decides the design's points: key order counts in every mapping of the
  specification except the scenario's content), or another scenario content (an edited
  scenario file). Where the scenario was read from does not count: a resume from another
  working directory, through another relative path, continues the same sweep.
* A store of another format is refused, naming both formats, rather than misread.
"""

from __future__ import annotations

import json
import math
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from negotiation_sim.errors import StoreError, check_writable_file, shown

#: Bump when the schema changes; a store of another format is refused rather than misread.
#: 2: the scenario's content, the package version, the key order of the specification, and
#: each point's parameters once (a ``points`` table) rather than in every replicate row.
FORMAT_VERSION = 2

#: The results table's own row number; it keeps insertion order within a point.
_ROW = "_store_row"

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    (
        "CREATE TABLE columns (tbl TEXT NOT NULL, position INTEGER NOT NULL, "
        "name TEXT NOT NULL, dtype TEXT NOT NULL, PRIMARY KEY (tbl, position))"
    ),
    "CREATE TABLE points (point INTEGER PRIMARY KEY)",
    (
        "CREATE TABLE failures (id INTEGER PRIMARY KEY AUTOINCREMENT, point INTEGER, "
        "message TEXT NOT NULL, time TEXT NOT NULL)"
    ),
)


class _Absent:
    """Stands for a key one specification has and the other lacks."""

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


def _quote(name: str) -> str:
    """An SQL identifier: result columns hold dots ("pyongyang.salvo") and may hold quotes."""
    return '"' + name.replace('"', '""') + '"'


def _version() -> str:
    import negotiation_sim

    return str(negotiation_sim.__version__)


def _plain_spec(spec: object) -> dict:
    """A specification as JSON data in its key order: a `SweepSpec` (through its ``to_dict``)
    or a mapping of JSON values."""
    if hasattr(spec, "to_dict"):
        spec = spec.to_dict()
    if not isinstance(spec, Mapping):
        raise TypeError(f"a store needs a SweepSpec or a mapping, got {type(spec).__name__}")
    return json.loads(json.dumps(spec))


#: Keys of a specification whose mappings compare by content, whatever their key order.
_UNORDERED = ("scenario",)


def _first_difference(stored, given, key: str = "", ordered: bool = True):
    """Where two JSON values first differ: (dotted key, stored, given, note), or None.

    Mappings are walked in the stored order, then the given one's new keys; with ``ordered``
    the same keys in another order are a difference too.
    """
    if isinstance(stored, dict) and isinstance(given, dict):
        names = list(stored) + [name for name in given if name not in stored]
        for name in names:
            found = _first_difference(
                stored.get(name, _ABSENT),
                given.get(name, _ABSENT),
                f"{key}.{name}" if key else name,
                ordered and not (not key and name in _UNORDERED),
            )
            if found:
                return found
        if ordered and list(stored) != list(given):
            return key or "spec", list(stored), list(given), "the order of the keys"
        return None
    if isinstance(stored, list) and isinstance(given, list) and len(stored) == len(given):
        for index, (old, new) in enumerate(zip(stored, given)):
            found = _first_difference(old, new, f"{key}.{index}" if key else str(index), ordered)
            if found:
                return found
        return None
    if stored is _ABSENT or given is _ABSENT:
        return key, stored, given, ""
    # Compare as JSON text: NaN equals itself there, and 1 differs from 1.0 and True.
    if json.dumps(stored, sort_keys=True) == json.dumps(given, sort_keys=True):
        return None
    return key or "spec", stored, given, ""


def _not_a_store(path: Path, why: str) -> StoreError:
    return StoreError(
        str(path), "store", str(path), f"allowed: a sweep store written by negotiation_sim ({why})"
    )


def _has_meta(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse any file that is not one of our stores before writing anything to it."""
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
    except sqlite3.DatabaseError as error:
        raise _not_a_store(path, f"not an SQLite database: {error}") from None
    if found is None:
        raise _not_a_store(path, "an SQLite database without a meta table")


def _encode(values: pd.Series, dtype: np.dtype) -> list:
    """A column as Python scalars for sqlite3: NaN and missing become NULL."""
    if dtype.kind == "f":
        return [None if math.isnan(v) else v for v in values.to_numpy(np.float64).tolist()]
    if dtype.kind in "iub":
        return values.to_numpy().tolist()
    return [_scalar(v) for v in values.tolist()]


def _scalar(value):
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if not isinstance(value, str | int | float | bytes):
        raise TypeError(
            f"cannot store {value!r} ({type(value).__name__}): "
            "allowed: str, int, float, bool, bytes or missing"
        )
    return value


def _decode(values: list, dtype: str) -> pd.Series:
    """A column read back from SQLite, with its recorded dtype restored."""
    if dtype == "bool":
        return pd.Series(np.array(values, dtype=np.int64).astype(bool))
    if dtype in ("str", "object"):
        return pd.Series(values, dtype=dtype)  # NULL becomes the missing value (NaN / None)
    # numpy turns NULL (None) into NaN in float columns; integer columns never hold NULL.
    return pd.Series(np.array(values, dtype=dtype))


def _column_dtype(name: str, values: pd.Series) -> str:
    """The dtype name recorded for a column, or ValueError for what cannot round-trip."""
    dtype = values.dtype
    # SQLite holds 64-bit signed integers and doubles: wider types would not come back exactly.
    if isinstance(dtype, np.dtype) and (
        dtype.kind in "ib"
        or (dtype.kind == "u" and dtype.itemsize < 8)
        or (dtype.kind == "f" and dtype.itemsize <= 8)
    ):
        return str(dtype)
    if str(dtype) in ("str", "object"):
        return str(dtype)
    raise ValueError(
        f"column {name!r} has dtype {dtype}: allowed: signed ints, uint8-32, "
        "float16-64, bool, str or object"
    )


def _frame(columns: list[tuple[str, str]], rows: list[tuple]) -> pd.DataFrame:
    values = list(zip(*rows)) if rows else [[] for _ in columns]
    return pd.DataFrame(
        {name: _decode(list(column), dtype) for (name, dtype), column in zip(columns, values)}
    )


class SweepStore:
    """One sweep's results in an SQLite file: its specification, the points finished with
    their parameters, one row per replicate, and failures."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn, self.path = conn, path
        self._columns = self._read_columns("results")
        self._point_columns = self._read_columns("points")

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def open(cls, path, spec, resume: bool = False) -> SweepStore:
        """Create the store at ``path`` for ``spec`` (a `SweepSpec` or a mapping of JSON
        data), or reopen it with ``resume=True`` for the same spec and package version."""
        path = Path(path)
        given = _plain_spec(spec)
        check_writable_file(str(path), "store", path, error=StoreError)
        if not path.exists():
            return cls._create(path, given)
        if not resume:
            raise StoreError(
                str(path),
                "store",
                str(path),
                "allowed: a new path, or resume=True (--resume) to continue this sweep",
            )
        store = cls._connect(path, read_only=False)
        try:
            store._check_version()
            store._check_spec(given)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def open_read_only(cls, path) -> SweepStore:
        """An existing store, for reading (whatever version of the package wrote it)."""
        return cls._connect(Path(path), read_only=True)

    @classmethod
    def _create(cls, path: Path, spec: dict) -> SweepStore:
        try:
            conn = cls._configure(sqlite3.connect(path, isolation_level=None))
        except sqlite3.Error as error:
            raise StoreError(
                str(path), "store", str(path), f"allowed: a path SQLite can create ({error})"
            ) from None
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("format", str(FORMAT_VERSION)),
                    ("version", _version()),
                    ("spec", json.dumps(spec)),
                ],
            )
        return cls(conn, path)

    @classmethod
    def _connect(cls, path: Path, read_only: bool) -> SweepStore:
        """Open an existing store, checking it is one before touching it."""
        try:
            is_file = path.is_file()
        except (OSError, ValueError):
            is_file = False
        if not is_file:
            raise StoreError(
                str(path), "store", str(path), "allowed: the path of an existing sweep store"
            )
        uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "?mode=rw")
        # isolation_level=None: we open transactions ourselves, so DDL and inserts of a chunk
        # share one, and no read snapshot is held open between calls.
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        except sqlite3.Error as error:
            raise _not_a_store(path, f"cannot open it: {error}") from None
        try:
            _has_meta(conn, path)
            version = dict(conn.execute("SELECT key, value FROM meta")).get("format")
            if version != str(FORMAT_VERSION):
                raise _not_a_store(
                    path,
                    f"this store has format {version}, from an older or newer version of "
                    f"negotiation_sim; this version reads format {FORMAT_VERSION}: read it "
                    "with the version that wrote it, or rerun the sweep into a new store",
                )
            if not read_only:
                cls._configure(conn)
            return cls(conn, path)
        except BaseException:
            conn.close()
            raise

    @staticmethod
    def _configure(conn: sqlite3.Connection) -> sqlite3.Connection:
        # WAL: a commit is atomic and a killed writer never corrupts committed chunks; FULL
        # syncs each commit, cheap at one commit per chunk, and survives power loss too.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def _check_version(self) -> None:
        stored, given = self.version, _version()
        if stored != given:
            raise StoreError(
                str(self.path),
                "version",
                given,
                f"allowed: the version that wrote this store, {stored}: results of two "
                "versions may differ, so they are not mixed; start a new store or resume "
                f"with negotiation_sim {stored}",
            )

    def _check_spec(self, given: dict) -> None:
        difference = _first_difference(self.spec, given)
        if difference:
            key, old, new, note = difference
            what = f" ({note} differs: it decides the design's points)" if note else ""
            raise StoreError(
                str(self.path),
                key,
                new,
                f"allowed: the stored specification's value {shown(old)}{what}; "
                "start a new store for a different sweep",
            )

    def _read_columns(self, table: str) -> list[tuple[str, str]]:
        return list(
            self._conn.execute(
                "SELECT name, dtype FROM columns WHERE tbl = ? ORDER BY position", (table,)
            )
        )

    # -- reading ----------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        found = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return found[0] if found else None

    @property
    def spec(self) -> dict:
        """The stored specification, in its key order (as JSON gives it back: tuples become
        lists)."""
        return json.loads(self._meta("spec"))

    @property
    def version(self) -> str | None:
        """The version of negotiation_sim that created the store."""
        return self._meta("version")

    def finished_points(self) -> set[int]:
        """The points whose rows are all stored; a resumed sweep skips them."""
        return {point for (point,) in self._conn.execute("SELECT point FROM points")}

    def load(self) -> pd.DataFrame:
        """All rows by point, then in the order written, with the original columns and dtypes."""
        if not self._columns:
            return pd.DataFrame()
        names = [name for name, _ in self._columns]
        sql = (
            f"SELECT {', '.join(map(_quote, names))} FROM results "
            f"ORDER BY {_quote('point')}, {_ROW}"
        )
        return _frame(self._columns, self._conn.execute(sql).fetchall())

    def load_points(self) -> pd.DataFrame:
        """The finished points' parameters: index ``point`` (ascending), the columns and dtypes
        written."""
        names = ["point", *(name for name, _ in self._point_columns)]
        sql = f"SELECT {', '.join(map(_quote, names))} FROM points ORDER BY point"
        frame = _frame(
            [("point", "int64"), *self._point_columns], self._conn.execute(sql).fetchall()
        )
        return frame.set_index("point")

    def failures(self) -> pd.DataFrame:
        """Failures recorded, oldest first: columns point and message."""
        rows = self._conn.execute("SELECT point, message FROM failures ORDER BY id").fetchall()
        frame = pd.DataFrame(rows, columns=["point", "message"])
        return frame.astype({"point": "int64", "message": "str"})

    # -- writing ----------------------------------------------------------------------------

    def write(self, rows: pd.DataFrame, points: pd.DataFrame | None = None) -> None:
        """Store a chunk and mark its points finished, in one transaction.

        ``rows``: one row per replicate with an integer column ``point``. ``points``: one row
        per point of ``rows`` (index: the point), its parameters, stored once per point.
        Raises `StoreError`, storing nothing, when a point is already finished or the columns
        differ from the first chunk's (ValueError for rows or points not shaped as above).
        """
        layout = self._layout(rows)
        points_in_rows = sorted({int(p) for p in rows["point"].tolist()})
        point_layout, point_values = self._point_layout(points, points_in_rows)
        encoded = [_encode(rows[name], rows[name].dtype) for name, _ in layout]
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._refuse_finished(points_in_rows)
            if not self._columns:
                self._create_results(layout, point_layout)
            insert = (
                f"INSERT INTO results ({', '.join(_quote(n) for n, _ in layout)}) "
                f"VALUES ({', '.join('?' * len(layout))})"
            )
            self._conn.executemany(insert, zip(*encoded))
            names = ["point", *(n for n, _ in point_layout)]
            self._conn.executemany(
                f"INSERT INTO points ({', '.join(map(_quote, names))}) "
                f"VALUES ({', '.join('?' * len(names))})",
                zip(points_in_rows, *point_values),
            )
        # Only after the commit: a rolled-back first write must not leave columns behind.
        self._columns, self._point_columns = layout, point_layout

    def _layout(self, rows: pd.DataFrame) -> list[tuple[str, str]]:
        """The chunk's (name, dtype) in stored order, or ValueError (StoreError when they
        differ from the stored ones) naming the difference."""
        names = list(rows.columns)
        if not all(isinstance(n, str) for n in names):
            raise ValueError(f"column names must be str, got {names!r}")
        folded = [n.casefold() for n in names]
        if len(set(folded)) != len(folded):
            # SQLite column names ignore case, so "A" and "a" would collide.
            raise ValueError(f"duplicate column names (ignoring case) in {names!r}")
        if "point" not in names or rows["point"].dtype.kind not in "iu":
            raise ValueError("rows need an integer column 'point'")
        if _ROW.casefold() in folded:
            raise ValueError(f"column name {_ROW!r} is reserved by the store")
        layout = [(name, _column_dtype(name, rows[name])) for name in names]
        if not self._columns:
            return layout
        return self._match_stored(dict(layout), self._columns, "columns")

    def _point_layout(
        self, points: pd.DataFrame | None, expected: list[int]
    ) -> tuple[list[tuple[str, str]], list[list]]:
        """The points' parameter columns (name, dtype) and values in the order of
        ``expected``, or ValueError."""
        if points is None:
            layout: list[tuple[str, str]] = []
            values: list[list] = []
        else:
            index = [int(p) for p in points.index.tolist()]
            if sorted(index) != expected:
                raise ValueError(
                    f"points {sorted(index)[:20]} differ from the points of the rows "
                    f"{expected[:20]}"
                )
            names = list(points.columns)
            if not all(isinstance(n, str) for n in names) or "point" in (
                n.casefold() for n in names
            ):
                raise ValueError(f"point column names must be str other than 'point': {names!r}")
            if len({n.casefold() for n in names}) != len(names):
                raise ValueError(f"duplicate point column names (ignoring case) in {names!r}")
            ordered = points.iloc[np.argsort(np.asarray(index, dtype=np.int64), kind="stable")]
            layout = [(name, _column_dtype(name, points[name])) for name in names]
            values = [_encode(ordered[name], ordered[name].dtype) for name in names]
        if not self._columns:
            return layout, values
        stored = self._match_stored(dict(layout), self._point_columns, "point columns")
        by_name = dict(zip([n for n, _ in layout], values))
        return stored, [by_name[name] for name, _ in stored]

    def _match_stored(
        self, given: dict[str, str], stored_layout: list[tuple[str, str]], what: str
    ) -> list[tuple[str, str]]:
        stored = dict(stored_layout)
        missing, extra = sorted(set(stored) - set(given)), sorted(set(given) - set(stored))
        if missing or extra:
            raise StoreError(
                str(self.path),
                what,
                list(given),
                f"allowed: the stored {what}; missing {missing}, unexpected {extra}",
            )
        changed = {n: given[n] for n in stored if stored[n] != given[n]}
        if changed:
            kept = {n: stored[n] for n in changed}
            raise StoreError(
                str(self.path), f"dtypes of {what}", changed, f"allowed: the stored dtypes {kept}"
            )
        return stored_layout  # same columns, possibly reordered: insert by name

    def _refuse_finished(self, points: list[int]) -> None:
        # One primary-key lookup per point: cost grows with the chunk, not with the sweep.
        lookup = "SELECT 1 FROM points WHERE point = ?"
        done = [p for p in points if self._conn.execute(lookup, (p,)).fetchone()]
        if done:
            raise StoreError(
                str(self.path),
                "point",
                points,
                f"allowed: points not yet stored; already finished: {shown(done)}",
            )

    def _create_results(
        self, layout: list[tuple[str, str]], point_layout: list[tuple[str, str]]
    ) -> None:
        # No declared types: SQLite then keeps each value's own type (no REAL/INTEGER affinity
        # conversions, which would turn -0.0 into 0.0); dtypes live in the columns table.
        columns = ", ".join(_quote(name) for name, _ in layout)
        self._conn.execute(
            f"CREATE TABLE results ({_ROW} INTEGER PRIMARY KEY AUTOINCREMENT, {columns})"
        )
        self._conn.execute(f"CREATE INDEX results_point ON results ({_quote('point')})")
        for name, _ in point_layout:
            self._conn.execute(f"ALTER TABLE points ADD COLUMN {_quote(name)}")
        self._conn.executemany(
            "INSERT INTO columns VALUES (?, ?, ?, ?)",
            [("results", i, name, dtype) for i, (name, dtype) in enumerate(layout)]
            + [("points", i, name, dtype) for i, (name, dtype) in enumerate(point_layout)],
        )

    def record_failure(self, points: list[int], message: str) -> None:
        """Note that ``points`` failed with ``message``; they stay unfinished."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                "INSERT INTO failures (point, message, time) VALUES (?, ?, ?)",
                [(int(p), str(message), now) for p in points],
            )

    # -- closing ----------------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def load_sweep(path) -> pd.DataFrame:
    """The replicate rows of the existing store at ``path`` (see `SweepStore.load`), opened
    read-only; `negotiation_sim.sweeps.load_sweep` gives the whole `SweepResult`."""
    with SweepStore.open_read_only(path) as store:
        return store.load()


def read_spec(path) -> dict:
    """The specification stored at ``path``, in its key order."""
    with SweepStore.open_read_only(path) as store:
        return store.spec


class BatchLog:
    """The batches of a seeded job that asks for them in an order its seed fixes (ABC-SMC, a
    point search): counted, shown on a bar and, with a store, kept as they are made.

    Batch after batch is stored as the points ``count .. count + size - 1`` of a `SweepStore`
    whose specification is ``{job: settings, "statistics": labels}``: each point's parameters
    (and seed, when the batch has seeds) and its results, one column per label. A resumed job
    replays its seed, so it asks for the same batches in the same order; `take` reads those
    already stored back (their parameters and seeds checked against the replay) instead of
    them being made again.
    """

    def __init__(
        self,
        path: str | Path | None,
        job: str,
        settings: Mapping,
        labels: Sequence[str],
        *,
        resume: bool = False,
        progress: bool = False,
        unit: str = "sim",
    ) -> None:
        self.count = 0
        self.columns = [f"s{i:02d}" for i in range(len(labels))]
        self.store = None
        self.stored = pd.DataFrame()
        self.bar = None
        if path is not None:
            self.store = SweepStore.open(path, {job: settings, "statistics": list(labels)}, resume)
            self.stored = self.store.load()
            if not self.stored.empty:
                self.stored = self.stored.set_index("point").sort_index()
                self.points = self.store.load_points()
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(unit=unit, desc=job, dynamic_ncols=True, file=sys.stderr)

    def _advance(self, size: int) -> range:
        ids = range(self.count, self.count + size)
        self.count += size
        if self.bar is not None:
            self.bar.update(size)
        return ids

    def take(
        self, chosen: Mapping[str, np.ndarray], seeds: np.ndarray | None = None
    ) -> np.ndarray | None:
        """The stored results of the next batch (parameters ``chosen``, one value per row),
        or None when it is not stored."""
        size = len(next(iter(chosen.values())))
        ids = list(range(self.count, self.count + size))
        if self.stored.empty or ids[-1] not in self.stored.index:
            return None
        rows = self.stored.loc[ids]
        same = (seeds is None or np.array_equal(rows["seed"].to_numpy(), seeds)) and all(
            np.array_equal(self.points.loc[ids, name].to_numpy(), value)
            for name, value in chosen.items()
        )
        if not same:
            raise StoreError(
                str(self.store.path),
                "batch",
                ids[0],
                "allowed: a store this job wrote (the replay asked for other parameters)",
            )
        self._advance(size)
        return rows[self.columns].to_numpy(float)

    def keep(
        self, chosen: Mapping[str, np.ndarray], seeds: np.ndarray | None, made: np.ndarray
    ) -> None:
        """Count (and store) the next batch: its parameters, seeds and results (one row per
        batch member, one column per label)."""
        ids = self._advance(len(made))
        if self.store is None:
            return
        index = pd.Index(np.arange(ids.start, ids.stop), name="point")
        points = pd.DataFrame({n: np.asarray(v, float) for n, v in chosen.items()}, index=index)
        rows = pd.DataFrame(np.asarray(made, float).reshape(len(made), -1), columns=self.columns)
        if seeds is not None:
            rows.insert(0, "seed", seeds)
        rows.insert(0, "point", index.to_numpy())
        self.store.write(rows, points=points)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
