"""A crash-safe SQLite store for one parameter sweep: its specification and one row per replicate.

A sweep runs many parameter points, each with several replicates, and hands its results over in
chunks (DataFrames). `SweepStore` keeps them in a single SQLite file so a sweep that is killed
can be resumed without losing or duplicating work.

Schema (standard library ``sqlite3``, WAL journal):

``meta(key TEXT PRIMARY KEY, value TEXT)``
    ``format`` (the store's format version) and ``spec`` (the sweep's specification as canonical
    JSON, ``json.dumps(spec, sort_keys=True)``).
``columns(position INTEGER PRIMARY KEY, name TEXT, dtype TEXT)``
    The result columns in their original order with their pandas dtypes (``int64``,
    ``float64``, ``bool``, ``str``, ``object``, ...), so `SweepStore.load` restores them.
``results(_store_row INTEGER PRIMARY KEY AUTOINCREMENT, "point", "<param>", ..., "seed", ...)``
    One row per replicate, created by the first write from the chunk's columns. Result columns
    have no declared type, so SQLite stores values as given: 64-bit integers and IEEE doubles
    round-trip exactly (even ``-0.0``), NaN is stored as NULL and comes back as NaN, and bools
    are stored as 0/1 and come back as ``bool`` through the ``columns`` table. ``object``
    columns come back holding what SQLite holds (str, int, float, bytes or None).
``points(point INTEGER PRIMARY KEY)``
    The points finished: a point is listed exactly when all its rows are in ``results``.
``failures(id INTEGER PRIMARY KEY AUTOINCREMENT, point INTEGER, message TEXT, time TEXT)``
    Points that raised, with the error message and a UTC timestamp.

Guarantees:

* One transaction per chunk: `SweepStore.write` inserts the rows and marks their points finished
  together, so a process killed at any moment leaves every committed chunk intact and no part
  of an uncommitted one (WAL journal, ``synchronous=FULL``).
* A point is never stored twice: writing a finished point raises ``ValueError`` and changes
  nothing. A resumed sweep skips `SweepStore.finished_points`.
* Resuming with a different specification is a `ScenarioError` naming the first differing key
  and both values, so results of two different sweeps never mix in one file.
"""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from negotiation_sim.errors import ScenarioError

#: Bump when the schema changes; a store of another format is refused rather than misread.
FORMAT_VERSION = 1

#: The results table's own row number; it keeps insertion order within a point.
_ROW = "_store_row"

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    (
        "CREATE TABLE columns (position INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "dtype TEXT NOT NULL)"
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


def _canonical(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True)


def _first_difference(stored, given, key: str = ""):
    """The dotted key and both values where two JSON values first differ, or None if equal."""
    if isinstance(stored, dict) and isinstance(given, dict):
        for name in sorted(set(stored) | set(given)):
            found = _first_difference(
                stored.get(name, _ABSENT),
                given.get(name, _ABSENT),
                f"{key}.{name}" if key else name,
            )
            if found:
                return found
        return None
    if isinstance(stored, list) and isinstance(given, list) and len(stored) == len(given):
        for index, (old, new) in enumerate(zip(stored, given)):
            found = _first_difference(old, new, f"{key}.{index}" if key else str(index))
            if found:
                return found
        return None
    if stored is _ABSENT or given is _ABSENT:
        return key, stored, given
    # Compare as JSON text: NaN equals itself there, and 1 differs from 1.0 and True.
    if json.dumps(stored, sort_keys=True) == json.dumps(given, sort_keys=True):
        return None
    return key or "spec", stored, given


