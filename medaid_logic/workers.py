"""An ordered map over forked worker processes that a batch can rely on.

- results come back in input order, with a bounded number of tasks in flight (the input may be
  an endless stream);
- each worker is replaced after `recycle` tasks (clingo keeps every symbol it interned for the
  life of a process, so a long-lived solver only grows);
- a worker that dies on a task (killed, out of memory) is detected: that task's result is
  WorkerDied, and the caller decides what to re-run;
- closing the map (normally, or because the parent was told to stop) ends every worker and
  waits for it; a worker whose parent dies is killed by the kernel (Linux), so none is orphaned;
- the workers are forked by a fork server (_ForkServer), not by the caller, whose own work
  between forks would then cost it a page fault per page it writes.
"""
from __future__ import annotations

import array
import functools
import gc
import os
import pickle
import select
import signal
import socket
import struct
import sys
import threading
import time
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


def _die_with_parent(sig: int = signal.SIGKILL) -> None:
    """The kernel sends sig (0: nothing) when the thread that forked this process ends."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the parent's close() still ends its workers


def _watch_parent(parent: int) -> int | None:
    """A descriptor that becomes readable when the parent process ends (a pidfd), in place of
    the death signal _fork asked for, which comes when the parent's forking *thread* ends: a
    fork server made by a Dask worker's task thread was killed when Dask shut that thread down,
    before the worker closed the server, and the workers it had not yet reaped went to init
    with their CPU time. None (the signal kept) where there are no pidfds."""
    try:
        fd = os.pidfd_open(parent)
    except (AttributeError, OSError):
        return None
    _die_with_parent(0)
    if os.getppid() != parent:  # it ended before the pidfd was open
        os._exit(1)
    return fd


def _fork(body: Callable[[], None]) -> int:
    """A forked child that runs body() and ends (exit code 0; 1 if body raised, or if this process
    died before the child could ask to die with it); its pid, here. The child ends with os._exit:
    nothing of this process (its threads' work, its exit handlers) runs twice."""
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C reaches the whole group: the parent decides
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _die_with_parent()
            if os.getppid() == parent:  # else the parent died before the line above
                body()
                code = 0
        finally:
            os._exit(code)
    return pid


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


def _arenas_on_the_heap() -> None:
    """Python's object arenas (1 MiB each) taken from malloc's heap, which _heap_on_huge_pages
    put on huge pages, instead of an mmap of 4 KiB pages each; and never given back before the
    process ends, so a task that frees and allocates again grows (a batch chunk does not: 100
    cases of 400 claims peaked at 1,413 MiB with this, 1,406 without). bench_batch.py 10000
    --jobs 1, three times by turns: the workers' page faults 250,000 -> 105,000, their CPU
    11.05-11.33 -> 10.66-11.13 s.

    Set through CPython's public PyObject_SetArenaAllocator with two functions of the
    interpreter: alloc(ctx, size) is PyMem_RawRealloc(NULL, size), that is malloc(size); free(ctx,
    ptr, size) is Py_DecRef(NULL), which does nothing — the arenas mmap made before this are
    never handed to free(). Does nothing on another interpreter (pymalloc off: never called)."""
    import ctypes
    api = getattr(ctypes, "pythonapi", None)
    if sys.implementation.name != "cpython" or api is None or not hasattr(api, "PyObject_SetArenaAllocator"):
        return
    address = lambda f: ctypes.cast(f, ctypes.c_void_p).value  # noqa: E731
    allocator = _arena_allocator_type()(None, address(api.PyMem_RawRealloc), address(api.Py_DecRef))
    api.PyObject_SetArenaAllocator.restype = None
    api.PyObject_SetArenaAllocator(ctypes.byref(allocator))   # copied: the structure may go


@functools.cache
def _arena_allocator_type():
    """CPython's PyObjectArenaAllocator as a ctypes structure (made when first asked: ctypes is
    imported by workers only)."""
    import ctypes

    class ArenaAllocator(ctypes.Structure):
        _fields_ = [("ctx", ctypes.c_void_p), ("alloc", ctypes.c_void_p), ("free", ctypes.c_void_p)]
    return ArenaAllocator


def _as_a_worker(arenas_kept: bool = False) -> None:
    """A forked child set to compute its task(s) and end: its heap on huge pages, its arenas on
    that heap and never freed where arenas_kept (a worker of one task), and no cyclic garbage
    collector — its passes would traverse the heap inherited from the parent (the engine, the
    KB), copying every page they touch, and what cycles the tasks leave the exit frees."""
    gc.disable()
    _heap_on_huge_pages()
    if arenas_kept:
        _arenas_on_the_heap()


# Messages between the caller and its workers: a pickle after its length. Sent with MSG_NOSIGNAL:
# a peer that died is an error here, never a SIGPIPE (the CLI leaves SIGPIPE at its default
# so that `medaid … | head` ends quietly, and that would end the whole run).
_LENGTH = struct.Struct("!Q")


def _send(sock: socket.socket, obj: Any) -> None:
    data = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
    sock.sendall(_LENGTH.pack(len(data)), socket.MSG_NOSIGNAL)
    sock.sendall(data, socket.MSG_NOSIGNAL)


def _recv(sock: socket.socket) -> Any:
    """The next message; EOFError if the peer closed (or died) first."""
    (n,) = _LENGTH.unpack(_read(sock, _LENGTH.size))
    return pickle.loads(_read(sock, n))


def _read(sock: socket.socket, n: int) -> bytearray:
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:])
        if not k:
            raise EOFError
        got += k
    return buf


