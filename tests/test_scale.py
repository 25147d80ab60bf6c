"""A province on a distributed engine: the partition function, Parquet, `--cluster` on Dask
(a LocalCluster of 2 workers, one of them killed mid-run), `--resume` after a killed run, and
`medaid simulate` on a population whose totals are computed by hand
(tests/fixtures/simulate/expected.json). Small inputs, generous timeouts, no timing assertion."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medaid_logic import limits
from medaid_logic.cli import main
from medaid_logic.partition import evaluate_partition

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_batch import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "tests/fixtures/simulate"
TIMEOUT = 600  # a loaded 2-core box: generous


def medaid(*args, **kw):
    return subprocess.run([sys.executable, "-m", "medaid_logic.cli", *map(str, args)], capture_output=True, cwd=ROOT,
                          timeout=TIMEOUT, **kw)


@pytest.fixture(autouse=True)
def _environment_limits():
    yield
    limits.reset()


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    """40 generated cases with a bad line and a blank line among them, and `medaid batch`'s output."""
    d = tmp_path_factory.mktemp("population")
    lines = [json.dumps(c, ensure_ascii=False) for c in generate(40, seed=9)]
    lines[7:7] = ["not json", ""]
    src = d / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = d / "batch.jsonl"
    assert main(["batch", str(src), "-o", str(out)]) == 0
    return src, out.read_bytes()


def test_partition_function_is_the_batch_output(population):
    src, expected = population
    raw = src.read_bytes().splitlines(keepends=True)
    # any cut into partitions, lines given as bytes, str or parsed dicts, gives the same records
    got = evaluate_partition(raw[:15]) + evaluate_partition([r.decode() for r in raw[15:30]], first_line=16)
    got += evaluate_partition([json.loads(r) for r in raw[30:]], first_line=31)
    want = [json.loads(x) for x in expected.splitlines()]
    assert got == want
    assert [r["line"] for r in got] == list(range(1, 43))
    assert "error" in got[7] and got[8] == {"line": 9, "case_id": None, "skipped": "blank line"}


def test_parquet_round_trip(population, tmp_path, kb):
    from medaid_logic.case import parse_case
    from medaid_logic.parquet_io import read_results, row_case, write_cases, cases_table
    cases = list(generate(25, seed=4))
    rows = cases_table(cases).to_pylist()
    back = [row_case(r) for r in rows]  # money as exact text, a null as an absent field
    assert back[0]["claims"][0]["in_policy_cost"] == str(cases[0]["claims"][0]["in_policy_cost"])
    assert [parse_case(b, kb) for b in back] == [parse_case(c, kb) for c in cases]
    pq_in = tmp_path / "in.parquet"
    assert write_cases(pq_in, cases, row_group_size=7) == 25  # 4 row groups: 4 partitions
    jl = tmp_path / "in.jsonl"
    jl.write_text("".join(json.dumps(c) + "\n" for c in cases))
    assert main(["batch", str(jl), "-o", str(tmp_path / "want.jsonl")]) == 0
    assert main(["batch", str(pq_in), "-o", str(tmp_path / "got.parquet")]) == 0
    want = [json.loads(x) for x in (tmp_path / "want.jsonl").read_text().splitlines()]
    assert read_results(tmp_path / "got.parquet") == want
    # JSON Lines in, Parquet out, and back: the records whole, error records too
    src, expected = population
    assert main(["batch", str(src), "-o", str(tmp_path / "all.parquet"), "--partition", "9"]) == 0
    assert read_results(tmp_path / "all.parquet") == [json.loads(x) for x in expected.splitlines()]


def test_a_bad_parquet_row_is_its_own_error_record(tmp_path):
    from medaid_logic.parquet_io import cases_table
    import pyarrow.parquet as pq
    cases = list(generate(3, seed=2))
    t = cases_table(cases).to_pylist()
    t[1]["parameters"] = "{not json"          # a JSON cell that is not JSON
    t[2]["claims"][0]["kind"] = "dentistry"    # an unknown code
    from medaid_logic.parquet_io import CASE_SCHEMA
    import pyarrow as pa
    pq.write_table(pa.Table.from_pylist(t, schema=CASE_SCHEMA), tmp_path / "in.parquet")
    assert main(["batch", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "out.jsonl")]) == 0
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3] and "total_aid" in rows[0]
    assert "not valid JSON" in rows[1]["error"]["message"]
    assert rows[2]["error"]["field"] == "claims[0].kind" and rows[2]["case_id"] == cases[2]["case_id"]


