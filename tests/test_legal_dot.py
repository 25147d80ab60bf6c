"""--format dot throughout the legal verbs: each answer drawn as a Graphviz digraph."""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TY = "examples/taiyuan-dibao-returned-poor.json"


def medaid(*args):
    r = subprocess.run([sys.executable, "-m", "medaid_logic.cli", *args], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stdout


def edges(dot: str) -> list[tuple[str, str, str]]:
    return re.findall(r'^\s*"([^"]*)" -> "([^"]*)" \[label="([^"]*)"\];$', dot, re.M)


def labels(dot: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*"([^"]*)" \[label="((?:[^"\\]|\\.)*)"', dot, re.M))


def test_why_not_dot_draws_each_rule_down_to_the_failed_condition():
    dot = medaid("why-not", TY, "claim:c3.category:returned_poor", "--format", "dot")
    assert dot.startswith("digraph why_not {") and dot.rstrip().endswith("}")
    lab = labels(dot)
    # 第九条(一) names only tekun and dibao for special drugs: the rule tried, then the param/6 it lacks
    assert any(v.startswith("taiyuan/第九条(一)") for v in lab.values())
    assert ("target", "rule0", "tried") in edges(dot)
    failed = [b for a, b, e in edges(dot) if e == "failed"]
    assert failed and any("param(" in lab[f] for f in failed)


def test_what_if_dot_draws_before_to_after_with_the_rule():
    dot = medaid("what-if", TY, "--set", "identity.returned_poor.until=2023-02-01", "--format", "dot")
    lab = labels(dot)
    # c1 under returned_poor 21400.00 (第八条(五)); under dibao 16000.00 × 70% = 11200.00 (第八条(二))
    pairs = {(lab[a], lab[b], e) for a, b, e in edges(dot)}
    assert ("claim:c1 21400.00 returned_poor", "claim:c1 11200.00 dibao", "taiyuan/第八条(二)") in pairs


def test_clauses_dot_lists_every_clause_under_its_document():
    items = json.loads(medaid("clauses", TY, "--format", "json"))
    dot = medaid("clauses", TY, "--format", "dot")
    to = {b for _, b, _ in edges(dot)}
    assert {c["clause"] for c in items} == to
