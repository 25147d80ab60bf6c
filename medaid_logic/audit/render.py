"""Audit reports as text (zh default, en), Markdown and JSON. Clause quotes are never cut: JSON
and Markdown carry the full text, the text format wraps it."""
from __future__ import annotations

import json
import textwrap
import unicodedata

from ..words import family, word, word_of
from .words import CHECKS, PROPERTIES
from .words import word as audit_word


def render_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"


def kind_name(kind: str, lang: str) -> str:
    return word_of("audit_kind", kind, lang)


def _witness_line(w: dict, lang: str = "en") -> str:
    e = w["expect"]
    where = f"[{w['case'].get('jurisdiction')}] "
    if "error" in e:
        return f"{where}{w['case']['case_id']}: {word('audit.error', lang)} {e['error']['field']}"
    ps = e.get("premium_subsidy") or {}
    return (f"{where}{w['case']['case_id']}: {word('audit.total_aid', lang)} {e['total_aid']}, {word('audit.applied', lang)} {e.get('applied_category')}"
            + (f", {word('audit.premium', lang)} {ps.get('amount')}" if ps.get("amount") else ""))


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap(text: str, width: int = 100, indent: str = "    ") -> list[str]:
    """Wrap without losing a character: Chinese text has no spaces, so lines break by display width."""
    lines, cur, w = [], "", 0
    for ch in text:
        cw = _width(ch)
        if w + cw > width and cur:
            lines.append(indent + cur)
            cur, w = "", 0
        cur += ch
        w += cw
    if cur:
        lines.append(indent + cur)
    return lines


def _table_rows(f: dict, lang: str) -> list[list[str]]:
    return [[r["where"][lang], r["who"][lang], r["bills"][lang], r["aid"] or "—", r.get("difference") or ""] for r in f.get("table") or []]


def _finding_lines(f: dict, lang: str, full: bool) -> list[str]:
    out = [f"[{family('severity', lang)[f['severity']]}] {f['id']}  ({kind_name(f['kind'], lang)}; {', '.join(f['jurisdictions'])})"]
    para = (lambda s: textwrap.wrap(s, 100, initial_indent="  ", subsequent_indent="  ")) if lang == "en" else (lambda s: wrap(s, 100, "  "))
    out += para(f["statement"][lang])
    if f.get("why"):
        out += para(f"{word('audit.why', lang)}: {f['why'][lang]}")
    if f.get("todo"):
        out += para(f"{word('audit.todo', lang)}: {f['todo'][lang]}")
    for i in f.get("interpretations") or []:
        out += para(f"{word('audit.rests_on', lang)}: {i['label'][lang]}")
    for c in f["clauses"]:
        out.append(f"  · {c['ref'][lang]}:")
        out.extend(wrap((c.get("text") if full else c.get("sentence") or c.get("text") or "").replace("\n", " ")))
    rows = _table_rows(f, lang)
    if rows:
        out.append("  ▸ " + " | ".join(tuple(family('audit.table', lang).values())))
        out += ["    " + " | ".join(r) for r in rows]
    out.append(f"  ({word('audit.checks', lang)}: {', '.join(audit_word(CHECKS, c, lang, c) for c in f.get('checks', []))})")
    out.append("")
    return out


def held_rows(report: dict, lang: str) -> list[list[str]]:
    return [[r["jurisdiction"], str(r["year"]), audit_word(PROPERTIES, r["property"], lang, r["property"]), str(r["cases"]),
             word("audit.holds", lang) if r["holds"] else f"{word('audit.fails', lang)} ({r['violations']})"] for r in report.get("checked_and_held", [])]


def render_text(report: dict, lang: str = "zh", full: bool = False) -> str:
    s = report["summary"]
    out = [f"{word('audit.title', lang)} — {', '.join(report['audit']['jurisdictions'])}",
           f"{word('audit.findings', lang)}: {s['findings']}  " + "  ".join(f"{family('severity', lang)[k]} {v}" for k, v in s["by_severity"].items())]
    cov = coverage_rows(report, lang)
    if cov:
        out.append(f"{word('audit.coverage', lang)}: " + "; ".join(f"{r[0]} " + "/".join(r[1:]) for r in cov)
                   + f"  ({'/'.join(report['audit']['jurisdictions'])})")
    out.append("")
    if not report["findings"]:
        out.append(word("audit.none", lang))
    for f in report["findings"]:
        out += _finding_lines(f, lang, full)
    rows = held_rows(report, lang)
    if rows:
        out.append(word("audit.held", lang))
        out += ["  " + " | ".join(r) for r in rows]
    return "\n".join(out)


