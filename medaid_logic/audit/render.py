"""Audit reports as text (zh default, en), Markdown and JSON."""
from __future__ import annotations

import json

HEAD = {"zh": {"title": "医疗救助政策一致性审查", "findings": "发现", "witness": "见证案例", "clauses": "条款",
               "severity": {"high": "高", "medium": "中", "low": "低", "info": "提示"}, "none": "无发现"},
        "en": {"title": "Medical-assistance policy consistency audit", "findings": "findings", "witness": "witness",
               "clauses": "clauses", "severity": {"high": "high", "medium": "medium", "low": "low", "info": "info"},
               "none": "no findings"}}


def render_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"


def _witness_line(w: dict) -> str:
    e = w["expect"]
    if "error" in e:
        return f"{w['case']['case_id']}: error {e['error']['field']}"
    ps = e.get("premium_subsidy") or {}
    return (f"{w['case']['case_id']}: total_aid {e['total_aid']}, applied {e.get('applied_category')}"
            + (f", premium {ps.get('amount')}" if ps.get("amount") else ""))


def render_text(report: dict, lang: str = "zh") -> str:
    h = HEAD[lang]
    s = report["summary"]
    out = [f"{h['title']} — {', '.join(report['audit']['jurisdictions'])}",
           f"{h['findings']}: {s['findings']}  " + "  ".join(f"{h['severity'][k]} {v}" for k, v in s["by_severity"].items()), ""]
    if not report["findings"]:
        out.append(h["none"])
    for f in report["findings"]:
        out.append(f"[{h['severity'][f['severity']]}] {f['id']}  ({', '.join(f['jurisdictions'])})")
        out.append(f"  {f['statement'][lang]}")
        for c in f["clauses"]:
            text = (c.get("text") or "").replace("\n", " ")
            out.append(f"  · {c['rule']}: {text[:160]}{'…' if len(text) > 160 else ''}")
        for w in f.get("witness") or []:
            out.append(f"  ▸ {h['witness']} {_witness_line(w)}")
        out.append("")
    return "\n".join(out)


def render_md(report: dict, lang: str = "zh") -> str:
    h = HEAD[lang]
    s = report["summary"]
    out = [f"# {h['title']}", "", f"Jurisdictions: {', '.join(report['audit']['jurisdictions'])}; "
           f"cases searched: {report['audit']['cases_searched']}", "",
           "| kind | " + " | ".join(report["summary"]["by_jurisdiction"]) + " |",
           "|---|" + "---|" * len(s["by_jurisdiction"])]
    kinds = sorted(s["by_kind"])
    for k in kinds:
        out.append(f"| {k} | " + " | ".join(str(s["by_jurisdiction"][j].get(k, 0)) for j in s["by_jurisdiction"]) + " |")
    out.append("")
    for f in report["findings"]:
        out.append(f"### `{f['id']}` — {f['kind']}, {h['severity'][f['severity']]}")
        out.append("")
        out.append(f["statement"][lang])
        out.append("")
        for c in f["clauses"]:
            out.append(f"> **{c['rule']}** {c.get('text') or ''}")
            out.append("")
        for w in f.get("witness") or []:
            out.append(f"- {h['witness']}: {_witness_line(w)}")
        out.append("")
    return "\n".join(out)
