"""The mutation fuzzer (tests/mutations.py), bounded and seeded: no mutation of a valid case
crashes the engine, none that is always bad input is accepted, and `medaid batch` gives every
mutated line its own record. `make fuzz` runs it longer."""
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mutations  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_no_crash_no_silent_acceptance(engine):
    s = mutations.run(engine, n=450, seed=12345)
    assert s["tried"] == 450
    assert not s["crashes"], s["crashes"][:5]
    assert not s["silent"], s["silent"][:5]
    assert s["rejected"] > 300 and s["accepted"] > 0  # both outcomes were reached


def test_batch_gives_every_mutated_line_its_record(tmp_path):
    lines = [raw for _, _, raw in mutations.mutations(120, seed=7)]
    assert all(b"\n" not in raw for raw in lines)
    src = tmp_path / "fuzz.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    r = subprocess.run([sys.executable, "-m", "medaid_logic.cli", "batch", str(src), "-o", str(out), "--chunk", "7"],
                       capture_output=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    rows = [json.loads(x) for x in out.read_bytes().decode("utf-8").splitlines()]
    assert [row["line"] for row in rows] == list(range(1, len(lines) + 1))
    for row in rows:
        if "error" in row:
            assert row["error"].get("kind") != "engine_failure", row
            assert isinstance(row["error"]["field"], str) and row["error"]["message"]
        else:
            assert "total_aid" in row


def test_evaluate_exit_codes_on_mutations():
    picked = {}
    for kind, must, raw in mutations.mutations(60, seed=3):
        if must and kind in ("bad_bytes", "deep_nesting", "lone_surrogate"):
            picked.setdefault(kind, raw)
    assert len(picked) == 3
    for kind, raw in picked.items():  # `medaid evaluate -` as a caller runs it
        r = subprocess.run([sys.executable, "-m", "medaid_logic.cli", "evaluate", "-"], input=raw,
                           capture_output=True, cwd=ROOT, timeout=120)
        assert r.returncode == 2, (kind, r.stderr.decode()[-1000:])
        err = json.loads(r.stdout)["error"]
        assert isinstance(err["field"], str) and err["message"], kind
        assert b"Traceback" not in r.stderr, kind
        if kind == "bad_bytes":
            break  # one process is enough for the exit path; the rest in this process
    from medaid_logic.cli import main
    import io
    for kind, raw in picked.items():
        stdin, stdout = sys.stdin, sys.stdout
        sys.stdin = io.TextIOWrapper(io.BytesIO(raw))
        sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        try:
            code = main(["evaluate", "-"])
            sys.stdout.flush()
            printed = sys.stdout.buffer.getvalue()
        finally:
            sys.stdin, sys.stdout = stdin, stdout
        assert code == 2, kind
        err = json.loads(printed)["error"]
        assert isinstance(err["field"], str) and err["message"], kind
