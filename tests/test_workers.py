"""workers.ordered_map keeps the core busy between tasks (a successor forked ahead, the next task
pulled ahead and handed out before a result is read) without ever having more than `jobs`
tasks at work, and gives the results in order."""
from __future__ import annotations

import os
import time

import pytest

from medaid_logic.workers import ordered_map

LOG = None


def _task(x: int) -> int:
    """Records when it worked (start, end, pid) in the log, appended whole (O_APPEND)."""
    start = time.monotonic()
    time.sleep(0.15)
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND)
    os.write(fd, f"{start} {time.monotonic()} {os.getpid()}\n".encode())
    os.close(fd)
    return x * x


def _at_work(tmp_path, jobs: int, recycle: int, n: int = 8) -> tuple[list, int, int]:
    global LOG
    LOG = str(tmp_path / "log")
    open(LOG, "w").close()
    out = list(ordered_map(_task, range(n), jobs=jobs, recycle=recycle))
    spans = [tuple(map(float, line.split()[:2])) for line in open(LOG)]
    pids = {line.split()[2] for line in open(LOG)}
    # the most tasks at work at once: count the spans open at each start
    most = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
    return out, most, len(pids)


@pytest.mark.parametrize("jobs", [1, 2])
def test_never_more_than_jobs_at_work_and_results_in_order(tmp_path, jobs):
    out, most, pids = _at_work(tmp_path, jobs=jobs, recycle=1)
    assert out == [(x, x * x) for x in range(8)]
    assert most == jobs
    assert pids == 8          # recycle=1: a fresh worker per task


def test_a_worker_kept_for_several_tasks(tmp_path):
    out, most, pids = _at_work(tmp_path, jobs=1, recycle=4)
    assert out == [(x, x * x) for x in range(8)]
    assert most == 1 and pids == 2


def test_an_empty_source_and_a_short_one():
    assert list(ordered_map(abs, [], jobs=2, recycle=1)) == []
    assert list(ordered_map(abs, [-3], jobs=2, recycle=1)) == [(-3, 3)]


# ---- the fork server: the workers' parent, forked once per map -------------------------------------

def _tree(pid: int) -> dict[int, int]:
    """pid's live descendants (a zombie is dead) → their parents, from /proc."""
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if fields[0] != "Z":
                kids.setdefault(int(fields[1]), []).append(int(d))
    out, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for k in kids.get(parent, []):
            out[k] = parent
            todo.append(k)
    return out


def _slow(x: int) -> int:
    time.sleep(0.1)
    return x + 1


def _new_tree(before: dict[int, int]) -> dict[int, int]:
    """The processes below this one that were not there before (another test's kept fork server
    may live on in this process: workers.ordered_map's `keep`)."""
    return {p: parent for p, parent in _tree(os.getpid()).items() if p not in before}


def test_workers_are_forked_by_one_server_and_none_outlives_the_map():
    before = _tree(os.getpid())
    tree: dict[int, int] = {}
    for _ in ordered_map(_slow, range(6), jobs=2, recycle=1):
        tree.update(_new_tree(before))
    servers = {p for p, parent in tree.items() if parent == os.getpid()}
    assert len(servers) == 1, tree   # one child of ours, forked once
    workers = {p for p, parent in tree.items() if parent in servers}
    assert len(workers) >= 4 and set(tree) == servers | workers, tree   # its children, one per task
    assert not _new_tree(before)


def test_a_map_left_early_ends_the_server_and_its_workers():
    before = _tree(os.getpid())
    it = ordered_map(_slow, range(100), jobs=2, recycle=1)
    next(it)
    assert _new_tree(before)
    it.close()
    assert not _new_tree(before)


@pytest.fixture
def sigpipe_default():
    """SIGPIPE as the CLI leaves it (cli.main: `medaid … | head` ends quietly): a write to a dead
    worker must then be an error the map handles, not the end of the process."""
    import signal
    old = signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGPIPE, old)


def _slow_from_3(x: int) -> int:
    time.sleep(0.05 if x < 3 else 0.6)   # tasks 3 and 4 surely at work when task 2's result is read
    return x + 1


def test_a_killed_fork_server_costs_only_the_tasks_at_work(sigpipe_default):
    import signal
    from medaid_logic.workers import WorkerDied
    before = _tree(os.getpid())
    got = []
    for task, res in ordered_map(_slow_from_3, range(10), jobs=2, recycle=1):
        got.append((task, res))
        if task == 2:
            server = [p for p, parent in _new_tree(before).items() if parent == os.getpid()]
            assert len(server) == 1
            os.kill(server[0], signal.SIGKILL)   # its workers die with it (PDEATHSIG)
    assert [t for t, _ in got] == list(range(10))
    died = [t for t, r in got if isinstance(r, WorkerDied)]
    # the two at work; a task handed to a standby worker still dying (SIGKILLed with the server,
    # not yet gone) may follow them; the rest go to the next server's workers
    assert died[:2] == [3, 4] and set(died) <= {3, 4, 5, 6}, died
    assert all(r == t + 1 for t, r in got if t not in died)
    assert not _new_tree(before)


def _plus(x: int) -> int:
    return x + BASE


BASE = 0