def test_parquet_column_outside_the_case_format_is_refused(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({"case_id": ["a"], "surname": ["x"]}), tmp_path / "bad.parquet")
    assert main(["batch", str(tmp_path / "bad.parquet"), "-o", str(tmp_path / "out.jsonl")]) == 2
    assert "'surname'" in capsys.readouterr().err


def test_directory_of_inputs_as_partitions(population, tmp_path):
    src, expected = population
    lines = src.read_bytes().splitlines(keepends=True)
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.jsonl").write_bytes(b"".join(lines[:20]))
    (d / "b.jsonl").write_bytes(b"".join(lines[20:]))
    assert main(["batch", str(d), "-o", str(tmp_path / "out.jsonl"), "--partition", "8"]) == 0
    got = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    want = [json.loads(x) for x in expected.splitlines()]
    assert [(r["file"], r["line"]) for r in got] == [("a.jsonl", n) for n in range(1, 21)] + [("b.jsonl", n) for n in range(1, 23)]
    assert [{k: v for k, v in r.items() if k not in ("file", "line")} for r in got] == \
           [{k: v for k, v in r.items() if k != "line"} for r in want]


def test_local_cluster_of_two_workers_gives_the_batch_result(population, tmp_path):
    src, expected = population
    out = tmp_path / "out.jsonl"
    # more than one worker is a Dask LocalCluster: --jobs 2 means --cluster local:2
    run = medaid("batch", src, "-o", out, "--jobs", "2", "--partition", "6")
    assert run.returncode == 0, run.stderr.decode()
    assert out.read_bytes() == expected
    assert not (tmp_path / "out.jsonl.parts").exists() and not (tmp_path / "out.jsonl.partial").exists()
    err = run.stderr.decode()
    assert "41 applicants, 1 errors, 1 blank lines, 7 partitions" in err and "total aid" in err and "taiyuan" in err
    # from stdin, --jobs 2 keeps the forked workers (no file to partition): the same records
    with open(src, "rb") as stdin:
        piped = medaid("batch", "-", "--jobs", "2", stdin=stdin)
    assert piped.returncode == 0 and piped.stdout == expected
    assert b"partitions" not in piped.stderr


def test_a_dead_slice_is_solved_again_chunk_by_chunk(population, tmp_path, monkeypatch):
    """A slice whose forked child died (a case that kills the solver) is solved again through
    Engine.stream's forked chunk workers, which isolate the case that kills one: same records."""
    from medaid_logic import cluster
    src, expected = population
    log = tmp_path / "died"

    def dying(task):  # in the slice's child: the slice's first line noted, then the child dies
        with open(log, "a") as f:
            f.write(f"{task[1]}\n")
        os._exit(9)

    monkeypatch.setattr(cluster, "_slice_part", dying)
    assert main(["batch", str(src), "-o", str(tmp_path / "out.jsonl"), "--partition", "20"]) == 0
    assert log.read_text().split() == ["1", "21", "41"] and (tmp_path / "out.jsonl").read_bytes() == expected
    # a Parquet part is built by the worker from lines its slices' children send (forked_lines)
    from medaid_logic.parquet_io import read_results
    monkeypatch.setattr(cluster, "_slice_lines", dying)
    assert main(["batch", str(src), "-o", str(tmp_path / "out.parquet"), "--partition", "20"]) == 0
    assert log.read_text().split() == ["1", "21", "41"] * 2
    assert read_results(tmp_path / "out.parquet") == [json.loads(x) for x in expected.splitlines()]


def test_a_slice_child_that_dies_writing_leaves_no_trace(population, tmp_path, monkeypatch):
    """Each slice's child writes its own lines (forked_part); one that dies halfway through its
    file is solved again and its file written whole by the worker. --chunk 7: three slices to a
    partition of 20, joined in order."""
    from medaid_logic import cluster
    src, expected = population
    real = cluster._slice_part

    def dying_at_21(task):
        if task[1] != 21:
            return real(task)
        with open(task[4], "wb") as f:
            f.write(b'{"line":21,"case_id":"half a')
        os._exit(9)

    monkeypatch.setattr(cluster, "_slice_part", dying_at_21)
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(src), "-o", str(out), "--partition", "20", "--chunk", "7"]) == 0
    assert out.read_bytes() == expected
    assert not list(tmp_path.glob("**/.part-*"))


