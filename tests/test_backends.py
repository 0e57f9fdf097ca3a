"""Backends: every backend gives the same results, in chunk order when asked; failing chunks
are retried once and reported when they fail twice; a process pool lasts across calls and
leaves no process behind; bad options are named."""

from __future__ import annotations

import os
import signal
import time
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiation_sim import backends
from negotiation_sim.backends import BACKENDS, ChunksFailed, open_backend
from negotiation_sim.errors import ScenarioError

BAD = 13  # the chunk `_unless_bad` always fails on


# Work functions are module-level so that they pickle to worker processes.
def _polynomial(k: int, chunk: list[int]) -> list[int]:
    return [k * x * x - x for x in chunk]


def _unless_bad(chunk: int) -> int:
    if chunk == BAD:
        raise ValueError(f"bad chunk {chunk}")
    return 2 * chunk


def _fails_once(folder: str, chunk: int) -> int:
    """Fails the first time each chunk runs (marker files, since workers share no memory)."""
    marker = Path(folder) / str(chunk)
    if not marker.exists():
        marker.touch()
        raise RuntimeError(f"transient {chunk}")
    return 2 * chunk


def _dies_once(folder: str, chunk: int) -> int:
    """Kills its worker process the first time chunk 0 runs."""
    marker = Path(folder) / "died"
    if chunk == 0 and not marker.exists():
        marker.touch()
        os._exit(1)
    return 2 * chunk


def _pid(chunk: int) -> int:
    time.sleep(0.05)  # long enough for every worker to take a chunk
    return os.getpid()


def _mapped(backend, work, chunks) -> tuple[list, list]:
    """``backend.map``'s (chunk, result) pairs, in the order they finished, and its failures."""
    finished = []
    failures = backend.map(work, chunks, lambda chunk, result: finished.append((chunk, result)))
    return finished, failures


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def processes():
    """One pool for the module's properties: it also shows that a pool serves many calls."""
    with open_backend("processes", workers=2) as backend:
        yield backend


# --- the same results, whatever the backend ---------------------------------------------------
CHUNKS = st.lists(st.lists(st.integers(-1000, 1000), max_size=5), max_size=12)


@given(CHUNKS, st.integers(-3, 3))
@settings(max_examples=25, deadline=None)
def test_every_backend_gives_the_results_of_running_each_chunk(processes, chunks, k):
    work = partial(_polynomial, k)
    expected = [work(chunk) for chunk in chunks]
    with open_backend("serial") as serial:
        assert serial.map_ordered(work, chunks) == expected
    assert processes.map_ordered(work, chunks) == expected
    finished, failures = _mapped(processes, work, chunks)
    assert failures == []
    # Every chunk finished once, with its own result, in whatever order.
    assert sorted(map(repr, finished)) == sorted(repr(p) for p in zip(chunks, expected))


@pytest.mark.parametrize("name", ["serial", "processes"])
def test_a_chunk_failing_once_is_retried_and_succeeds(name, tmp_path):
    chunks = [3, 1, 4, 1, 5]
    with open_backend(name, workers=2) as backend:
        finished, failures = _mapped(backend, partial(_fails_once, str(tmp_path)), chunks)
    assert failures == []
    assert sorted(finished) == sorted((c, 2 * c) for c in chunks)


@pytest.mark.parametrize("name", ["serial", "processes"])
def test_a_chunk_always_failing_is_reported_and_the_others_complete(name):
    chunks = [1, BAD, 2, 3]
    with open_backend(name, workers=2) as backend:
        finished, failures = _mapped(backend, _unless_bad, chunks)
        assert failures == [(BAD, repr(ValueError(f"bad chunk {BAD}")))]
        assert sorted(finished) == [(1, 2), (2, 4), (3, 6)]
        with pytest.raises(
            ChunksFailed, match=f"1 chunk.s. failed twice.*bad chunk {BAD}"
        ) as error:
            backend.map_ordered(_unless_bad, chunks)
    assert error.value.failures == failures


def test_a_dead_worker_fails_its_chunk_once_and_the_pool_is_replaced(tmp_path):
    with open_backend("processes", workers=2) as backend:
        assert backend.map_ordered(partial(_dies_once, str(tmp_path)), range(6)) == [
            2 * c for c in range(6)
        ]
        assert (tmp_path / "died").exists()
        assert backend.map_ordered(_unless_bad, [1, 2]) == [2, 4]  # the new pool serves on


def test_a_worker_killed_between_calls_does_not_fail_the_next_call():
    with open_backend("processes", workers=2) as backend:
        pids = set(backend.map_ordered(_pid, range(4)))
        os.kill(pids.pop(), signal.SIGKILL)
        time.sleep(0.5)  # long enough for the pool to see it broken before the next call
        assert backend.map_ordered(_unless_bad, range(4)) == [0, 2, 4, 6]


