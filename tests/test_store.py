"""The sweep store: exact round trips, resume, refusal of duplicates and mismatches, crash safety."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiation_sim as ns
from negotiation_sim import store as store_module
from negotiation_sim.errors import ScenarioError
from negotiation_sim.outcomes import OUTCOMES
from negotiation_sim.store import FORMAT_VERSION, SweepStore, load_sweep, read_spec

SPEC = {
    "scenario": "pressure-2017",
    "space": {"pyongyang.salvo": [1, 2, 3]},
    "replicates": 5,
    "seed": 7,
    "design": "grid",
    "points": 3,
    "days": 365,
}

OUTCOME_COLUMNS = [name for name in OUTCOMES if name != "seed"]


def chunk(points, replicates=5, seed_base=2**63 - 1000):
    """Rows as a sweep writes them: point, parameters, seed, then every outcome column."""
    n = len(points) * replicates
    point = np.repeat(np.asarray(points, dtype=np.int64), replicates)
    frame = {
        "point": point,
        "pyongyang.salvo": point.astype(np.float64) * 0.1 + 1e-17,
        "us.policy": np.where(point % 2 == 0, "pressure", "engage"),
        "un.veto": point % 3 == 0,
        "beijing.envoys": point * 2,
        "seed": (seed_base + np.arange(n)).astype(np.int64),
    }
    for i, name in enumerate(OUTCOME_COLUMNS):
        kind = OUTCOMES[name].kind
        if kind == "share":
            frame[name] = (np.arange(n) + i) % 2 == 0
        elif kind == "count":
            frame[name] = np.arange(n, dtype=np.int64) * (i + 1)
        elif kind == "days":
            frame[name] = np.where(np.arange(n) % 3 == 0, np.nan, np.arange(n) + 0.5)
        else:
            frame[name] = np.linspace(0, 1, n) / 3
    return pd.DataFrame(frame)


def test_round_trip_is_exact(tmp_path):
    first, second = chunk([0, 1]), chunk([2], seed_base=2**63 - 5)
    assert second["seed"].max() == 2**63 - 1
    (tmp_path / "sub").mkdir()
    with SweepStore.open(tmp_path / "sub" / "sweep.sqlite", SPEC) as store:
        store.write(first)
        store.write(second)
        loaded = store.load()
    expected = pd.concat([first, second], ignore_index=True)
    pd.testing.assert_frame_equal(loaded, expected, check_exact=True)
    assert loaded["days_to_talks"].isna().any()
    pd.testing.assert_frame_equal(load_sweep(tmp_path / "sub" / "sweep.sqlite"), expected)


def test_load_sorts_by_point_keeping_write_order(tmp_path):
    with SweepStore.open(tmp_path / "s.sqlite", SPEC) as store:
        assert store.load().empty
        store.write(chunk([4]))
        store.write(chunk([1, 3]))
        loaded = store.load()
    assert loaded["point"].tolist() == [1] * 5 + [3] * 5 + [4] * 5
    assert loaded.loc[loaded["point"] == 4, "seed"].tolist() == chunk([4])["seed"].tolist()


def test_resume_continues_the_same_sweep(tmp_path):
    path = tmp_path / "s.sqlite"
    with SweepStore.open(path, SPEC) as store:
        store.write(chunk([0]))
        store.write(chunk([1]))
    assert read_spec(path) == SPEC
    with SweepStore.open(path, dict(SPEC), resume=True) as store:
        assert store.finished_points() == {0, 1}
        assert store.spec == SPEC
        store.write(chunk([2]))
        assert len(store.load()) == 15


def test_writing_a_point_twice_raises_and_changes_nothing(tmp_path):
    with SweepStore.open(tmp_path / "s.sqlite", SPEC) as store:
        store.write(chunk([0, 1]))
        before = store.load()
        with pytest.raises(ValueError, match=r"already finished.*\[1\]"):
            store.write(chunk([1, 2]))
        assert store.finished_points() == {0, 1}
        pd.testing.assert_frame_equal(store.load(), before)


def test_first_write_that_fails_leaves_no_columns(tmp_path):
    with SweepStore.open(tmp_path / "s.sqlite", SPEC) as store:
        unsigned = chunk([0]).astype({"seed": np.uint64})  # above 2**63-1 would not fit
        with pytest.raises(ValueError, match="seed"):
            store.write(unsigned)
        # Fails inside the transaction, after the results table was created: all rolled back.
        # Object dtype on purpose: pyarrow-backed strings (pandas with pyarrow) refuse it.
        unencodable = chunk([0])
        unencodable["us.policy"] = pd.Series(
            ["\ud800"] * len(unencodable), dtype=object, index=unencodable.index
        )
        with pytest.raises(UnicodeEncodeError):
            store.write(unencodable)
        assert store.finished_points() == set() and store.load().empty
        store.write(chunk([0]).drop(columns="un.veto"))  # the columns are still free to choose
        pd.testing.assert_frame_equal(store.load(), chunk([0]).drop(columns="un.veto"))


def test_later_chunks_need_the_same_columns(tmp_path):
    with SweepStore.open(tmp_path / "s.sqlite", SPEC) as store:
        store.write(chunk([0]))
        with pytest.raises(ValueError, match="missing.*un.veto.*unexpected.*un.vetoes"):
            store.write(chunk([1]).rename(columns={"un.veto": "un.vetoes"}))
        with pytest.raises(ValueError, match="beijing.envoys"):
            store.write(chunk([1]).astype({"beijing.envoys": "float64"}))
        reordered = chunk([1])
        store.write(reordered[reordered.columns[::-1]])
        pd.testing.assert_frame_equal(
            store.load(), pd.concat([chunk([0]), reordered], ignore_index=True)
        )


def test_existing_store_needs_resume(tmp_path):
    path = tmp_path / "s.sqlite"
    SweepStore.open(path, SPEC).close()
    with pytest.raises(ScenarioError, match="resume=True") as info:
        SweepStore.open(path, SPEC)
    assert str(path) in str(info.value)


def test_resume_with_another_spec_names_the_difference(tmp_path):
    path = tmp_path / "s.sqlite"
    SweepStore.open(path, SPEC).close()
    other = {**SPEC, "space": {"pyongyang.salvo": [1, 2, 4]}}
    with pytest.raises(ScenarioError) as info:
        SweepStore.open(path, other, resume=True)
    message = str(info.value)
    assert str(path) in message and "space.pyongyang.salvo.2" in message
    assert "4" in message and "stored specification's value 3" in message

    # Mappings are walked in the stored order: the stored key the given space lacks comes first.
    nested = {**SPEC, "space": {"pyongyang": {"salvo": [1]}}}
    with pytest.raises(ScenarioError, match=r"space\.pyongyang\.salvo = <absent>: .*\[1, 2, 3\]"):
        SweepStore.open(path, nested, resume=True)
    with pytest.raises(ScenarioError, match=r"days = 400: .*value 365"):
        SweepStore.open(path, {**SPEC, "days": 400}, resume=True)
    with pytest.raises(ScenarioError, match=r"extra = 1: .*value <absent>"):
        SweepStore.open(path, {**SPEC, "extra": 1}, resume=True)


def test_files_that_are_not_stores_are_refused(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database " * 100)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    for path in (text, other):
        with pytest.raises(ScenarioError, match="sweep store"):
            SweepStore.open(path, SPEC, resume=True)
        with pytest.raises(ScenarioError, match="sweep store"):
            load_sweep(path)
    assert text.read_text().startswith("not a database")  # left untouched
    with pytest.raises(ScenarioError, match="existing sweep store"):
        read_spec(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()


def test_failures_are_recorded(tmp_path):
    with SweepStore.open(tmp_path / "s.sqlite", SPEC) as store:
        assert store.failures().empty
        assert list(store.failures().columns) == ["point", "message"]
        store.record_failure([3, 4], "ScenarioError: bad value")
        store.record_failure([np.int64(9)], "boom")
        failures = store.failures()
        assert failures["point"].tolist() == [3, 4, 9]
        assert failures["message"].tolist() == ["ScenarioError: bad value"] * 2 + ["boom"]
        assert store.finished_points() == set()


CRASHING_WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from test_store import SPEC, chunk
    from negotiation_sim.store import SweepStore

    store = SweepStore.open({path!r}, SPEC)
    store.write(chunk([0]))
    start = 1
    while True:  # big chunks, so the kill often lands inside a transaction
        store.write(chunk(list(range(start, start + 400))))
        start += 400
""")