def _worker_main(conn: socket.socket, fn: Callable, recycle: int) -> None:
    _as_a_worker(arenas_kept=recycle == 1)
    for _ in range(recycle):
        try:
            msg = _recv(conn)
        except (EOFError, OSError):
            break
        if msg is None:
            break
        seq, task = msg
        try:
            result = fn(task)
        except Exception as exc:  # fn isolates its own failures; this is the last guard
            result = WorkerDied(None, f"{type(exc).__name__}: {exc}"[:500])
        try:
            _send(conn, (seq, result))
        except OSError:  # the caller is gone
            break
    conn.close()


class _ForkServer:
    """The process workers are forked from: a child of the caller, forked once, that does nothing
    but fork workers and reap them.

    Every fork write-protects the forking process's pages, and each page it writes next takes a
    fault (a copy while a child still shares it). A batch's driver reads input and results
    between forks: forking a worker per task from it cost it some 7,000 faults per task (0.9 s
    of system time per 20,000 applicants). This process writes almost nothing between forks,
    and the caller forks once. Forked with os.fork, as Forked is: from any thread, and in a
    daemonic process (a Dask worker's), where multiprocessing may not fork.

    The caller asks over a Unix socket: b"f" with a connection's descriptor → a worker on it,
    answered with its pid; b"w" + pid → that worker's exit code, once it has ended; b"q" → the
    server ends, once it has reaped every worker. The socket closed without b"q" (the caller
    died) ends it at once, and its workers with it."""

    def __init__(self, fn: Callable, recycle: int):
        self.sock, theirs = socket.socketpair()
        parent = os.getpid()

        def serve() -> None:
            self.sock.close()
            _serve(theirs, fn, recycle, _watch_parent(parent))

        self.pid, self.parent = _fork(serve), parent
        theirs.close()
        self.lock = threading.Lock()   # one request at a time, whatever thread asks
        self.broken = False  # a request was cut short (the caller was told to stop): ask nothing more

    def _ask(self, request: bytes, fds: list[int] = ()) -> int:
        with self.lock:
            if self.broken:
                raise OSError("the fork server was left mid-request, or has ended")
            self.broken = True
            # sendmsg, not socket.send_fds: in Python 3.11 that drops its flags (and SIGPIPE would come)
            ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
            self.sock.sendmsg([request], ancillary, socket.MSG_NOSIGNAL)
            reply = b""
            while not reply.endswith(b"\n"):
                got = self.sock.recv(64)
                if not got:
                    raise OSError("the fork server has ended")
                reply += got
            self.broken = False
            return int(reply)

    def fork(self, conn: socket.socket) -> int:
        return self._ask(b"f", [conn.fileno()])

    def exitcode(self, pid: int) -> int | None:
        try:
            return self._ask(b"w%d" % pid)
        except OSError:
            return None

    def close(self, force: bool) -> None:
        """Ends the server once it has reaped its workers; with `force` (the caller has killed
        them), the server itself is killed if it has not ended within 5 s. Once only: its pid,
        reaped, may be another process's next."""
        if self.sock.fileno() == -1:
            return
        self.broken = True
        try:
            self.sock.sendall(b"q", socket.MSG_NOSIGNAL)  # it reaps its workers (killed if `force`), then ends
        except OSError:
            pass  # it has ended
        self.sock.close()
        try:
            if force:  # ... within 5 s, or it is killed (and its workers with it)
                until = time.monotonic() + 5
                while os.waitpid(self.pid, os.WNOHANG)[0] == 0:
                    if time.monotonic() > until:
                        _kill(self.pid)
                        break
                    time.sleep(0.005)
                else:
                    return
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# servers kept for the life of this process: (fn, recycle, id of the state they were forked with)
_kept: dict[tuple, _ForkServer] = {}


