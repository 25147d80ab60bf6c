"""`medaid batch` as a hostile caller and a bad day would use it: one record per input line with
its line number, whatever the line; a failure inside one case is only that case's; the output
is always a clean prefix (stopped by a signal, resumed, a full disk); no worker outlives the run."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medaid_logic import engine as engine_module
from medaid_logic import limits
from medaid_logic.cli import main
from medaid_logic.errors import CaseError, EngineFailure
from medaid_logic.workers import WorkerDied, ordered_map

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_batch import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = json.dumps(json.loads((ROOT / "examples/taiyuan-dibao-returned-poor.json").read_text()), ensure_ascii=False)


def medaid(*args, **kw):
    return subprocess.run([sys.executable, "-m", "medaid_logic.cli", *args], capture_output=True, cwd=ROOT,
                          timeout=300, **kw)


@pytest.fixture(autouse=True)
def _environment_limits():
    yield
    limits.reset()  # a --max-* flag of an in-process run must not outlive its test


def batch(*args) -> int:
    """`medaid batch` in this process (the engine loaded once for the module's tests)."""
    return main(["batch", *map(str, args)])


def records(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_bytes().decode("utf-8").splitlines()]


def test_every_line_kind_gets_its_record(tmp_path, capsys):
    long_line = b'{"case_id": "' + b"x" * 3000 + b'"}'
    lines = [
        EXAMPLE.encode(),                                   # 1 a result
        b"",                                                # 2 blank
        b"   \t",                                           # 3 blank (whitespace)
        b"not json",                                        # 4 bad JSON
        b'{"case_id": "bytes\xff"}',                        # 5 not UTF-8
        b'{"case_id": "dup", "case_id": "dup2"}',           # 6 duplicate key
        b'{"case_id": "mars", "jurisdiction": "mars"}',     # 7 a bad case, its case_id kept
        long_line,                                          # 8 above --max-case-bytes
        b'[' * 1000 + b']' * 1000,                          # 9 nesting
        b'{"case_id": "r\\ud800"}',                         # 10 lone surrogate
        EXAMPLE.replace('"ty-2023-0117"', '"second"').encode(),  # 11 a result after all that
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines))  # no newline after the last line: it is a line all the same
    out = tmp_path / "out.jsonl"
    assert batch(src, "-o", out, "--chunk", "3", "--max-case-bytes", "2500") == 0
    assert "2 cases, 7 errors, 2 blank lines" in capsys.readouterr().err
    rows = records(out)
    assert [row["line"] for row in rows] == list(range(1, 12))
    assert rows[0]["case_id"] == "ty-2023-0117" and rows[0]["total_aid"] == "26455.00"  # README/test_cli figure
    assert rows[1] == rows[2] | {"line": 2} == {"line": 2, "case_id": None, "skipped": "blank line"}
    for i in (3, 4, 5, 7, 8, 9):
        assert rows[i]["case_id"] is None and "error" in rows[i], rows[i]
    assert "UTF-8" in rows[4]["error"]["message"]
    assert rows[5]["error"]["field"] == "case_id" and "duplicate" in rows[5]["error"]["message"]
    assert rows[6]["case_id"] == "mars" and rows[6]["error"]["field"] == "jurisdiction"
    assert "2500 bytes" in rows[7]["error"]["message"]
    assert "nesting" in rows[8]["error"]["message"]
    assert rows[9]["error"]["field"] == "case_id"
    assert rows[10]["case_id"] == "second" and rows[10]["total_aid"] == "26455.00"
    assert not (tmp_path / "out.jsonl.partial").exists()


