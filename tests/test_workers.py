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