def _server_for(fn: Callable, recycle: int, keep: Any) -> _ForkServer:
    """This process's kept server for fn over the state `keep` (made now if there is none, or if
    the one there has ended or was inherited from another process)."""
    key = (fn, recycle, id(keep))
    server = _kept.get(key)
    if server is None or server.broken or server.parent != os.getpid():
        if server is not None and server.parent == os.getpid():
            server.close(force=True)
        if not any(s.parent == os.getpid() for s in _kept.values()):
            # at this process's exit, a multiprocessing child's (a Dask worker's) too, where
            # atexit does not run: each kept server ended and reaped, its CPU counted as ours
            from multiprocessing.util import Finalize
            Finalize(None, _close_kept, exitpriority=0)
        server = _kept[key] = _ForkServer(fn, recycle)
    return server


def _close_kept() -> None:
    """This process's kept servers ended, the last one forked first."""
    for key, server in reversed(list(_kept.items())):
        if server.parent == os.getpid():
            server.close(force=False)
            del _kept[key]


def _serve(sock: socket.socket, fn: Callable, recycle: int, caller: int | None) -> None:
    """The fork server's loop. When its caller process dies, it ends at once, and its workers with
    it (each dies with its parent): its socket is closed, or (while a process the caller forked
    holds a copy of the socket) `caller`, a pidfd of it, says so; None: this process has the
    death signal instead."""
    gc.disable()  # its pages stay as the caller left them: what each worker is forked with
    ended: dict[int, int] = {}

    def reap(pid: int = -1, flags: int = os.WNOHANG) -> None:
        while True:
            try:
                got, status = os.waitpid(pid, flags)
            except ChildProcessError:
                return
            if got == 0:
                return
            ended[got] = os.waitstatus_to_exitcode(status)
            if len(ended) > 1000:  # a kept server reaps workers nobody asks about (they retired)
                del ended[next(iter(ended))]
            if pid != -1:
                return

    while True:
        if caller is not None and caller in select.select([sock, caller], [], [])[0]:
            return  # the caller died
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 64, 1)
        except OSError:
            msg, fds = b"", []
        if not msg:
            return  # the caller died
        if msg == b"q":
            break
        reap()  # the workers that ended since (each retired after its tasks, or died)
        if msg == b"f":
            def work(fd: int = fds[0]) -> None:
                sock.close()
                if caller is not None:
                    os.close(caller)
                _worker_main(socket.socket(fileno=fd), fn, recycle)

            pid = _fork(work)
            os.close(fds[0])
            reply = b"%d\n" % pid
        else:
            pid = int(msg[1:])
            if pid not in ended:
                reap(pid, 0)
            reply = b"%d\n" % ended.pop(pid, -signal.SIGKILL)
        try:
            sock.sendall(reply, socket.MSG_NOSIGNAL)
        except OSError:  # the caller died
            return
    reap(-1, 0)


