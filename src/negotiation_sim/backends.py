"""Backends: where chunks of work run, in this process, in worker processes or on Dask.

A backend maps a picklable function over chunks (any picklable values) and hands each result
back to this process as its chunk finishes. Sweeps run their chunks through it, and so can
any long job made of batches of simulations: `open_backend` validates the options and returns
a `Backend`, a context manager that starts its process pool or Dask cluster on first use and
keeps it until it is closed, so a caller running many batches pays for the start once::

    with open_backend("processes", workers=4) as backend:
        for batch in batches:
            results = backend.map_ordered(functools.partial(simulate, settings), batch)

Every chunk that fails is retried once; a chunk that fails twice is reported with its error
and the others still run. A worker process that dies fails its chunk and the pool is
replaced. Workers ignore Ctrl-C: this process stops them itself, at once, on Ctrl-C or on
any error, and lets the exception propagate.

    >>> from functools import partial
    >>> with open_backend("serial") as backend:
    ...     backend.map_ordered(partial(pow, 2), [3, 1, 2])
    [8, 2, 4]
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, Self

from negotiation_sim.errors import NegotiationSimError, ScenarioError, check_integer

#: Where chunks can run: in this process, in a pool of worker processes, or on Dask.
BACKENDS = ("serial", "processes", "dask")
#: The most worker processes or Dask workers a backend starts.
MAX_WORKERS = 1024
#: Seconds to wait for a given Dask scheduler before giving up.
SCHEDULER_TIMEOUT = 10.0
#: Seconds a Dask client and local cluster get to close after an error or Ctrl-C.
STOP_TIMEOUT = 5.0

#: Runs one chunk in a worker: picklable, e.g. ``functools.partial(module_function, task)``.
Work = Callable[[Any], Any]
#: Called in this process with each chunk and its result as the chunk finishes.
Done = Callable[[Any, Any], None]
#: The chunks that failed twice, each with ``repr`` of its last error.
Failures = list[tuple[Any, str]]


class ChunksFailed(NegotiationSimError, RuntimeError):
    """Chunks that failed twice: ``failures`` holds each chunk and ``repr`` of its error;
    ``what`` begins the message (by default, how many chunks failed)."""

    def __init__(self, failures: Sequence[tuple[Any, str]], what: str | None = None) -> None:
        self.failures = list(failures)
        what = what or f"{len(self.failures)} chunk(s) failed twice"
        first = self.failures[0][1] if self.failures else ""
        super().__init__(f"{what}; first error: {first}")


def open_backend(
    backend: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    source: str = "<backend>",
) -> Backend:
    """A `Backend`, not yet started, after checking its options.

    Args:
        backend: ``serial`` (in this process), ``processes`` (a pool of worker processes) or
            ``dask``; default: ``dask`` when a scheduler is given, else ``processes`` on a
            multi-core machine, else ``serial``.
        workers: the most chunks run at once (processes or local Dask workers); default: the
            machine's cores.
        scheduler: a Dask scheduler's address (``dask`` only); none starts a local cluster.
        source: where the options came from, as `ScenarioError` names it.

    Raises `ScenarioError` naming ``backend``, ``workers`` or ``scheduler``. An unreachable
    scheduler is found, and named the same way, when the backend is first used.
    """
    if backend is None:  # a scheduler means dask; else processes on a multi-core machine
        backend = "dask" if scheduler else "processes" if (os.cpu_count() or 1) > 1 else "serial"
    if backend not in BACKENDS:
        raise ScenarioError(source, "backend", backend, "allowed: one of " + ", ".join(BACKENDS))
    workers = (os.cpu_count() or 1) if workers is None else workers
    check_integer(source, "workers", workers, 1, MAX_WORKERS)
    if scheduler is not None and (not isinstance(scheduler, str) or backend != "dask"):
        raise ScenarioError(
            source, "scheduler", scheduler, "allowed: a Dask scheduler's address, with backend dask"
        )
    kind = {"serial": _Serial, "processes": _Processes, "dask": _Dask}[backend]
    return kind(int(workers), scheduler, source)


class Backend:
    """Where chunks run: ``name`` (one of `BACKENDS`), at most ``workers`` at once, on the
    Dask ``scheduler`` if one is given. Made by `open_backend`.

    A pool or cluster starts on first use with as many workers as that call has chunks (at
    most ``workers``), grows when a later call has more, and lasts until `close` (or the end
    of a ``with`` block); a closed backend starts afresh if used again.
    """

    name = ""

    def __init__(self, workers: int, scheduler: str | None, source: str) -> None:
        self.workers, self.scheduler, self.source = workers, scheduler, source

    def map(self, work: Work, chunks: Iterable[Any], done: Done) -> Failures:
        """Run ``work(chunk)`` for every chunk, calling ``done(chunk, result)`` here as each
        finishes (in the order they finish), and return the chunks that failed twice with
        ``repr`` of their errors. On Ctrl-C, or an error raised by ``done``, the workers are
        stopped and the exception propagates."""
        chunks = list(chunks)
        return self._map(work, chunks, done) if chunks else []

    def chunk_count(self, size: int) -> int:
        """Into how many chunks to cut ``size`` items that each cost alike: one per worker
        (one in this process for serial), and never more than there are items."""
        return max(1, min(1 if self.name == "serial" else self.workers, size))

    def map_ordered(self, work: Work, chunks: Iterable[Any]) -> list[Any]:
        """The results of ``work(chunk)``, in the order of ``chunks``; `ChunksFailed` (after
        the others have run) if any chunk failed twice."""
        chunks = list(chunks)
        results: list[Any] = [None] * len(chunks)

        def done(item: tuple[int, Any], result: Any) -> None:
            results[item[0]] = result

        # Chunks travel with their position: they need be neither hashable nor distinct.
        failures = self.map(partial(_positioned, work), enumerate(chunks), done)
        if failures:
            raise ChunksFailed([(chunk, error) for (_, chunk), error in failures])
        return results

    def close(self, *, now: bool = False) -> None:
        """Shut the pool or cluster down; ``now``: end its workers without waiting (after an
        error or Ctrl-C)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: object, trace: object) -> None:
        self.close(now=kind is not None)

    def _map(self, work: Work, chunks: list[Any], done: Done) -> Failures:
        raise NotImplementedError


