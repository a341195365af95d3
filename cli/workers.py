"""Run documents through the pipeline in worker processes, each under a time and a memory limit.

Every document is processed in a child process of its own (forked, so the
already-imported libraries cost nothing to start), at most `workers` at a
time. A child that runs past the time limit is killed; a child that asks for
more memory than the limit allows gets a MemoryError. The memory limit is what
one document may add to the address space the child starts with (the loaded
libraries are shared with the parent and do not count against it). Either way the document gets a
'failed' row that says which limit it hit, and the run goes on. Results do
not depend on the number of workers: each document is processed alone.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from collections import deque
from pathlib import Path
from typing import Callable, Iterable

from normalise import failed_document

#: default per-document limits (overridable on the command line)
DEFAULT_TIME_LIMIT = 300.0
DEFAULT_MEMORY_LIMIT_MB = 2048


def _child(conn, path: str, document_id: str, memory_mb: int | None) -> None:
    # on failure the child sends only a short reason: the parent, with memory to spare, builds the row
    try:
        if memory_mb:
            limit = _address_space() + memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        from .pipeline import process_file
        res = process_file(path, document_id)
    except MemoryError:
        res = {"failed": f"memory limit of {memory_mb} MB exceeded"}
    except BaseException as e:  # noqa: BLE001 - a worker must always answer
        res = {"failed": f"worker error {type(e).__name__}: {e}"}
    try:
        conn.send(res)
    except BaseException:  # the result could not be sent (e.g. out of memory while pickling)
        try:
            conn.send({"failed": f"memory limit of {memory_mb} MB exceeded while returning the result"})
        except BaseException:
            pass
    conn.close()


def _address_space() -> int:
    """This process's current virtual memory size in bytes (0 where the OS does not say)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _failed(path: str, document_id: str, why: str, seconds: float) -> dict:
    from .pipeline import _fmt, _safe_sha, _size
    p = Path(path)
    err = f"{p.name}: {why}"
    return {"rows": failed_document(document_id, str(p), _safe_sha(p), _fmt(p), why, _size(p)),
            "seconds": seconds, "error": err}


def run_all(jobs: Iterable[tuple[str, str]], workers: int = 1, time_limit: float | None = DEFAULT_TIME_LIMIT,
            memory_mb: int | None = DEFAULT_MEMORY_LIMIT_MB,
            on_result: Callable[[str, dict], None] | None = None) -> dict[str, dict]:
    """Given (path, document_id) jobs, call on_result(document_id, result) as each finishes.

    Without on_result, return {document_id: result}."""
    jobs = list(jobs)
    if not jobs:
        return {}
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    from extract import warm_up
    warm_up()       # children forked after this start with the pipeline loaded
    pending = deque(jobs)
    running: dict[str, tuple] = {}
    results: dict[str, dict] = {}
    workers = max(1, workers)
    while pending or running:
        while pending and len(running) < workers:
            path, did = pending.popleft()
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(child, path, did, memory_mb), daemon=True)
            proc.start()
            child.close()
            running[did] = (proc, parent, path, time.monotonic())
        # wait for any result, or a deadline
        conns = [r[1] for r in running.values()]
        from multiprocessing.connection import wait
        ready = wait(conns, timeout=0.2)
        now = time.monotonic()
        for did, (proc, conn, path, started) in list(running.items()):
            res = None
            if conn in ready:
                try:
                    res = conn.recv()
                    if "failed" in res:
                        res = _failed(path, did, res["failed"], now - started)
                except EOFError:
                    proc.join(1)
                    code = proc.exitcode
                    why = f"worker died (exit code {code})"
                    if memory_mb:
                        why += f"; the memory limit of {memory_mb} MB was probably exceeded"
                    res = _failed(path, did, why, now - started)
            elif time_limit and now - started > time_limit:
                proc.kill()
                res = _failed(path, did, f"time limit of {time_limit:g} s exceeded", now - started)
            elif not proc.is_alive() and not conn.poll():
                why = f"worker died (exit code {proc.exitcode})"
                if memory_mb:
                    why += f"; the memory limit of {memory_mb} MB was probably exceeded"
                res = _failed(path, did, why, now - started)
            if res is None:
                continue
            conn.close()
            proc.join(5)
            if proc.is_alive():
                proc.kill()
            del running[did]
            if on_result:
                on_result(did, res)       # the caller keeps what it needs; nothing accumulates here
            else:
                results[did] = res
    return results


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