def coverage_rows(report: dict, lang: str) -> list[list[str]]:
    """Status × jurisdiction counts of the coverage slots ('+' marks time-limited ones)."""
    js = report["audit"]["jurisdictions"]
    rows = []
    for st in family('coverage_status', lang):
        counts = [sum(1 for r in report.get("coverage", []) if r["jurisdiction"] == j and r["status"] == st) for j in js]
        limited = [sum(1 for r in report.get("coverage", []) if r["jurisdiction"] == j and r["status"] == st and r["time_limited"]) for j in js]
        if any(counts):
            rows.append([family('coverage_status', lang)[st]] + [f"{c}" + (f" (+{l})" if l else "") for c, l in zip(counts, limited)])
    return rows


def render_md(report: dict, lang: str = "zh") -> str:
    s = report["summary"]
    out = [f"# {word('audit.title', lang)}", "", f"{word('audit.jurisdictions', lang)}: {', '.join(report['audit']['jurisdictions'])}; "
           f"{word('audit.cases', lang)}: {report['audit']['cases_searched']}", "",
           f"| {word('audit.kind', lang)} | " + " | ".join(report["summary"]["by_jurisdiction"]) + " |",
           "|---|" + "---|" * len(s["by_jurisdiction"])]
    kinds = sorted(s["by_kind"])
    for k in kinds:
        out.append(f"| {kind_name(k, lang)} | " + " | ".join(str(s["by_jurisdiction"][j].get(k, 0)) for j in s["by_jurisdiction"]) + " |")
    out.append("")
    cov = coverage_rows(report, lang)
    if cov:
        out += [f"{word('audit.coverage', lang)}:", "", f"| {word('audit.status', lang)} | " + " | ".join(report["audit"]["jurisdictions"]) + " |",
                "|---|" + "---|" * len(report["audit"]["jurisdictions"])]
        out += ["| " + " | ".join(r) + " |" for r in cov]
        out.append("")
    # one section per kind (peer comparisons, contradictions, ... each its own), most severe first
    order = list(dict.fromkeys(f["kind"] for f in report["findings"]))
    current = None
    for f in sorted(report["findings"], key=lambda f: order.index(f["kind"])):
        if f["kind"] != current:
            current = f["kind"]
            out += [f"## {kind_name(current, lang)}", ""]
        out.append(f"### `{f['id']}` — {kind_name(f['kind'], lang)}, {family('severity', lang)[f['severity']]}")
        out.append("")
        out.append(f["statement"][lang])
        out.append("")
        if f.get("why"):
            out += [f"**{word('audit.why', lang)}**: {f['why'][lang]}", ""]
        if f.get("todo"):
            out += [f"**{word('audit.todo', lang)}**: {f['todo'][lang]}", ""]
        for i in f.get("interpretations") or []:
            out += [f"*{word('audit.rests_on', lang)}*: {i['label'][lang]}", ""]
        for c in f["clauses"]:
            out.append(f"> **{c['ref'][lang]}** {(c.get('sentence') or c.get('text') or '').replace(chr(10), ' ')}")
            out.append("")
            out += ["<details><summary>" + word("audit.whole_article", lang) + "</summary>", "",
                    (c.get("text") or "").replace(chr(10), " "), "", "</details>", ""]
        rows = _table_rows(f, lang)
        if rows:
            out += ["| " + " | ".join(tuple(family('audit.table', lang).values())) + " |", "|---|---|---|---|---|"] + ["| " + " | ".join(r) + " |" for r in rows] + [""]
        out.append(f"*{word('audit.checks', lang)}: {', '.join(audit_word(CHECKS, c, lang, c) for c in f.get('checks', []))}*")
        out.append("")
    rows = held_rows(report, lang)
    if rows:
        out += [f"## {word('audit.held', lang)}", "", "| " + " | ".join(tuple(family('audit.held_cols', lang).values())) + " |", "|---|---|---|---|---|"] + ["| " + " | ".join(r) + " |" for r in rows] + [""]
    return "\n".join(out)
