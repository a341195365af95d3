"""Run documents through the pipeline in worker processes, each under a time and a memory limit.

Documents are processed in `workers` worker processes, one document at a time
each. Workers are forked from a zygote: a process forked from the parent once,
that loads the pipeline (while the parent hashes the files and opens the
database) and then only forks workers; so the loaded libraries cost nothing to
start, the parent never loads spaCy, and a replacement worker late in a run
does not inherit the parent's grown heap.
A worker that runs past the time limit is killed and replaced; one that asks
for more memory than the limit allows gets a MemoryError, answers, and is
replaced. The memory limit is what one document may add to the address space
the worker starts with (the loaded libraries are shared with the parent and do
not count against it). Either way the document gets a 'failed' row that says
which limit it hit, and the run goes on. Results do not depend on the number of
workers: each document is processed alone, from the same starting state.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import pickle
import resource
import signal
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

from .process import failed_result

#: default per-document limits (overridable on the command line)
DEFAULT_TIME_LIMIT = 300.0
DEFAULT_MEMORY_LIMIT_MB = 2048
#: a worker is replaced after this many documents (a fresh process: a fresh memory baseline)
MAX_JOBS_PER_WORKER = 25
#: the cycle collector's thresholds in a worker (Python's defaults are 700, 10, 10)
GC_THRESHOLDS = (50_000, 20, 100)
#: once every document is with a worker, on_drained is called when no result has come for this long
#: (seconds): the last documents of a refresh are its smallest, and their results then join the
#: caller's work instead of waiting for a second round of it
DRAIN_QUIET = 0.05


def _worker(conn, memory_mb: int | None, parent_end=None) -> None:
    """A worker process: read (path, document_id) jobs from conn and answer each with a result.
    parent_end: the parent's end of conn, when forked straight from the parent (closed here)."""
    if parent_end is not None:
        _die_with_parent(parent_end)
    # what the parent loaded (libraries, spaCy's tables) is never garbage: keep the cycle collector
    # off it (no scans, and its pages stay shared with the parent), and let it run less often over a
    # document's many short-lived objects (docs/performance.md)
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    if memory_mb:
        limit = _address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from .process import process_file
    for path, document_id in _requests(conn):
        fatal = False
        try:
            res = process_file(path, document_id)
        except MemoryError:
            # on failure the worker sends only a short reason: the parent, with memory to spare, builds the row
            res, fatal = {"failed": f"memory limit of {memory_mb} MB exceeded"}, True
        except BaseException as e:  # noqa: BLE001 - a worker must always answer
            res, fatal = {"failed": f"worker error {type(e).__name__}: {e}"}, True
        try:
            conn.send(res)
        except BaseException:  # the result could not be sent (e.g. out of memory while pickling)
            try:
                conn.send({"failed": f"memory limit of {memory_mb} MB exceeded while returning the result"})
            except BaseException:
                pass
            fatal = True
        if fatal:       # after a MemoryError the process's state is not to be trusted: start afresh
            return


def _requests(conn):
    """What the parent asks of a worker or the zygote, until it says stop (None) or goes away."""
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        yield msg


def _cost(path: str) -> float:
    """A rough extraction cost for ordering: PDFs cost far more per byte than text."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return 0.0
    return size * (4.0 if path.lower().endswith(".pdf") else 1.0)


def _address_space() -> int:
    """This process's current virtual memory size in bytes (0 where the OS does not say)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _die_with_parent(*inherited) -> None:
    """In a forked child: close the parent's ends of the pipes it inherited (while it holds them, it
    never sees end-of-file when the parent dies, and waits forever), and, on Linux, ask to be killed
    when the parent dies (a refresh killed with SIGKILL leaves no zygote or worker behind)."""
    for c in inherited:
        try:
            c.close()
        except OSError:
            pass
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _zygote(conn, parent_pid: int, parent_end=None) -> None:
    """The process every worker is forked from: forked from the parent once, it loads the pipeline
    and then does nothing but fork workers on request. A worker forked from the parent later in
    the run would inherit the parent's grown heap, and keep a private copy of every page the parent
    writes afterwards; forked from here, every worker starts from the same small state."""
    from multiprocessing import reduction

    _die_with_parent(parent_end)
    if os.getppid() != parent_pid:      # the parent died before the request to die with it was made
        return
    from ..extract import warm_up
    warm_up()           # the pipeline, loaded here once (the parent itself never loads spaCy)
    gc.freeze()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)      # workers are reaped by the system
    for _, memory_mb in _requests(conn):           # ("fork", the memory limit or None)
        ours, theirs = mp.Pipe(duplex=True)
        pid = os.fork()
        if pid == 0:                                    # the worker
            try:
                _die_with_parent(conn, ours)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _worker(theirs, memory_mb)
            finally:
                os._exit(0)
        theirs.close()
        reduction.send_handle(conn, ours.fileno(), parent_pid)
        conn.send(pid)
        ours.close()