def _not_a_store(path: Path, why: str) -> ScenarioError:
    return ScenarioError(
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


class SweepStore:
    """One sweep's results in an SQLite file: its specification, one row per replicate, the
    points finished, and failures."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn, self.path = conn, path
        self._columns = self._read_columns()

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def open(cls, path, spec: dict, resume: bool = False) -> SweepStore:
        """Create the store at ``path``, or reopen it with ``resume=True`` for the same spec."""
        path = Path(path)
        canonical = _canonical(spec)
        if not path.exists():
            return cls._create(path, canonical)
        if not resume:
            raise ScenarioError(
                str(path),
                "store",
                str(path),
                "allowed: a new path, or resume=True (--resume) to continue this sweep",
            )
        store = cls._connect(path, read_only=False)
        try:
            store._check_spec(json.loads(canonical))
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _create(cls, path: Path, canonical: str) -> SweepStore:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = cls._configure(sqlite3.connect(path, isolation_level=None))
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [("format", str(FORMAT_VERSION)), ("spec", canonical)],
            )
        return cls(conn, path)

    @classmethod
    def _connect(cls, path: Path, read_only: bool) -> SweepStore:
        """Open an existing store, checking it is one before touching it."""
        if not path.is_file():
            raise ScenarioError(
                str(path), "store", str(path), "allowed: the path of an existing sweep store"
            )
        uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "?mode=rw")
        # isolation_level=None: we open transactions ourselves, so DDL and inserts of a chunk
        # share one, and no read snapshot is held open between calls.
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        try:
            _has_meta(conn, path)
            version = dict(conn.execute("SELECT key, value FROM meta")).get("format")
            if version != str(FORMAT_VERSION):
                raise _not_a_store(
                    path, f"format {version}, this version reads format {FORMAT_VERSION}"
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

    def _check_spec(self, given: dict) -> None:
        stored = self.spec
        difference = _first_difference(stored, given)
        if difference:
            key, old, new = difference
            raise ScenarioError(
                str(self.path),
                key,
                new,
                f"allowed: the stored specification's value {old!r}; "
                "start a new store for a different sweep",
            )

    def _read_columns(self) -> list[tuple[str, str]]:
        return list(self._conn.execute("SELECT name, dtype FROM columns ORDER BY position"))

    # -- reading ----------------------------------------------------------------------------

    @property
    def spec(self) -> dict:
        """The stored specification (as JSON gives it back: tuples become lists)."""
        (text,) = self._conn.execute("SELECT value FROM meta WHERE key = 'spec'").fetchone()
        return json.loads(text)

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
        rows = self._conn.execute(sql).fetchall()
        values = list(zip(*rows)) if rows else [[] for _ in names]
        return pd.DataFrame(
            {
                name: _decode(list(column), dtype)
                for (name, dtype), column in zip(self._columns, values)
            }
        )

    def failures(self) -> pd.DataFrame:
        """Failures recorded, oldest first: columns point and message."""
        rows = self._conn.execute("SELECT point, message FROM failures ORDER BY id").fetchall()
        frame = pd.DataFrame(rows, columns=["point", "message"])
        return frame.astype({"point": "int64", "message": "str"})

    # -- writing ----------------------------------------------------------------------------

    def write(self, rows: pd.DataFrame) -> None:
        """Store a chunk and mark its points finished, in one transaction.

        Raises ValueError, storing nothing, when a point is already finished or the columns
        differ from the first chunk's.
        """
        layout = self._layout(rows)
        points = sorted({int(p) for p in rows["point"].tolist()})
        encoded = [_encode(rows[name], rows[name].dtype) for name, _ in layout]
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._refuse_finished(points)
            if not self._columns:
                self._create_results(layout)
            insert = (
                f"INSERT INTO results ({', '.join(_quote(n) for n, _ in layout)}) "
                f"VALUES ({', '.join('?' * len(layout))})"
            )
            self._conn.executemany(insert, zip(*encoded))
            self._conn.executemany("INSERT INTO points VALUES (?)", [(p,) for p in points])
        # Only after the commit: a rolled-back first write must not leave columns behind.
        self._columns = layout

    def _layout(self, rows: pd.DataFrame) -> list[tuple[str, str]]:
        """The chunk's (name, dtype) in stored order, or ValueError naming the difference."""
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
        return self._match_stored(dict(layout))

    def _match_stored(self, given: dict[str, str]) -> list[tuple[str, str]]:
        stored = dict(self._columns)
        missing, extra = sorted(set(stored) - set(given)), sorted(set(given) - set(stored))
        if missing or extra:
            raise ValueError(
                f"columns differ from the stored ones: missing {missing}, unexpected {extra}"
            )
        changed = {n: (stored[n], given[n]) for n in stored if stored[n] != given[n]}
        if changed:
            raise ValueError(
                f"column dtypes differ from the stored ones (stored, given): {changed}"
            )
        return self._columns  # same columns, possibly reordered: insert by name

    def _refuse_finished(self, points: list[int]) -> None:
        # One primary-key lookup per point: cost grows with the chunk, not with the sweep.
        lookup = "SELECT 1 FROM points WHERE point = ?"
        done = [p for p in points if self._conn.execute(lookup, (p,)).fetchone()]
        if done:
            raise ValueError(f"points already finished in {self.path}: {done[:20]}")

    def _create_results(self, layout: list[tuple[str, str]]) -> None:
        # No declared types: SQLite then keeps each value's own type (no REAL/INTEGER affinity
        # conversions, which would turn -0.0 into 0.0); dtypes live in the columns table.
        columns = ", ".join(_quote(name) for name, _ in layout)
        self._conn.execute(
            f"CREATE TABLE results ({_ROW} INTEGER PRIMARY KEY AUTOINCREMENT, {columns})"
        )
        self._conn.execute(f"CREATE INDEX results_point ON results ({_quote('point')})")
        self._conn.executemany(
            "INSERT INTO columns VALUES (?, ?, ?)",
            [(i, name, dtype) for i, (name, dtype) in enumerate(layout)],
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


def _read_only(path) -> SweepStore:
    return SweepStore._connect(Path(path), read_only=True)


def load_sweep(path) -> pd.DataFrame:
    """The rows of the existing store at ``path`` (see `SweepStore.load`), opened read-only."""
    with _read_only(path) as store:
        return store.load()


def read_spec(path) -> dict:
    """The specification stored at ``path``."""
    with _read_only(path) as store:
        return store.spec