def test_a_later_run_in_the_same_process_has_its_own_limits(population, tmp_path):
    # the slices' fork server is kept per process and engine (workers.ordered_map keep=): a
    # second run's limits travel with its slices, not with the server forked in the first run
    # (the claims limit is checked where the slice is evaluated, in the server's child)
    src, expected = population
    assert main(["batch", str(src), "-o", str(tmp_path / "a.jsonl"), "--partition", "20"]) == 0
    assert (tmp_path / "a.jsonl").read_bytes() == expected
    assert main(["batch", str(src), "-o", str(tmp_path / "b.jsonl"), "--partition", "20", "--max-claims", "1"]) == 0
    cases = [json.loads(x) for x in src.read_text(encoding="utf-8").splitlines() if x.startswith("{")]
    rows = [r for r in map(json.loads, (tmp_path / "b.jsonl").read_bytes().splitlines())
            if r["line"] not in (8, 9)]   # "not json" and the blank line
    assert len(rows) == len(cases) == 40
    for case, row in zip(cases, rows):
        refused = "error" in row and row["error"]["field"] == "claims"
        assert refused == (len(case["claims"]) > 1), (case["case_id"], row.get("error"))
    assert 0 < sum("error" in r for r in rows) < 40


def test_a_worker_with_another_kb_refuses():
    from medaid_logic.cluster import sources_digest, worker_engine
    assert len(sources_digest()) == 64 and sources_digest() == sources_digest()
    with pytest.raises(RuntimeError, match="not the driver's"):
        worker_engine("0" * 64)


def _private_mib_around_a_full_collection() -> tuple[float, float]:
    import gc

    def private() -> float:
        with open("/proc/self/smaps_rollup") as f:
            return sum(int(line.split()[1]) for line in f if line.startswith("Private_")) / 1024
    before = private()
    gc.collect()
    return before, private()


def test_a_local_clusters_workers_share_the_engine_through_their_collections():
    # the workers are forked from this process once it holds the engine: a full collection in
    # one copied every page of the engine's objects it touched (20 MiB, some 400 s into a run)
    import gc

    from medaid_logic.cluster import _connect
    from medaid_logic.engine import default_engine
    default_engine()
    client, cluster = _connect("local:1")
    try:
        ((before, after),) = client.run(_private_mib_around_a_full_collection).values()
    finally:
        client.close()
        cluster.close()
        gc.unfreeze()  # as evaluate_parts does once its cluster is closed
    assert after - before < 4, (before, after)


@pytest.fixture()
def dask_cluster():
    """A LocalCluster of 2 worker processes on loopback, as an existing scheduler for tcp://
    (daemonic, as `dask worker` starts them: the slices' children are forked all the same)."""
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0")
    client = Client(cluster)
    yield cluster, client
    client.close()
    cluster.close()