def start_zygote() -> "_Zygote | None":
    """Start the zygote now (it loads the pipeline while the caller gets on with other work), where
    the OS forks; None elsewhere (workers are then spawned and load the pipeline themselves)."""
    if "fork" not in mp.get_all_start_methods():
        return None
    return _Zygote(mp.get_context("fork"))


@contextmanager
def zygote(needed: bool = True):
    """A zygote for the duration of the block (None when not needed or where the OS cannot fork).
    It may be closed early (`close()`); closing twice is harmless."""
    z = start_zygote() if needed else None
    try:
        yield z
    finally:
        if z is not None:
            z.close()


class _Zygote:
    def __init__(self, ctx):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_zygote, args=(child, os.getpid(), self.conn), daemon=True)
        self.proc.start()
        child.close()
        self.forked = 0
        self.closed = False

    def fork_worker(self, memory_mb):
        """A new worker: its connection and a handle on its process."""
        from multiprocessing import reduction
        from multiprocessing.connection import Connection
        self.forked += 1
        self.conn.send(("fork", memory_mb))
        fd = reduction.recv_handle(self.conn)
        return Connection(fd), _Pid(self.conn.recv())

    def close(self) -> None:
        """Stop the zygote. One that never forked a worker may still be loading the pipeline: it
        has nothing to finish and is killed at once rather than waited for."""
        if self.closed:
            return
        self.closed = True
        if not self.forked:
            self.proc.kill()
        try:
            self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(1)
        self.conn.close()


class _Pid:
    """A worker process known by its pid (it is the zygote's child, not ours)."""

    exitcode = None        # reaped by the system: its exit status is not kept

    def __init__(self, pid: int):
        self.pid = pid

    def is_alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def join(self, timeout: float | None = None) -> None:
        end = time.monotonic() + (timeout if timeout is not None else 1e9)
        while self.is_alive() and time.monotonic() < end:
            time.sleep(0.01)


class _Slot:
    """One worker process and the job it is doing."""

    def __init__(self, ctx, memory_mb, zygote: _Zygote | None = None):
        self.conn = None
        if zygote is not None:
            try:
                self.conn, self.proc = zygote.fork_worker(memory_mb)
            except (OSError, EOFError):     # the zygote has died
                pass
        if self.conn is None:               # no zygote: fork from this process
            self.conn, child = ctx.Pipe(duplex=True)
            self.proc = ctx.Process(target=_worker, args=(child, memory_mb, self.conn), daemon=True)
            self.proc.start()
            child.close()
        self.job: tuple[str, str] | None = None
        self.started = 0.0
        self.done = 0

    def give(self, job: tuple[str, str]) -> None:
        self.job, self.started = job, time.monotonic()
        self.conn.send(job)

    def stop(self, kill: bool = False) -> None:
        try:
            if not kill:
                self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        if kill:
            self.proc.kill()
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(1)
        self.conn.close()