def _positioned(work: Work, item: tuple[int, Any]) -> Any:
    return work(item[1])


class _Serial(Backend):
    """Every chunk in this process, one after another."""

    name = "serial"

    def _map(self, work: Work, chunks: list[Any], done: Done) -> Failures:
        failed = []
        for chunk in chunks:
            for attempt in (1, 2):
                try:
                    result = work(chunk)
                except Exception as error:  # noqa: BLE001 - reported with its chunk
                    if attempt == 2:
                        failed.append((chunk, repr(error)))
                    continue
                done(chunk, result)
                break
        return failed


class _Processes(Backend):
    """A pool of worker processes that ignore Ctrl-C."""

    name = "processes"

    def __init__(self, workers: int, scheduler: str | None, source: str) -> None:
        super().__init__(workers, scheduler, source)
        self._pool = None
        self._size = 0

    def _map(self, work: Work, chunks: list[Any], done: Done) -> Failures:
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        pending, errors = range(len(chunks)), {}
        for _attempt in (1, 2):  # a chunk that fails, or whose worker dies, is retried once
            retry, broken = [], False
            try:
                pool = self._started(len(pending))
                futures = {pool.submit(work, chunks[i]): i for i in pending}
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        result = future.result()
                    except Exception as error:  # noqa: BLE001 - includes a dead worker
                        retry.append(i)
                        errors[i] = repr(error)
                        broken = broken or isinstance(error, BrokenProcessPool)
                        continue
                    done(chunks[i], result)
            except BaseException:
                self.close(now=True)
                raise
            if broken:  # a dead worker breaks the whole pool: the retry gets a new one
                self.close(now=True)
            pending = retry
            if not pending:
                break
        return [(chunks[i], errors[i]) for i in pending]

    def _started(self, chunks: int):
        """The pool, started (or restarted larger) to run ``chunks`` at once, up to
        ``workers``; a pool broken while idle (a worker killed) is replaced."""
        from concurrent.futures import ProcessPoolExecutor

        size = min(self.workers, chunks)
        broken = getattr(self._pool, "_broken", False)
        if self._pool is not None and (self._size < size or broken):
            self.close(now=bool(broken))
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=size, initializer=_ignore_interrupts)
            self._size = size
        return self._pool

    def close(self, *, now: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is not None and now:
            _stop_pool(pool)
        elif pool is not None:
            pool.shutdown()


class _Dask(Backend):
    """A client of the Dask scheduler given, or of a local cluster of processes."""

    name = "dask"

    def __init__(self, workers: int, scheduler: str | None, source: str) -> None:
        super().__init__(workers, scheduler, source)
        self._client = self._cluster = None
        self._size = 0

    def _map(self, work: Work, chunks: list[Any], done: Done) -> Failures:
        futures: dict = {}
        try:
            client = self._started(len(chunks))
            futures = {
                client.submit(work, chunk, retries=1, pure=False): i
                for i, chunk in enumerate(chunks)
            }
            failed = []
            for future in _distributed().as_completed(futures, loop=client.loop):
                chunk = chunks[futures[future]]
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - reported with its chunk
                    failed.append((chunk, repr(error)))
                    continue
                done(chunk, result)
        except BaseException:
            self._shut(now=True, futures=futures)
            raise
        return failed

    def _started(self, chunks: int):
        """The client, of the scheduler given or of a local cluster started (or restarted
        larger) to run ``chunks`` at once, up to ``workers``."""
        distributed = _distributed()
        size = min(self.workers, chunks)
        if self._cluster is not None and self._size < size:
            self.close()
        if self._client is None:
            if not self.scheduler:  # a local cluster on loopback, closed with the client
                with _children_ignore_interrupts():
                    self._cluster = distributed.LocalCluster(
                        n_workers=size,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        dashboard_address=None,
                    )
                self._size = size
            address = self.scheduler or self._cluster.scheduler_address
            self._client = _dask_client(distributed.Client, address, self.source)
        return self._client

    def close(self, *, now: bool = False) -> None:
        self._shut(now, futures={})

    def _shut(self, now: bool, futures: dict) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is None and cluster is None:
            return
        if now:
            with _quiet():
                _close_dask(client, cluster, futures=futures, timeout=STOP_TIMEOUT)
        else:
            _close_dask(client, cluster)


def _distributed():
    """The `distributed` module, or ImportError saying how to install it."""
    try:
        import distributed
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the dask backend needs: pip install 'negotiation-sim[distributed]'"
        ) from error
    return distributed