# --- one pool across calls, none left after ---------------------------------------------------
def test_a_process_pool_serves_every_call_until_closed():
    with open_backend("processes", workers=2) as backend:
        first = set(backend.map_ordered(_pid, range(8)))
        second = set(backend.map_ordered(_pid, range(8)))
    assert first == second and len(first) == 2 and os.getpid() not in first
    assert not any(_alive(pid) for pid in first)


def test_an_error_while_mapping_stops_the_workers_and_propagates():
    backend = open_backend("processes", workers=2)
    pids = []

    def done(chunk: int, pid: int) -> None:
        pids.append(pid)
        raise KeyboardInterrupt  # as Ctrl-C, or a failing store

    with pytest.raises(KeyboardInterrupt):
        backend.map(_pid, range(8), done)
    assert pids and not any(_alive(pid) for pid in pids)
    assert backend.map_ordered(_unless_bad, [1, 2]) == [2, 4]  # a stopped backend starts again
    backend.close()


def test_a_pool_grows_when_a_call_has_more_chunks():
    with open_backend("processes", workers=2) as backend:
        assert len(set(backend.map_ordered(_pid, [0]))) == 1
        assert len(set(backend.map_ordered(_pid, range(8)))) == 2


# --- dask ---------------------------------------------------------------------------------------
def test_a_local_dask_cluster_gives_the_same_results_and_stops_with_its_backend():
    pytest.importorskip("distributed")
    work = partial(_polynomial, 2)
    chunks = [[5, 1], [], [3], [2, 2, 2]]
    with open_backend("dask", workers=2) as backend:
        assert backend.map_ordered(work, chunks) == [work(c) for c in chunks]
        finished, failures = _mapped(backend, _unless_bad, [1, BAD, 2])
        assert failures and failures[0][0] == BAD and "bad chunk 13" in failures[0][1]
        assert sorted(finished) == [(1, 2), (2, 4)]
        pids = set(backend.map_ordered(_pid, range(4)))
    assert os.getpid() not in pids
    assert not any(_alive(pid) for pid in pids)


def test_an_unreachable_scheduler_is_named_when_first_used():
    pytest.importorskip("distributed")
    with open_backend(scheduler="tcp://127.0.0.1:1", source="<test>") as backend:
        assert backend.name == "dask"
        assert backend.map(_unless_bad, [], print) == []  # nothing to run: nothing connects
        with pytest.raises(ScenarioError) as error:
            backend.map(_unless_bad, [1], print)
    assert (error.value.source, error.value.key) == ("<test>", "scheduler")
    assert "running Dask scheduler" in error.value.allowed


# --- options ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "key", "allowed"),
    [
        ({"backend": "gpu"}, "backend", "allowed: one of serial, processes, dask"),
        ({"backend": ["serial"]}, "backend", "allowed: one of serial, processes, dask"),
        ({"workers": 0}, "workers", "allowed: an integer in [1, 1024]"),
        ({"workers": 10**6}, "workers", "allowed: an integer in [1, 1024]"),
        ({"workers": 2.0}, "workers", "allowed: an integer in [1, 1024]"),
        ({"workers": True}, "workers", "allowed: an integer in [1, 1024]"),
        (
            {"backend": "serial", "scheduler": "tcp://127.0.0.1:8786"},
            "scheduler",
            "allowed: a Dask scheduler's address, with backend dask",
        ),
        (
            {"backend": "dask", "scheduler": 8786},
            "scheduler",
            "allowed: a Dask scheduler's address, with backend dask",
        ),
    ],
)
def test_bad_options_are_named_with_what_is_allowed(options, key, allowed):
    with pytest.raises(ScenarioError) as error:
        open_backend(**options, source="<test>")
    assert (error.value.source, error.value.key, error.value.allowed) == ("<test>", key, allowed)
    assert str(error.value).startswith(f"<test>: {key} = ")


@pytest.mark.parametrize(
    ("cores", "scheduler", "name", "workers"),
    [(8, None, "processes", 8), (1, None, "serial", 1), (1, "tcp://h:8786", "dask", 1)],
)
def test_the_default_backend_and_workers(monkeypatch, cores, scheduler, name, workers):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    backend = open_backend(scheduler=scheduler)
    assert (backend.name, backend.workers, backend.scheduler) == (name, workers, scheduler)
    assert backend.name in BACKENDS


def test_the_sweep_module_keeps_the_backend_names():
    from negotiation_sim import sweeps

    assert sweeps.BACKENDS == backends.BACKENDS
    assert sweeps.SCHEDULER_TIMEOUT == backends.SCHEDULER_TIMEOUT
    assert issubclass(sweeps.SweepFailed, ChunksFailed)
