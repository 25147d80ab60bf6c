"""An ordered map over forked worker processes that a batch can rely on.

- results come back in input order, with a bounded number of tasks in flight (the input may be
  an endless stream);
- each worker is replaced after `recycle` tasks (clingo keeps every symbol it interned for the
  life of a process, so a long-lived solver only grows);
- a worker that dies on a task (killed, out of memory) is detected: that task's result is
  WorkerDied, and the caller decides what to re-run;
- closing the map (normally, or because the parent was told to stop) ends every worker and
  waits for it; a worker whose parent dies is killed by the kernel (Linux), so none is orphaned.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
from contextlib import contextmanager
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator


class WorkerDied:
    """The result of a task whose worker process died before answering."""

    def __init__(self, exitcode: int | None, reason: str = ""):
        self.exitcode = exitcode
        self.reason = reason

    def __str__(self) -> str:
        if self.reason:
            return f"a worker process failed on this task: {self.reason}"
        how = f"killed by signal {-self.exitcode}" if self.exitcode and self.exitcode < 0 else f"exit code {self.exitcode}"
        return f"a worker process died on this task ({how}; out of memory?)"


def _die_with_parent() -> None:
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the parent's close() still ends its workers


HUGE_HEAP = 512 << 20   # bytes of a child's heap on huge pages: more than a chunk grows it by
_HUGE_PAGE = 2 << 20


def _heap_on_huge_pages() -> None:
    """The next HUGE_HEAP bytes this process allocates through malloc on transparent huge pages.

    A worker is a fresh fork that allocates some 60 MiB for a chunk (clingo's ground program and
    symbols). On 4 KiB pages a chunk of 500 takes 25,000 page faults and clingo's symbol-table
    lookups miss the TLB; with its heap on 2 MiB pages, 10,000 faults (Python's own arenas and
    the pages shared with the parent remain) and fewer misses. bench/bench_batch.py 10000
    --jobs 1, alternated three times: 924–931/s without, 957–1,004/s with.
    The heap is grown by HUGE_HEAP (address space only: nothing is touched here), advised
    MADV_HUGEPAGE, and freed back to malloc, which keeps it (no trim) for what the process
    allocates next. Does nothing where the C library or the kernel offers none of this."""
    size = HUGE_HEAP
    if not size:
        return
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.malloc.restype = ctypes.c_void_p
        libc.malloc.argtypes = [ctypes.c_size_t]
        libc.free.argtypes = [ctypes.c_void_p]
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, MADV_HUGEPAGE = -1, -3, 14
        # from the heap, not mmap (whose blocks go back to the kernel when freed), and kept
        if not (libc.mallopt(M_MMAP_THRESHOLD, 2 * size) and libc.mallopt(M_TRIM_THRESHOLD, 2 * size)):
            return
        block = libc.malloc(size)
        if not block:
            return
        start = -(-block // _HUGE_PAGE) * _HUGE_PAGE
        libc.madvise(start, (block + size - start) // _HUGE_PAGE * _HUGE_PAGE, MADV_HUGEPAGE)
        libc.free(block)
    except (OSError, AttributeError):
        pass


def _as_a_worker() -> None:
    """A forked child set to compute its task(s) and end: its heap on huge pages, and no cyclic
    garbage collector — its passes would traverse the heap inherited from the parent (the
    engine, the KB), copying every page they touch, and what cycles the tasks leave the exit frees."""
    gc.disable()
    _heap_on_huge_pages()


def _worker_main(conn, fn: Callable, recycle: int, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C reaches the whole group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    _as_a_worker()
    for _ in range(recycle):
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break
        if msg is None:
            break
        seq, task = msg
        try:
            result = fn(task)
        except Exception as exc:  # fn isolates its own failures; this is the last guard
            result = WorkerDied(None, f"{type(exc).__name__}: {exc}"[:500])
        conn.send((seq, result))
    conn.close()


class _Worker:
    def __init__(self, ctx, fn, recycle):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, fn, recycle, os.getpid()), daemon=True)
        self.proc.start()
        child.close()
        self.left = recycle
        self.task: int | None = None  # seq of the task it holds

    def stop(self, force: bool) -> None:
        try:
            if force:
                self.proc.kill()
            elif self.task is None and self.left > 0:
                self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(None if not force else 5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def ordered_map(fn: Callable[[Any], Any], tasks: Iterable, jobs: int, recycle: int,
                in_flight: int | None = None) -> Iterator:
    """(task, fn(task)) for each task, computed in `jobs` forked processes, yielded in order;
    fn(task) is WorkerDied where the worker died on the task."""
    ctx = mp.get_context("fork")
    limit = in_flight or 2 * jobs
    source = iter(tasks)
    exhausted = False   # the source has no more tasks (one may still wait in `ahead`)
    ahead: list = []    # the next task, pulled from the source while the workers compute
    workers: list[_Worker] = []
    done: dict[int, Any] = {}
    held: dict[int, Any] = {}  # the tasks sent and not yet yielded, by seq
    sent = want = 0
    clean = False

    def pull() -> bool:
        nonlocal exhausted
        if not ahead and not exhausted:
            try:
                ahead.append(next(source))
            except StopIteration:
                exhausted = True
        return bool(ahead)

    def hand_out(working: int, fork: bool = True) -> None:
        """Tasks to idle workers (forked on demand unless `fork` is false) while fewer than
        `jobs` work and the window has room."""
        nonlocal sent
        while sent - want < limit and working < jobs:
            idle = next((w for w in workers if w.task is None and w.left > 0), None)
            if (idle is None and not fork) or not pull():
                return
            if idle is None:
                idle = _Worker(ctx, fn, recycle)
                workers.append(idle)
            task = ahead.pop()
            held[sent] = task
            idle.conn.send((sent, task))
            idle.task, idle.left = sent, idle.left - 1
            sent += 1
            working += 1

    try:
        while True:
            while want in done:
                result = done.pop(want)
                task = held.pop(want)
                want += 1
                yield task, result
            if exhausted and not ahead and want == sent:
                clean = True
                return
            hand_out(sum(w.task is not None for w in workers))
            # the next task is pulled now, while the workers compute: the source's own work (a
            # generator reading and parsing lines) then costs no time between tasks
            if sent - want < limit:
                pull()
            # a worker on its last task has its successor forked now, while it works: the fork
            # and the successor's start then cost no time between tasks (recycle=1 forks one per task)
            if ahead:
                retiring = sum(w.task is not None and w.left == 0 for w in workers)
                standby = sum(w.task is None and w.left > 0 for w in workers)
                workers.extend(_Worker(ctx, fn, recycle) for _ in range(retiring - standby))
            busy = [w for w in workers if w.task is not None]
            if not busy:
                continue
            ready = wait([w.conn for w in busy])
            finishing = [w for w in busy if w.conn in ready]
            # the next tasks go to waiting successors before these results are read: reading them
            # (a chunk's results unpickled, then yielded) overlaps the next task's work
            hand_out(len(busy) - len(finishing), fork=False)
            for w in finishing:
                try:
                    with gc_paused():  # a chunk's results: some 100,000 new objects, none in a cycle
                        seq, result = w.conn.recv()
                except (EOFError, OSError):
                    w.proc.join()
                    done[w.task] = WorkerDied(w.proc.exitcode)
                    w.task, w.left = None, 0
                else:
                    done[seq] = result
                    w.task = None
                if w.left == 0:  # retired (recycled or dead): its place is taken on demand
                    w.stop(force=False)
                    workers.remove(w)
    finally:
        for w in workers:
            w.stop(force=not clean)


@contextmanager
def gc_paused():
    """The cyclic garbage collector off for a block that allocates many objects holding no cycle
    (a batch call's rows and results, a chunk's results unpickled): the collections they would
    trigger traverse the whole heap (the engine, the KB) and cost more than the block's own work.
    What cycles the block leaves, the next collection after it takes."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_forked(fn: Callable, *args) -> Any:
    """fn(*args) in one forked child of this process: its result (pickled back through a pipe),
    or WorkerDied if the child died or fn raised. The child inherits this process's memory
    as it is (a warm engine, the input already read) and ends with os._exit, so what it grows
    is given back and nothing of this process (its threads' work, its exit handlers) runs twice.
    Works from any thread and in a daemonic process, where multiprocessing may not fork."""
    return Forked(fn, *args).result()