def _finished(path: Path) -> set[int]:
    """Finished points through a separate read-only connection, as another process sees them."""
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
            return {p for (p,) in conn.execute("SELECT point FROM points")}
    except sqlite3.OperationalError:  # not created yet
        return set()


def test_killed_writer_leaves_only_whole_chunks(tmp_path):
    path = tmp_path / "s.sqlite"
    script = CRASHING_WRITER.format(tests=str(Path(__file__).parent), path=str(path))
    writer = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(_finished(path)) < 2 and time.monotonic() < deadline:
            assert writer.poll() is None, writer.stderr.read().decode()
            time.sleep(0.02)
        time.sleep(0.05)
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
        writer.stderr.close()
    assert writer.returncode == -signal.SIGKILL

    with SweepStore.open(path, SPEC, resume=True) as store:
        finished = store.finished_points()
        assert len(finished) >= 2 and (len(finished) - 1) % 400 == 0
        rows = store.load()
        counts = rows.groupby("point").size()
        assert set(counts.index) == finished  # no rows for unfinished points
        assert (counts == 5).all()  # every finished point whole
        pd.testing.assert_frame_equal(
            rows,
            pd.concat(
                [chunk([0])]
                + [chunk(list(range(s, s + 400))) for s in range(1, max(finished), 400)],
                ignore_index=True,
            ),
        )
        nxt = max(finished) + 1
        store.write(chunk([nxt]))
        assert store.finished_points() == finished | {nxt}