def test_output_equal_to_input_is_refused(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(EXAMPLE + "\n", encoding="utf-8")
    before = src.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(src)
    for target in (src, f"{tmp_path}/./in.jsonl", link):
        assert batch(src, "-o", target) == 2
        assert "is the input file" in capsys.readouterr().err
    assert src.read_bytes() == before


def test_full_disk_is_a_message_and_exit_1(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(EXAMPLE + "\n", encoding="utf-8")
    assert batch(src, "-o", "/dev/full") == 1
    assert "cannot write /dev/full: No space left on device" in capsys.readouterr().err
    with open("/dev/full", "wb") as full:  # stdout itself on a full disk, in a real process
        r = subprocess.run([sys.executable, "-m", "medaid_logic.cli", "evaluate", str(ROOT / "examples/wuxi-orphan-and-edge.json")],
                           stdout=full, stderr=subprocess.PIPE, cwd=ROOT, timeout=120)
        assert r.returncode == 1 and b"No space left" in r.stderr and b"Traceback" not in r.stderr


def _children(pid: int) -> list[int]:
    """Every descendant: the fork server and the workers it forked."""
    out = [int(x) for x in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    return out + [d for c in out for d in _children(c)]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_workers_and_parent_and_resume_completes(tmp_path, sig):
    # enough cases that the run is still going when the first records are out (≈ 3 s of work on
    # 2 idle cores at ≈ 1,000/s): 500 were done before the signal once the engine got faster
    cases = list(generate(3000, seed=17))
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(c) + "\n" for c in cases))
    out = tmp_path / "out.jsonl"
    p = subprocess.Popen([sys.executable, "-m", "medaid_logic.cli", "batch", str(src), "-o", str(out),
                          "--jobs", "2", "--chunk", "50"], cwd=ROOT, stderr=subprocess.PIPE)
    partial = tmp_path / "out.jsonl.partial"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size == 0):
        time.sleep(0.05)  # wait until the workers are solving and records are being written
    workers: set[int] = set()  # the fork server and the workers it forks, seen over a moment
    until = time.monotonic() + 10
    while time.monotonic() < until and len(workers) < 3:
        workers |= set(_children(p.pid))
        time.sleep(0.02)
    assert len(workers) >= 2, f"no worker processes seen beside the fork server: {workers}"
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 128 + sig, err.decode()
    time.sleep(0.2)
    assert not [w for w in workers if _alive(w)], "a worker outlived the run"
    assert b"Traceback" not in err
    rows = records(out)  # renamed from .partial: whole records only, lines 1..k
    k = len(rows)
    assert 0 < k < len(cases) and [row["line"] for row in rows] == list(range(1, k + 1))
    assert out.read_bytes().endswith(b"\n") and not partial.exists()
    if sig == signal.SIGINT:
        return  # resuming is the same after either signal
    r = medaid("batch", str(src), "-o", str(out), "--jobs", "2", "--chunk", "50", "--resume")
    assert r.returncode == 0, r.stderr.decode()
    rows = records(out)
    assert [row["line"] for row in rows] == list(range(1, len(cases) + 1))
    assert [row["case_id"] for row in rows] == [c["case_id"] for c in cases]


def test_resume_after_a_torn_last_record(tmp_path, capsys):
    cases = list(generate(30, seed=2))
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(c) + "\n" for c in cases))
    full = tmp_path / "full.jsonl"
    assert batch(src, "-o", full, "--jobs", "0") == 0
    # a run killed hard mid-write: 12 whole records and half of the 13th in the .partial file
    data = full.read_bytes().splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.partial").write_bytes(b"".join(data[:12]) + data[12][:40])
    capsys.readouterr()
    assert batch(src, "-o", out, "--jobs", "0", "--resume") == 0
    assert "resumed after line 12" in capsys.readouterr().err
    assert out.read_bytes() == full.read_bytes()
    assert batch(src, "--resume") == 2  # --resume needs -o FILE


def test_a_failure_inside_one_case_is_only_that_case(engine, monkeypatch):
    cases = list(generate(12, seed=9))
    expected = engine.evaluate_batch(cases)
    real = engine_module.build_result

    def failing(case, atoms, *args):
        if case.case_id == "b5":
            raise ZeroDivisionError("planted")
        return real(case, atoms, *args)

    monkeypatch.setattr(engine_module, "build_result", failing)
    got = engine.evaluate_batch(cases)
    assert isinstance(got[5], EngineFailure) and "planted" in str(got[5])
    assert got[:5] + got[6:] == expected[:5] + expected[6:]
    monkeypatch.setattr(engine_module, "build_result", real)
    # the whole solver call failing: the chunk is solved again case by case
    real_solve = engine._solve

    def solve_failing_with_b3(cases, *args, **kw):
        if any(c.case_id == "b3" for c in cases):
            raise RuntimeError("planted grounding failure")
        return real_solve(cases, *args, **kw)

    monkeypatch.setattr(engine, "_solve", solve_failing_with_b3)
    got = engine.evaluate_batch(cases)
    assert isinstance(got[3], EngineFailure)
    assert got[:3] + got[4:] == expected[:3] + expected[4:]
    with pytest.raises(EngineFailure):
        engine.evaluate(cases[3])
    assert isinstance(engine.evaluate_batch([{"case_id": 1}])[0], CaseError)