def run_all(jobs: Iterable[tuple[str, str]], workers: int = 1, time_limit: float | None = DEFAULT_TIME_LIMIT,
            memory_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
            on_result: Callable[[str, dict], None] | None = None,
            zygote: _Zygote | None = None, on_drained: Callable[[], None] | None = None) -> dict[str, dict]:
    """Given (path, document_id) jobs, call on_result(document_id, result) as each finishes.

    Once every document has been handed to a worker, on_drained() is called each time the results
    so far have been delivered and the last documents are still being extracted (no result for
    DRAIN_QUIET seconds): the caller can finish its work on what it holds then, rather than after the
    last result.

    A result received from a worker carries its size as sent, in bytes ('bytes'; none for a failure the
    parent wrote): what holding it costs the caller, who may bound a batch by it.

    Without on_result, return {document_id: result}. Each of `workers` processes takes one
    document at a time; a worker that overruns the time limit is killed, one that dies or runs out
    of memory is replaced, and a worker is replaced after MAX_JOBS_PER_WORKER documents so that
    memory one document left behind never counts against the next one's limit."""
    jobs = list(jobs)
    if not jobs:
        return {}
    # the biggest documents first, so that no worker starts a long one when the others are done
    jobs.sort(key=lambda j: -_cost(j[0]))
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    from multiprocessing.connection import wait
    pending = deque(jobs)
    results: dict[str, dict] = {}
    # workers come from a zygote (see _zygote): the caller's, started early, or one of our own
    own_zygote = zygote is None
    if own_zygote:
        zygote = start_zygote()
    slots = [_Slot(ctx, memory_mb, zygote) for _ in range(min(max(1, workers), len(jobs)))]

    done: list[tuple[str, dict]] = []      # results not yet handed to the caller

    def finish(slot: _Slot, res: dict) -> None:
        path, did = slot.job
        slot.job = None
        slot.done += 1
        done.append((did, res))

    def deliver() -> None:
        for did, res in done:
            if on_result:
                on_result(did, res)       # the caller keeps what it needs; nothing accumulates here
            else:
                results[did] = res
        done.clear()

    def why_died(slot: _Slot) -> str:
        slot.proc.join(1)
        why = "worker died" + (f" (exit code {slot.proc.exitcode})" if slot.proc.exitcode is not None else "")
        if memory_mb:
            why += f"; the memory limit of {memory_mb} MB was probably exceeded"
        return why

    try:
        while True:
            for i, slot in enumerate(slots):
                if slot.job is None and (not slot.proc.is_alive() or slot.done >= MAX_JOBS_PER_WORKER):
                    slot.stop(kill=not slot.proc.is_alive())
                    slots[i] = slot = _Slot(ctx, memory_mb, zygote) if pending else slot
                if slot.job is None and pending and slot.proc.is_alive():
                    try:
                        slot.give(pending.popleft())
                    except (OSError, BrokenPipeError):
                        pending.appendleft(slot.job)
                        slot.job = None
                        slot.proc.kill()
            # results are handed over only once every idle worker has its next document: the caller's
            # work on them (storing, auditing) overlaps with extraction instead of holding workers up
            deliver()
            busy = [s for s in slots if s.job is not None]
            if not busy:
                if not pending:
                    break
                continue
            ready = []
            if on_drained and not pending:
                ready = wait([s.conn for s in busy], timeout=DRAIN_QUIET)
                if not ready:
                    on_drained()
            ready = ready or wait([s.conn for s in busy], timeout=0.2)
            now = time.monotonic()
            for slot in busy:
                path, did = slot.job
                if slot.conn in ready:
                    try:
                        buf = slot.conn.recv_bytes()
                        res = pickle.loads(buf)
                        if "failed" in res:
                            res = failed_result(path, did, res["failed"], now - slot.started)
                        # its size as sent: what holding it costs the caller (who may bound a batch by it)
                        res["bytes"] = len(buf)
                    except (EOFError, OSError):
                        res = failed_result(path, did, why_died(slot), now - slot.started)
                elif time_limit and now - slot.started > time_limit:
                    slot.proc.kill()
                    res = failed_result(path, did, f"time limit of {time_limit:g} s exceeded", now - slot.started)
                elif not slot.proc.is_alive():
                    res = failed_result(path, did, why_died(slot), now - slot.started)
                else:
                    continue
                finish(slot, res)
    finally:
        for slot in slots:
            slot.stop(kill=not slot.proc.is_alive() or slot.job is not None)
        if own_zygote and zygote is not None:
            zygote.close()
    return results


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