def test_a_worker_killed_mid_run_loses_and_doubles_nothing(population, tmp_path, dask_cluster):
    cluster, client = dask_cluster
    src, expected = population
    big = tmp_path / "in.jsonl"  # the population six times: enough partitions to kill one mid-run
    big.write_bytes(src.read_bytes() * 6)
    want = tmp_path / "want.jsonl"
    assert main(["batch", str(big), "-o", str(want)]) == 0
    out = tmp_path / "out.jsonl"
    parts = tmp_path / "out.jsonl.parts"
    proc = subprocess.Popen([sys.executable, "-m", "medaid_logic.cli", "batch", str(big), "-o", str(out),
                             "--cluster", cluster.scheduler_address, "--partition", "3"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        pids = client.run(os.getpid)
        deadline = time.monotonic() + TIMEOUT
        victim = None
        while victim is None and time.monotonic() < deadline and proc.poll() is None:
            busy = [w for w, tasks in client.processing().items() if any("medaid-part" in str(t) for t in tasks)]
            if busy and parts.exists() and any(parts.glob("part-*.jsonl")):
                victim = busy[0]
            else:
                time.sleep(0.02)
        assert victim is not None, "the run ended before a worker could be killed"
        written_before = len(list(parts.glob("part-*.jsonl")))
        os.kill(pids[victim], signal.SIGKILL)
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert written_before < 84  # 252 lines in partitions of 3: the kill came with work left
    assert proc.returncode == 0, err.decode()
    assert out.read_bytes() == want.read_bytes()  # every input's record, once, in order


def test_resume_after_the_run_was_killed(population, tmp_path):
    src, expected = population
    big = tmp_path / "in.jsonl"  # the population six times: the run is still going after 3 parts
    big.write_bytes(src.read_bytes() * 6)
    want = tmp_path / "want.jsonl"
    assert main(["batch", str(big), "-o", str(want)]) == 0
    out = tmp_path / "out.jsonl"
    parts = tmp_path / "out.jsonl.parts"
    note = parts / "_joined.json"  # the parts appended to out.jsonl.partial so far
    proc = subprocess.Popen([sys.executable, "-m", "medaid_logic.cli", "batch", str(big), "-o", str(out),
                             "--partition", "4"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None and \
            (not note.exists() or json.loads(note.read_text())["parts"] < 3):
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole run, at once: no chance to tidy up
    proc.wait(timeout=TIMEOUT)
    joined = json.loads(note.read_text())["parts"]
    assert 3 <= joined < 63 and not out.exists()   # 252 lines in partitions of 4
    partial = tmp_path / "out.jsonl.partial"
    assert partial.read_bytes().startswith(want.read_bytes()[:json.loads(note.read_text())["bytes"]])
    with open(partial, "ab") as f:  # as if killed after appending a part, before its note
        f.write(b'{"line": 13, "case_id": "torn')
    # another partitioning cannot continue these parts
    assert main(["batch", str(big), "-o", str(out), "--partition", "5", "--resume"]) == 2
    assert main(["batch", str(big), "-o", str(out), "--partition", "4", "--resume"]) == 0
    assert out.read_bytes() == want.read_bytes()
    assert not parts.exists() and not partial.exists()


def test_simulate_hand_computed_totals(tmp_path):
    expected = json.loads((SIM / "expected.json").read_text(encoding="utf-8"))
    out = tmp_path / "sim"
    assert main(["simulate", str(SIM / "population.jsonl"), "--reform", str(SIM / "reform.json"), "-o", str(out),
                 "--partition", "3"]) == 0
    got = json.loads((out / "impact.json").read_text(encoding="utf-8"))
    for key in ("population", "errors", "total", "by_jurisdiction", "detail", "people"):
        assert got[key] == expected[key], key
    assert [[c["parameter"], c["baseline"], c["reform"], c["clauses"][0]["rule"]] for c in got["changed_clauses"]] \
        == expected["changed_clauses"]
    assert "不设起付标准，由医疗救助基金按70%比例给予救助" in got["changed_clauses"][0]["clauses"][0]["text"]
    zh, en = (out / "impact.zh.md").read_text(encoding="utf-8"), (out / "impact.en.md").read_text(encoding="utf-8")
    assert "| 太原市 | 低保边缘家庭成员 | 住院救助 | 4249.32 | 3541.10 | -708.22 |" in zh
    assert "- 太原市 第八条(二)（低保对象、住院救助）: 0.70 → 0.75" in zh
    assert "| Taiyuan | " in en and "94135.32" in en
    for lang in ("zh", "en"):
        assert (out / f"impact.{lang}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from medaid_logic.simulate import cjk_font
    svg = (out / "impact.zh.svg").read_text(encoding="utf-8")  # the labels are text: Chinese where a CJK font is
    assert ("太原市" in svg) if cjk_font() else ("Taiyuan" in svg)


def test_simulate_on_a_cluster_gives_the_same_impact(tmp_path):
    out = tmp_path / "sim"
    run = medaid("simulate", SIM / "population.jsonl", "--reform", SIM / "reform.json", "-o", out,
                 "--cluster", "local:2", "--partition", "2")
    assert run.returncode == 0, run.stderr.decode()
    got = json.loads((out / "impact.json").read_text(encoding="utf-8"))
    expected = json.loads((SIM / "expected.json").read_text(encoding="utf-8"))
    assert got["total"] == expected["total"] and got["people"] == expected["people"]


@pytest.mark.parametrize("reform, field", [
    ('{"mars": {"x": 1}}', "mars"),
    ('{"taiyuan": {"inpatient/dibao/ratio": 1.5}}', "taiyuan.inpatient/dibao/ratio"),
    ('{"taiyuan": {"no/such/parameter": 1}}', "taiyuan.no/such/parameter"),
    ('{"taiyuan": {"precedence": "sometimes"}}', "taiyuan.precedence"),
    ('[1]', ""),
])
def test_a_bad_reform_is_exit_2_naming_the_field(tmp_path, capsys, reform, field):
    r = tmp_path / "reform.json"
    r.write_text(reform)
    assert main(["simulate", str(SIM / "population.jsonl"), "--reform", str(r), "-o", str(tmp_path / "o")]) == 2
    assert f": {field}: " in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
