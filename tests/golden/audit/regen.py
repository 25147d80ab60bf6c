"""Regenerate the reviewed audit of the real KB, one file per jurisdiction so that a new city (or
a KB change) gives a diff one can read: tests/golden/audit/<jurisdiction>.json holds the findings
whose id names that jurisdiction (kind/jurisdiction/topic), its checked-and-held rows and its
coverage; peer.json the peer comparisons across cities; report.json the run and the summary.
Review the diff before committing it (`git diff tests/golden/audit/`).

    .venv/bin/python tests/golden/audit/regen.py
"""
from pathlib import Path

from medaid_logic.audit import run_audit
from medaid_logic.audit.render import render_json

DIR = Path(__file__).parent


def golden_report() -> dict:
    report = run_audit()
    report["audit"].pop("seconds", None)  # keeps the files stable
    return report


def split(report: dict) -> dict[str, dict]:
    """The report as the golden files hold it: file name → content."""
    js = report["audit"]["jurisdictions"]
    home = lambda f: f["id"].split("/")[1] if f["id"].split("/")[1] in js else "peer"
    files = {"report.json": {"audit": report["audit"], "summary": report["summary"]}}
    for name in js + ["peer"]:
        files[f"{name}.json"] = {"findings": [f for f in report["findings"] if home(f) == name],
                                 "checked_and_held": [h for h in report["checked_and_held"] if h["jurisdiction"] == name],
                                 "coverage": [c for c in report["coverage"] if c["jurisdiction"] == name]}
    return files


def join(files: dict[str, dict]) -> dict:
    """The report back from its golden files (findings in the report's order)."""
    from medaid_logic.audit.findings import SEVERITIES
    rep = dict(files["report.json"])
    parts = [v for k, v in files.items() if k != "report.json"]
    rep["findings"] = sorted((f for p in parts for f in p["findings"]), key=lambda f: (-SEVERITIES.index(f["severity"]), f["kind"], f["id"]))
    rep["checked_and_held"] = sorted((h for p in parts for h in p["checked_and_held"]), key=lambda h: (h["jurisdiction"], h["year"], h["property"]))
    rep["coverage"] = [c for p in parts for c in p["coverage"]]
    return rep


if __name__ == "__main__":
    for name, content in split(golden_report()).items():
        (DIR / name).write_text(render_json(content), encoding="utf-8")
        print(f"wrote {DIR / name}")