class _Worker:
    def __init__(self, server: _ForkServer, recycle: int):
        self.conn, child = socket.socketpair()
        try:
            self.pid = server.fork(child)
        finally:
            child.close()
        self.left = recycle
        self.task: int | None = None  # seq of the task it holds

    def stop(self, force: bool) -> None:
        """Told to end (after its task if it holds one), or killed; the server reaps it."""
        try:
            if force:
                os.kill(self.pid, signal.SIGKILL)
            elif self.task is None and self.left > 0:
                _send(self.conn, None)
        except OSError:  # it is gone already
            pass
        self.conn.close()


def ordered_map(fn: Callable[[Any], Any], tasks: Iterable, jobs: int, recycle: int,
                in_flight: int | None = None, keep: Any = None) -> Iterator:
    """(task, fn(task)) for each task, computed in `jobs` forked processes, yielded in order;
    fn(task) is WorkerDied where the worker died on the task.

    The workers are forked by a fork server started with the first of them and ended with the
    map; with `keep` (the state the workers need, e.g. a warm engine), by this process's server
    for fn over that state, kept for the next map: a process that maps over many small inputs
    (a Dask worker, partition by partition) then forks once."""
    limit = in_flight or 2 * jobs
    source = iter(tasks)
    exhausted = False   # the source has no more tasks (one may still wait in `ahead`)
    ahead: list = []    # the next task, pulled from the source while the workers compute
    workers: list[_Worker] = []
    server: _ForkServer | None = None   # started with the first worker
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

    def start_server() -> _ForkServer:
        return _server_for(fn, recycle, keep) if keep is not None else _ForkServer(fn, recycle)

    def new_worker() -> _Worker:
        nonlocal server
        if server is None:
            server = start_server()
        try:
            return _Worker(server, recycle)
        except OSError:  # the server died (killed, out of memory): another one, once
            server.close(force=True)
            server = start_server()
            return _Worker(server, recycle)

    def hand_out(working: int, fork: bool = True) -> None:
        """Tasks to idle workers (forked on demand unless `fork` is false) while fewer than
        `jobs` work and the window has room."""
        nonlocal sent
        failed = 0  # fresh workers found dead in a row
        while sent - want < limit and working < jobs:
            idle = next((w for w in workers if w.task is None and w.left > 0), None)
            if (idle is None and not fork) or not pull():
                return
            fresh = idle is None
            if fresh:
                idle = new_worker()
                workers.append(idle)
            try:
                _send(idle.conn, (sent, ahead[-1]))
            except OSError:  # it died waiting (killed, or with its server): the task goes to another
                workers.remove(idle)
                idle.stop(force=True)
                failed += fresh
                if failed > 3:  # even fresh workers die at once: nothing here will compute
                    raise
                continue
            failed = 0
            held[sent] = ahead.pop()
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
                workers.extend(new_worker() for _ in range(retiring - standby))
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
                        seq, result = _recv(w.conn)
                except (EOFError, OSError):
                    done[w.task] = WorkerDied(server.exitcode(w.pid))
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
        if server is not None and keep is None:
            server.close(force=not clean)


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
        r, w = os.pipe()

        def child() -> None:
            os.close(r)
            _as_a_worker()  # its arenas freed: a call that may free and allocate again (the KB's validation)
            try:
                out = (True, fn(*args))
            except BaseException as exc:  # fn isolates its own failures; this is the last guard
                out = (False, f"{type(exc).__name__}: {exc}"[:500])
            view = memoryview(pickle.dumps(out, pickle.HIGHEST_PROTOCOL))
            while view:
                view = view[os.write(w, view):]

        pid = _fork(child)
        os.close(w)
        self.pid, self.fd = pid, r
        self.done, self.value = False, None

    def result(self) -> Any:
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