def test_a_kept_server_serves_the_next_map_with_the_state_it_was_forked_with():
    global BASE
    before = _tree(os.getpid())
    state = object()
    BASE = 100
    assert [r for _, r in ordered_map(_plus, range(3), jobs=1, recycle=1, keep=state)] == [100, 101, 102]
    servers = [p for p, parent in _new_tree(before).items() if parent == os.getpid()]
    assert len(servers) == 1   # kept: alive after the map, and its workers gone
    BASE = 5  # not seen by the kept server's workers: they are forked from its copy
    assert [r for _, r in ordered_map(_plus, range(3), jobs=1, recycle=1, keep=state)] == [100, 101, 102]
    assert [p for p, parent in _new_tree(before).items() if parent == os.getpid()] == servers
    other = object()   # other state: another server, forked now
    assert [r for _, r in ordered_map(_plus, range(3), jobs=1, recycle=1, keep=other)] == [5, 6, 7]


def _doubled(x: int) -> int:  # its own kept servers: another test's state may have died, its id reused
    return 2 * x


def test_a_kept_server_outlives_the_thread_that_forked_it():
    # a Dask worker maps in its task thread, which Dask ends at shutdown before the worker closes
    # its kept server: a server dying with that thread left the workers it had not reaped to init
    import threading
    before = _tree(os.getpid())
    state = object()
    first = threading.Thread(target=lambda: list(ordered_map(_doubled, range(2), jobs=1, recycle=1, keep=state)))
    first.start()
    first.join()
    time.sleep(0.2)  # a death signal comes at once
    servers = [p for p, parent in _new_tree(before).items() if parent == os.getpid()]
    assert len(servers) == 1
    assert [r for _, r in ordered_map(_doubled, range(2), jobs=1, recycle=1, keep=state)] == [0, 2]
    assert [p for p, parent in _new_tree(before).items() if parent == os.getpid()] == servers


_QUEUE = None


def _at_work_until_killed(_) -> None:
    _QUEUE.put(("worker", os.getpid()))
    time.sleep(60)


def _caller_killed_at_work(queue) -> None:
    """Maps in a thread (as a Dask worker does) a task that works until it is killed, and forks
    a process that holds a copy of the fork server's socket (as a process it forks may)."""
    import threading

    from medaid_logic import workers
    global _QUEUE
    _QUEUE = queue
    threading.Thread(target=lambda: list(ordered_map(_at_work_until_killed, [0], jobs=1, recycle=1, keep=queue)),
                     daemon=True).start()
    while not (mine := [s.pid for s in workers._kept.values() if s.parent == os.getpid()]):  # not those inherited
        time.sleep(0.01)
    holder = os.fork()
    if holder == 0:
        time.sleep(60)
        os._exit(0)
    queue.put(("server", mine[0]))
    queue.put(("holder", holder))
    time.sleep(60)


def test_a_kept_server_and_its_workers_end_with_their_caller_process():
    import multiprocessing
    import signal

    from test_batch_robust import _alive
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    caller = ctx.Process(target=_caller_killed_at_work, args=(queue,), daemon=True)
    caller.start()
    pids = dict(queue.get(timeout=60) for _ in range(3))
    try:
        assert _alive(pids["server"]) and _alive(pids["worker"])
        os.kill(caller.pid, signal.SIGKILL)
        until = time.monotonic() + 10
        while (_alive(pids["server"]) or _alive(pids["worker"])) and time.monotonic() < until:
            time.sleep(0.02)
        assert not _alive(pids["server"]) and not _alive(pids["worker"])
    finally:
        os.kill(pids["holder"], signal.SIGKILL)
        caller.join(10)  # once the holder, which has a copy of its sentinel, is gone


def _map_in_child(queue) -> None:
    queue.put([r for _, r in ordered_map(_slow, range(3), jobs=2, recycle=1)])


def test_a_daemonic_process_maps_too():
    # a Dask worker is daemonic, and multiprocessing refuses it children: the fork server and its
    # workers are forked with os.fork (a dead slice's retry runs in forked chunk workers there)
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_map_in_child, args=(queue,), daemon=True)
    child.start()
    assert queue.get(timeout=60) == [1, 2, 3]
    child.join(30)
    assert child.exitcode == 0


def _arenas_of_this_worker(_) -> tuple[bool, int]:
    """Whether this process takes Python's arenas from the heap, and the sum over objects
    allocated, freed and allocated again (arenas made, emptied, made again)."""
    import ctypes

    from medaid_logic.workers import _arena_allocator_type
    got = _arena_allocator_type()()
    ctypes.pythonapi.PyObject_GetArenaAllocator.restype = None
    ctypes.pythonapi.PyObject_GetArenaAllocator(ctypes.byref(got))
    on_heap = got.alloc == ctypes.cast(ctypes.pythonapi.PyMem_RawRealloc, ctypes.c_void_p).value
    total = 0
    for _ in range(3):  # some 100 MiB of small objects each time
        rows = [(i, str(i)) for i in range(800_000)]
        total += sum(i for i, _ in rows)
        del rows
    return on_heap, total


@pytest.mark.parametrize("recycle", [1, 2])
def test_a_one_task_worker_takes_its_arenas_from_the_heap(recycle):
    # workers._arenas_on_the_heap: a worker of one task (every batch worker: engine.RECYCLE) has
    # Python's arenas from malloc, never freed; one of several tasks keeps Python's own
    expected = 3 * sum(range(800_000))
    assert [r for _, r in ordered_map(_arenas_of_this_worker, [0], jobs=1, recycle=recycle)] == [(recycle == 1, expected)]
    assert not _arenas_of_this_worker(0)[0]   # and this process, whatever its workers do
