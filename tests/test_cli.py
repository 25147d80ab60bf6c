"""The `medaid` command as a user runs it: stdout carries only the result, exit 2 names the field."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def medaid(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "medaid_logic.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT)


def test_evaluate_json_and_text():
    r = medaid("evaluate", "examples/taiyuan-dibao-returned-poor.json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # hand-checked: c1 21400.00 (CASE_FORMAT's example), c2 5000×70% + 85%×min(1500, 15%×18000) = 3500 + 1275,
    # c3 special drug: 第九条(一) names only tekun and dibao → dibao 10% × 2800 = 280.00
    assert [c["aid"] for c in out["claims"]] == ["21400.00", "4775.00", "280.00"]
    assert out["total_aid"] == "26455.00" and out["applied_category"] == "returned_poor"
    t = medaid("evaluate", "examples/taiyuan-dibao-returned-poor.json", "--format", "text")
    assert "第八条(五)" in t.stdout and "不设年度最高救助限额" in t.stdout
    e = medaid("evaluate", "examples/wuxi-orphan-and-edge.json", "--format", "text", "--lang", "en")
    assert "Total aid: 11600.00 yuan" in e.stdout


def test_bad_input_exits_2_naming_the_field(tmp_path):
    case = json.loads((ROOT / "examples/taiyuan-dibao-returned-poor.json").read_text())
    case["claims"][1]["total_cost"] = -5
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(case))
    r = medaid("evaluate", str(p))
    assert r.returncode == 2
    assert json.loads(r.stdout)["error"]["field"] == "claims[1].total_cost"
    r = medaid("evaluate", str(p), "--format", "text")
    assert r.returncode == 2 and "claims[1].total_cost" in r.stdout


def test_batch_keeps_order_and_reports_bad_lines(tmp_path):
    lines = [json.dumps(json.loads(p.read_text())) for p in EXAMPLES]
    lines.insert(1, '{"case_id": "broken", "jurisdiction": "mars"}')
    lines.insert(3, "not json")
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    r = medaid("batch", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == len(lines)
    assert rows[1] == {"line": 2, "case_id": "broken", "error": {"field": "jurisdiction", "message": rows[1]["error"]["message"]}}
    assert rows[3]["line"] == 4 and rows[3]["case_id"] is None
    good = [r for r in rows if "error" not in r]
    assert [g["case_id"] for g in good] == [json.loads(x)["case_id"] for x in lines if x.startswith('{"case_id": "') and "mars" not in x]


def test_categories_parameters_kb():
    r = medaid("categories", "--jurisdiction", "wuxi", "--format", "json")
    ids = [c["id"] for c in json.loads(r.stdout)]
    assert "distressed_child" in ids and "returned_poor" not in ids
    r = medaid("parameters", "--jurisdiction", "taiyuan", "--year", "2026", "--format", "json")
    params = {p["id"]: p for p in json.loads(r.stdout)["parameters"]}
    assert "premium/returned_poor/premium_share" not in params  # 2022—2025 only
    assert params["tilted_aid/ratio"]["status"] == "delegated" and params["tilted_aid/ratio"]["delegated_to"] == "县级人民政府"
    assert params["inpatient/dibao/ratio"]["clause_text"].startswith("(二)低保对象")
    r = medaid("kb", "validate")
    assert r.returncode == 0 and "valid" in r.stdout


def test_no_type_is_guessed():
    # strict input: a string year or a "yes" boolean is an error naming the field, not a coercion
    base = {"case_id": "x", "jurisdiction": "taiyuan", "year": 2023, "applicant": {"identities": []}}
    r = medaid("evaluate", "-", stdin=json.dumps({**base, "year": "2023"}))
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["field"] == "year"
    claim = {"claim_id": "c", "kind": "inpatient", "admitted": "2023-01-30", "discharged": "2023-02-01",
             "in_province": "yes", "referred": True, "total_cost": 1, "in_policy_cost": 1}
    r = medaid("evaluate", "-", stdin=json.dumps({**base, "claims": [claim]}))
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["field"] == "claims[0].in_province"


def test_unknown_jurisdiction_and_missing_batch_file_exit_2():
    for cmd in ("categories", "parameters"):
        r = medaid(cmd, "--jurisdiction", "nowhere")
        assert r.returncode == 2 and "--jurisdiction" in r.stderr and r.stdout == ""
    r = medaid("batch", "/nonexistent/cases.jsonl")
    assert r.returncode == 2 and "cannot open" in r.stderr and "Traceback" not in r.stderr


def test_categories_list_only_the_jurisdictions_subtypes():
    # orphans sit under tekun in Shanxi/Taiyuan but under distressed_child in Wuxi (CASE_FORMAT category table)
    rows = {r["id"]: r for r in json.loads(medaid("categories", "--jurisdiction", "wuxi", "--format", "json").stdout)}
    assert rows["tekun"]["subtypes"] == [] and rows["distressed_child"]["subtypes"] == ["orphan", "unsupported_child"]
    rows = {r["id"]: r for r in json.loads(medaid("categories", "--jurisdiction", "taiyuan", "--format", "json").stdout)}
    assert rows["tekun"]["subtypes"] == ["orphan", "unsupported_child"]


def test_provisions_listing():
    r = medaid("provisions", "--jurisdiction", "wuhai", "--kind", "delegation", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and all(p["jurisdiction"] == "wuhai" and p["kind"] == "delegation" for p in rows)
    # 三(三): 起付标准可……由市医疗保障部门适时调整 — the clause's own words come with it
    adjust = next(p for p in rows if p["id"] == "wuhai/deductible_adjustable")
    assert adjust["delegated_to"] == "市医疗保障部门" and "适时调整" in adjust["clauses"][0]["text"]
    assert "第二十九条" in medaid("provisions", "--jurisdiction", "taiyuan").stdout


def test_the_command_exits_without_teardown_but_with_its_exit_handlers():
    # cli.run skips the interpreter's teardown (os._exit) after doing what a normal exit does:
    # other threads joined, atexit handlers run, stdout flushed; main's code is the exit code
    script = (
        "import atexit, sys, threading, time\n"
        "from medaid_logic import cli\n"
        "atexit.register(lambda: print('handler ran', flush=True))\n"
        "returned = threading.Event()\n"
        "real = cli.main\n"
        "cli.main = lambda: (real(), returned.set())[0]\n"
        "threading.Thread(target=lambda: (returned.wait(), time.sleep(0.2), print('thread done'))).start()\n"
        "sys.argv = ['medaid', *sys.argv[1:]]\n"
        "print('buffered, not flushed', end='')\n"
        "cli.run()\n")
    ok = subprocess.run([sys.executable, "-c", script, "kb", "validate"], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("buffered, not flushedkb: valid") and ok.stdout.endswith("thread done\nhandler ran\n")
    bad = subprocess.run([sys.executable, "-c", script, "evaluate", "no-such-file.json"], capture_output=True,
                         text=True, cwd=ROOT)
    assert bad.returncode == 2 and bad.stdout.endswith("thread done\nhandler ran\n")