def test_a_case_that_kills_its_worker_is_the_only_one_to_get_an_error(engine, monkeypatch):
    # Engine.stream: a chunk whose worker died is solved again one case per process; the others'
    # results come back as the chunks do (marshalled), the killer's is an EngineFailure
    cases = [dict(c, case_id=f"k{i}") for i, c in enumerate(generate(6, seed=12))]
    expected = engine.evaluate_batch(cases)
    real = engine_module.build_result

    def killing(case, atoms, *args):
        if case.case_id == "k2":
            os._exit(9)   # in the worker: as a solver killed by the kernel would
        return real(case, atoms, *args)

    monkeypatch.setattr(engine_module, "build_result", killing)
    got = list(engine.stream(cases, chunk=3, jobs=1))
    assert isinstance(got[2], EngineFailure) and "signal" not in str(got[2]) and "exit code 9" in str(got[2])
    assert got[:2] + got[3:] == expected[:2] + expected[3:]


def _dies_on_3(x):
    if x == 3:
        os._exit(9)
    return x * 10


def test_ordered_map_survives_a_dying_worker():
    got = list(ordered_map(_dies_on_3, range(8), jobs=2, recycle=2))
    assert [t for t, _ in got] == list(range(8))
    assert isinstance(got[3][1], WorkerDied) and got[3][1].exitcode == 9
    assert [r for t, r in got if t != 3] == [0, 10, 20, 40, 50, 60, 70]


def _boom():
    raise ValueError("planted")


def test_run_forked_returns_the_result_or_says_the_child_died():
    from medaid_logic.workers import run_forked
    assert run_forked(sorted, [3, 1, 2]) == [1, 2, 3]
    died = run_forked(os._exit, 7)
    assert isinstance(died, WorkerDied) and died.exitcode == 7
    failed = run_forked(_boom)
    assert isinstance(failed, WorkerDied) and "ValueError: planted" in str(failed)


@pytest.mark.parametrize("jobs, lines", [(0, 3), (1, 3), (1, 0), (2, 3)])
def test_a_kb_breaking_its_shapes_writes_no_record(tmp_path, jobs, lines):
    # the batch validates its KB in a forked child while it evaluates the first chunks
    # (kb.load_kb_validating_aside): a KB that fails it must still stop the run before a record
    import shutil
    from medaid_logic.kb import KB_DIR
    kb = tmp_path / "kb"
    shutil.copytree(KB_DIR, kb)
    # a statistic without its source: the KB still reads unvalidated, only the shapes refuse it
    stats = kb / "statistics.ttl"
    text = stats.read_text(encoding="utf-8")
    broken = text.replace('    ma:source "山西省2021年国民经济和社会发展统计公报: 全省居民人均可支配收入27426元"@zh .', "    .", 1)
    assert broken != text
    stats.write_text(broken, encoding="utf-8")
    src = tmp_path / "in.jsonl"
    src.write_text("".join(EXAMPLE + "\n" for _ in range(lines)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    # --chunk 1: each record would be written as soon as it is computed
    run = medaid("batch", str(src), "-o", str(out), "--jobs", str(jobs), "--chunk", "1",
                 env={**os.environ, "MEDAID_KB": str(kb)})
    assert run.returncode == 3, run.stderr
    assert "A statistic names its source." in run.stderr.decode()
    written = [p for p in tmp_path.iterdir() if p.name.startswith("out.jsonl")]
    assert all(p.stat().st_size == 0 for p in written if p.is_file()), written