# -- random frames round-trip exactly ---------------------------------------------------------

KINDS = {
    "int": st.integers(-(2**63), 2**63 - 1),
    "float": st.floats(allow_nan=True, allow_infinity=True),
    "bool": st.booleans(),
    "str": st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs",)), max_size=8)),
}
NAMES = [
    "pyongyang.salvo",
    "us.policy",
    "seed",
    "days_to_talks",
    "talks_reached",
    'a"b',
    "x y",
    "final_trust",
    "Walkouts",
]


@st.composite
def frames(draw):
    n_points = draw(st.integers(0, 6))
    sizes = draw(st.lists(st.integers(1, 3), min_size=n_points, max_size=n_points))
    points = draw(
        st.lists(st.integers(0, 2**40), min_size=n_points, max_size=n_points, unique=True)
    )
    n = sum(sizes)
    data = {"point": np.repeat(np.array(points, dtype=np.int64), sizes)}
    for name in draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES))):
        kind = draw(st.sampled_from(sorted(KINDS)))
        values = draw(st.lists(KINDS[kind], min_size=n, max_size=n))
        dtype = {"int": np.int64, "float": np.float64, "bool": bool, "str": "str"}[kind]
        data[name] = pd.Series(values, dtype=dtype) if kind == "str" else np.array(values, dtype)
    frame = pd.DataFrame(data)
    cut = draw(st.integers(0, n_points))  # split into two chunks at a point boundary
    at = sum(sizes[:cut])
    return frame.iloc[:at].reset_index(drop=True), frame.iloc[at:].reset_index(drop=True)


@settings(max_examples=60, deadline=None)
@given(frames())
def test_random_frames_round_trip_exactly(chunks):
    with tempfile.TemporaryDirectory() as folder:
        with SweepStore.open(Path(folder) / "s.sqlite", SPEC) as store:
            for part in chunks:
                store.write(part)
            loaded = store.load()
        expected = pd.concat(chunks, ignore_index=True).sort_values(
            "point", kind="stable", ignore_index=True
        )
        pd.testing.assert_frame_equal(loaded, expected, check_exact=True)
        for name in expected.columns:  # -0.0 stays -0.0 (assert_frame_equal ignores the sign)
            if expected[name].dtype == np.float64:  # NaN is stored as NULL: its sign is not kept
                number = expected[name].notna()
                assert np.array_equal(
                    np.signbit(loaded[name][number]), np.signbit(expected[name][number])
                )


# -- each point's parameters once, the spec's content and order, versions and formats ---------