# --- stopping workers -------------------------------------------------------------------------
def _ignore_interrupts() -> None:
    """In a worker process: leave Ctrl-C to the parent, which stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_pool(pool) -> None:
    """Stop a process pool now: cancel what has not started and end its workers."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


@contextmanager
def _children_ignore_interrupts() -> Iterator[None]:
    """Start processes that ignore Ctrl-C (they inherit the ignored signal), so that only this
    process sees it and stops them quietly; a Ctrl-C meanwhile waits and is raised after."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def _quiet() -> Iterator[None]:
    """No log records while a cluster is torn down after an interruption or error."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(previous)


def _dask_client(client_class, address: object, source: str):
    """A client of the scheduler at ``address``, or `ScenarioError` when there is none: a
    malformed address or a refused connection fails at once, an unanswered one after
    `SCHEDULER_TIMEOUT` seconds."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        if not isinstance(address, str):
            raise TypeError("not a string")
        protocol, location = parse_address(address)
        if protocol in ("tcp", "tls"):
            with socket.create_connection(parse_host_port(location), timeout=SCHEDULER_TIMEOUT):
                pass
        return client_class(address, timeout=SCHEDULER_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        why = " ".join(f"{type(error).__name__}: {error}".split())[:200]
        raise ScenarioError(
            source,
            "scheduler",
            address,
            f"allowed: the address of a running Dask scheduler, e.g. tcp://host:8786 ({why})",
        ) from None


def _close_dask(client, cluster, futures=None, timeout: float | None = None) -> None:
    """Close the client and the local cluster; after a failure or Ctrl-C (``timeout`` given),
    end the local workers first, without waiting for their tasks, and drop the futures of a
    remote scheduler."""
    stopping = timeout is not None
    try:
        if stopping and cluster is not None:
            _end_workers(cluster)
        if client is not None:
            if stopping and cluster is None and futures:
                with contextlib.suppress(Exception):  # best effort while stopping
                    client.cancel(list(futures))
            client.close(**({"timeout": timeout} if stopping else {}))
    except Exception:  # closing after a failure: the first error is reported
        if not stopping:
            raise
    finally:
        if cluster is not None and stopping:
            # A slow close must not replace the error or Ctrl-C being raised.
            with contextlib.suppress(Exception):
                cluster.close(timeout=timeout)
        elif cluster is not None:
            cluster.close()


def _end_workers(cluster) -> None:
    """End a local cluster's worker processes at once, rather than wait for their tasks."""
    for nanny in list(getattr(cluster, "workers", {}).values()):
        process = getattr(getattr(nanny, "process", None), "process", None)
        with contextlib.suppress(Exception):  # best effort while stopping
            process.terminate()
