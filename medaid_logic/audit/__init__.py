"""`medaid audit`: policy-consistency checks over the KB, each finding with the clauses it rests
on and, where one exists, a witness case that `medaid evaluate` reproduces (docs/AUDIT.md)."""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from ..engine import Engine
from ..kb import KB, load_kb
from .findings import SEVERITIES, Builder
from .search import Searcher
from .static import audit_years, run_static


def search_years(kb: KB, j: str, static: dict) -> list[int]:
    """The years the solver searches for J: its document's first audited year and each year a
    provision of J (or of its parent) starts or lapses in."""
    years = audit_years(kb)
    doc = kb.policy_document(j)
    first = max(years[0], (doc.effective_from or 0) // 10000)
    out = {first}
    for pid, jj, until, _ in static.get("lapse", []):
        if jj == j or kb.parents.get(j) == jj:
            out.add(until // 10000 + 1)
    for pid, jj, start, _ in static.get("late_start", []):
        if jj == j or kb.parents.get(j) == jj:
            out.add(start // 10000)
    last = min(years[-1], (doc.effective_until or 99991231) // 10000)
    return sorted(y for y in out if first <= y <= last)


def has_document(kb: KB, j: str) -> bool:
    try:
        kb.policy_document(j)
        return True
    except Exception:
        return False


def run_audit(kb_dir: str | Path | None = None, jurisdiction: str | None = None, search: bool = True) -> dict:
    t0 = time.perf_counter()
    kb = load_kb(str(kb_dir) if kb_dir else None)
    engine = Engine(kb=kb)
    static = run_static(kb)
    searcher = Searcher(kb, engine, lambda j: search_years(kb, j, static))
    builder = Builder(kb, engine, searcher)
    builder.from_static(static)
    js = [jurisdiction] if jurisdiction else [j for j in kb.jurisdictions if has_document(kb, j)]
    cases = 0
    if search:
        sr = searcher.run(js)
        builder.from_search(sr)
        cases = sr.cases_evaluated
    builder.from_provisions()
    findings = builder.findings
    if jurisdiction:
        findings = [f for f in findings if jurisdiction in f["jurisdictions"]]
    findings.sort(key=lambda f: (-SEVERITIES.index(f["severity"]), f["kind"], f["id"]))
    coverage = [{"jurisdiction": j, "category": c, "benefit": b, "year": y, "status": st, "time_limited": lim == "limited"}
                for j, c, b, y, st, lim in static.get("slot", []) if not jurisdiction or j == jurisdiction]
    summary = {
        "findings": len(findings),
        "by_kind": dict(sorted(Counter(f["kind"] for f in findings).items())),
        "by_severity": {s: sum(1 for f in findings if f["severity"] == s) for s in reversed(SEVERITIES)},
        "by_jurisdiction": {j: dict(sorted(Counter(f["kind"] for f in findings if j in f["jurisdictions"]).items()))
                            for j in js},
        "coverage": dict(sorted(Counter(f"{r['status']}{'+limited' if r['time_limited'] else ''}" for r in coverage).items())),
        "with_witness": sum(1 for f in findings if f["witness"]),
    }
    held = [h for h in builder.held() if not jurisdiction or h["jurisdiction"] == jurisdiction]
    return {"audit": {"jurisdictions": js, "years": audit_years(kb), "cases_searched": cases,
                      "seconds": round(time.perf_counter() - t0, 1)},
            "summary": summary, "findings": findings, "checked_and_held": held, "coverage": coverage}


def at_or_above(report: dict, severity: str) -> list[dict]:
    lvl = SEVERITIES.index(severity)
    return [f for f in report["findings"] if SEVERITIES.index(f["severity"]) >= lvl]