def points_of(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per point of ``rows``: its parameters (as a sweep passes them)."""
    first = rows.groupby("point", sort=True).head(1).set_index("point")
    return first[["pyongyang.salvo", "us.policy", "un.veto", "beijing.envoys"]]


def test_points_are_stored_once_with_their_dtypes(tmp_path):
    parts = [chunk([3, 1]), chunk([0]), chunk([2], seed_base=2**63 - 5)]
    params = ["pyongyang.salvo", "us.policy", "un.veto", "beijing.envoys"]
    with SweepStore.open(tmp_path / "s.sqlite", SPEC) as store:
        assert store.load_points().empty and store.load_points().index.name == "point"
        for part in parts:
            shuffled = points_of(part).iloc[::-1]  # any order: stored by point
            store.write(part.drop(columns=params), points=shuffled)
        loaded = store.load_points()
        rows = store.load()
    expected = points_of(pd.concat(parts)).sort_index()
    pd.testing.assert_frame_equal(loaded, expected, check_exact=True)
    assert list(rows.columns) == ["point", "seed", *OUTCOME_COLUMNS]
    with sqlite3.connect(tmp_path / "s.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM points").fetchone() == (4,)


def test_points_must_match_the_rows_and_the_first_chunk(tmp_path):
    params = ["pyongyang.salvo", "us.policy", "un.veto", "beijing.envoys"]
    with SweepStore.open(tmp_path / "s.sqlite", SPEC) as store:
        rows = chunk([0, 1])
        with pytest.raises(ValueError, match="differ from the points of the rows"):
            store.write(rows.drop(columns=params), points=points_of(chunk([0])))
        assert store.finished_points() == set()
        store.write(rows.drop(columns=params), points=points_of(rows))
        later = chunk([2])
        with pytest.raises(ValueError, match="point columns"):
            store.write(later.drop(columns=params), points=points_of(later).drop(columns="un.veto"))
        with pytest.raises(ValueError, match="point columns"):
            store.write(later.drop(columns=params))
        assert store.finished_points() == {0, 1}


def test_the_spec_is_kept_in_its_key_order_with_the_version(tmp_path):
    path = tmp_path / "s.sqlite"
    ordered = {**SPEC, "space": {"b.second": [1], "a.first": [2]}}
    SweepStore.open(path, ordered).close()
    assert list(read_spec(path)["space"]) == ["b.second", "a.first"]
    with sqlite3.connect(path) as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["format"] == str(FORMAT_VERSION) == "2" and meta["version"] == ns.__version__
    with SweepStore.open_read_only(path) as store:
        assert store.version == ns.__version__


@settings(max_examples=40, deadline=None)
@given(st.permutations(["a.one", "b.two", "c.three", "d.four"]))
def test_resume_is_refused_exactly_when_the_space_keys_are_reordered(order):
    keys = ["a.one", "b.two", "c.three", "d.four"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.sqlite"
        SweepStore.open(path, {**SPEC, "space": {k: [1] for k in keys}}).close()
        given = {**SPEC, "space": {k: [1] for k in order}}
        if order == keys:
            SweepStore.open(path, given, resume=True).close()
            return
        with pytest.raises(ScenarioError) as info:
            SweepStore.open(path, given, resume=True)
        assert (info.value.key, info.value.value) == ("space", order)
        assert str(keys) in info.value.allowed and "order" in info.value.allowed


def test_the_scenario_content_compares_by_value_whatever_its_key_order(tmp_path):
    path = tmp_path / "s.sqlite"
    content = {"name": "x", "params": {"a.one": 1, "b.two": 2}}
    SweepStore.open(path, {**SPEC, "scenario": content}).close()
    reordered = {"params": {"b.two": 2, "a.one": 1}, "name": "x"}
    SweepStore.open(path, {**SPEC, "scenario": reordered}, resume=True).close()
    edited = {"name": "x", "params": {"a.one": 1, "b.two": 3}}
    with pytest.raises(ScenarioError) as info:
        SweepStore.open(path, {**SPEC, "scenario": edited}, resume=True)
    assert (info.value.key, info.value.value) == ("scenario.params.b.two", 3)
    assert "value 2" in info.value.allowed


def test_another_version_may_read_but_not_resume(tmp_path, monkeypatch):
    path = tmp_path / "s.sqlite"
    with SweepStore.open(path, SPEC) as store:
        store.write(chunk([0]))
    written_by = ns.__version__
    monkeypatch.setattr(ns, "__version__", "0.0.1")
    with pytest.raises(ScenarioError) as info:
        SweepStore.open(path, SPEC, resume=True)
    assert (info.value.key, info.value.value) == ("version", "0.0.1")
    assert written_by in info.value.allowed
    pd.testing.assert_frame_equal(load_sweep(path), chunk([0]))


def test_a_store_of_the_older_format_is_refused_clearly(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:  # what format 1 wrote
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)", [("format", "1"), ("spec", json.dumps(SPEC))]
        )
    for opening in (
        lambda: SweepStore.open(path, SPEC, resume=True),
        lambda: load_sweep(path),
        lambda: read_spec(path),
    ):
        with pytest.raises(ScenarioError) as info:
            opening()
        message = str(info.value)
        assert "format 1" in message and f"format {FORMAT_VERSION}" in message
        assert "new store" in message


@pytest.mark.parametrize("where", ["missing folder", "a folder", "read-only folder"])
def test_a_store_path_must_be_a_writable_file_in_an_existing_folder(tmp_path, where):
    if where == "missing folder":
        path, words = tmp_path / "nowhere" / "s.sqlite", "existing folder"
    elif where == "a folder":
        path, words = tmp_path, "not a folder"
    else:
        if os.geteuid() == 0:
            pytest.skip("root may write anywhere")
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        path, words = locked / "s.sqlite", "may write"
    with pytest.raises(ScenarioError, match=words) as info:
        SweepStore.open(path, SPEC)
    assert info.value.key == "store" and str(path) in str(info.value)
    assert not (tmp_path / "nowhere").exists()


def test_a_sweep_spec_is_stored_as_its_data(tmp_path):
    from negotiation_sim.sweeps import SweepSpec

    spec = SweepSpec("pressure-2017", {"pyongyang.salvo": [0.1, 0.2]}, 2, days=10)
    with SweepStore.open(tmp_path / "s.sqlite", spec) as store:
        assert store.spec == spec.to_dict()
        assert store.spec["scenario_fingerprint"] == ns.load_scenario("pressure-2017").fingerprint()
    assert store_module._plain_spec(spec) == json.loads(json.dumps(spec.to_dict()))
