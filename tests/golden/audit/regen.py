"""Regenerate tests/golden/audit/real.json: the audit of the real KB. Review the diff before
committing it (`git diff tests/golden/audit/real.json`).

    .venv/bin/python tests/golden/audit/regen.py
"""
from pathlib import Path

from medaid_logic.audit import run_audit
from medaid_logic.audit.render import render_json

OUT = Path(__file__).with_name("real.json")


def golden_report() -> dict:
    report = run_audit()
    report["audit"].pop("seconds", None)  # keeps the file stable
    return report


if __name__ == "__main__":
    OUT.write_text(render_json(golden_report()), encoding="utf-8")
    print(f"wrote {OUT}")