class Forked:
    """fn(*args) started in a forked child now; result() waits for it (run_forked)."""

    def __init__(self, fn: Callable, *args):
        import pickle
        r, w = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                os.close(r)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _die_with_parent()
                if os.getppid() == parent:
                    _as_a_worker()
                    try:
                        out = (True, fn(*args))
                    except BaseException as exc:  # fn isolates its own failures; this is the last guard
                        out = (False, f"{type(exc).__name__}: {exc}"[:500])
                    data = pickle.dumps(out, pickle.HIGHEST_PROTOCOL)
                    view = memoryview(data)
                    while view:
                        view = view[os.write(w, view):]
                    code = 0
            finally:
                os._exit(code)
        os.close(w)
        self.pid, self.fd = pid, r
        self.done, self.value = False, None

    def result(self) -> Any:
        import pickle
        if self.done:
            return self.value
        try:
            with os.fdopen(self.fd, "rb") as f:
                data = f.read()
            _, status = os.waitpid(self.pid, 0)
        except BaseException:  # told to stop while the child works: it ends with us
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            raise
        exitcode = os.waitstatus_to_exitcode(status)
        if exitcode != 0 or not data:
            self.value = WorkerDied(exitcode)
        else:
            ok, value = pickle.loads(data)
            self.value = value if ok else WorkerDied(None, value)
        self.done = True
        return self.value
