"""Audit reports as text (zh default, en), Markdown and JSON. Clause quotes are never cut: JSON
and Markdown carry the full text, the text format wraps it."""
from __future__ import annotations

import json
import textwrap
import unicodedata

from ..words import family, word, word_of
from .words import CHECKS, PROPERTIES
from .words import word as audit_word


class _Head:
    """The report's fixed words in one language (the catalogue's audit.*, severity.*, coverage_status.*)."""

    def __init__(self, lang: str):
        self.lang = lang

    def __getitem__(self, key: str):
        if key == "severity":
            return family("severity", self.lang)
        if key == "statuses":
            return family("coverage_status", self.lang)
        if key in ("table", "held_cols"):
            return tuple(family(f"audit.{key}", self.lang).values())
        return word("audit." + key, self.lang)


HEAD = {"zh": _Head("zh"), "en": _Head("en")}


def render_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"


def kind_name(kind: str, lang: str) -> str:
    return word_of("audit_kind", kind, lang)


def _witness_line(w: dict, lang: str = "en") -> str:
    h = HEAD[lang]
    e = w["expect"]
    where = f"[{w['case'].get('jurisdiction')}] "
    if "error" in e:
        return f"{where}{w['case']['case_id']}: {h['error']} {e['error']['field']}"
    ps = e.get("premium_subsidy") or {}
    return (f"{where}{w['case']['case_id']}: {h['total_aid']} {e['total_aid']}, {h['applied']} {e.get('applied_category')}"
            + (f", {h['premium']} {ps.get('amount')}" if ps.get("amount") else ""))


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
    h = HEAD[lang]
    out = [f"[{h['severity'][f['severity']]}] {f['id']}  ({kind_name(f['kind'], lang)}; {', '.join(f['jurisdictions'])})"]
    para = (lambda s: textwrap.wrap(s, 100, initial_indent="  ", subsequent_indent="  ")) if lang == "en" else (lambda s: wrap(s, 100, "  "))
    out += para(f["statement"][lang])
    if f.get("why"):
        out += para(f"{h['why']}: {f['why'][lang]}")
    if f.get("todo"):
        out += para(f"{h['todo']}: {f['todo'][lang]}")
    for i in f.get("interpretations") or []:
        out += para(f"{h['rests_on']}: {i['label'][lang]}")
    for c in f["clauses"]:
        out.append(f"  · {c['ref'][lang]}:")
        out.extend(wrap((c.get("text") if full else c.get("sentence") or c.get("text") or "").replace("\n", " ")))
    rows = _table_rows(f, lang)
    if rows:
        out.append("  ▸ " + " | ".join(h["table"]))
        out += ["    " + " | ".join(r) for r in rows]
    out.append(f"  ({h['checks']}: {', '.join(audit_word(CHECKS, c, lang, (c, c)) for c in f.get('checks', []))})")
    out.append("")
    return out


def held_rows(report: dict, lang: str) -> list[list[str]]:
    h = HEAD[lang]
    return [[r["jurisdiction"], str(r["year"]), audit_word(PROPERTIES, r["property"], lang, (r["property"],) * 2), str(r["cases"]),
             h["holds"] if r["holds"] else f"{h['fails']} ({r['violations']})"] for r in report.get("checked_and_held", [])]


def render_text(report: dict, lang: str = "zh", full: bool = False) -> str:
    h = HEAD[lang]
    s = report["summary"]
    out = [f"{h['title']} — {', '.join(report['audit']['jurisdictions'])}",
           f"{h['findings']}: {s['findings']}  " + "  ".join(f"{h['severity'][k]} {v}" for k, v in s["by_severity"].items())]
    cov = coverage_rows(report, lang)
    if cov:
        out.append(f"{h['coverage']}: " + "; ".join(f"{r[0]} " + "/".join(r[1:]) for r in cov)
                   + f"  ({'/'.join(report['audit']['jurisdictions'])})")
    out.append("")
    if not report["findings"]:
        out.append(h["none"])
    for f in report["findings"]:
        out += _finding_lines(f, lang, full)
    rows = held_rows(report, lang)
    if rows:
        out.append(h["held"])
        out += ["  " + " | ".join(r) for r in rows]
    return "\n".join(out)


def coverage_rows(report: dict, lang: str) -> list[list[str]]:
    """Status × jurisdiction counts of the coverage slots ('+' marks time-limited ones)."""
    h = HEAD[lang]
    js = report["audit"]["jurisdictions"]
    rows = []
    for st in h["statuses"]:
        counts = [sum(1 for r in report.get("coverage", []) if r["jurisdiction"] == j and r["status"] == st) for j in js]
        limited = [sum(1 for r in report.get("coverage", []) if r["jurisdiction"] == j and r["status"] == st and r["time_limited"]) for j in js]
        if any(counts):
            rows.append([h["statuses"][st]] + [f"{c}" + (f" (+{l})" if l else "") for c, l in zip(counts, limited)])
    return rows


def render_md(report: dict, lang: str = "zh") -> str:
    h = HEAD[lang]
    s = report["summary"]
    out = [f"# {h['title']}", "", f"{h['jurisdictions']}: {', '.join(report['audit']['jurisdictions'])}; "
           f"{h['cases']}: {report['audit']['cases_searched']}", "",
           f"| {h['kind']} | " + " | ".join(report["summary"]["by_jurisdiction"]) + " |",
           "|---|" + "---|" * len(s["by_jurisdiction"])]
    kinds = sorted(s["by_kind"])
    for k in kinds:
        out.append(f"| {kind_name(k, lang)} | " + " | ".join(str(s["by_jurisdiction"][j].get(k, 0)) for j in s["by_jurisdiction"]) + " |")
    out.append("")
    cov = coverage_rows(report, lang)
    if cov:
        out += [f"{h['coverage']}:", "", f"| {h['status']} | " + " | ".join(report["audit"]["jurisdictions"]) + " |",
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
        out.append(f"### `{f['id']}` — {kind_name(f['kind'], lang)}, {h['severity'][f['severity']]}")
        out.append("")
        out.append(f["statement"][lang])
        out.append("")
        if f.get("why"):
            out += [f"**{h['why']}**: {f['why'][lang]}", ""]
        if f.get("todo"):
            out += [f"**{h['todo']}**: {f['todo'][lang]}", ""]
        for i in f.get("interpretations") or []:
            out += [f"*{h['rests_on']}*: {i['label'][lang]}", ""]
        for c in f["clauses"]:
            out.append(f"> **{c['ref'][lang]}** {(c.get('sentence') or c.get('text') or '').replace(chr(10), ' ')}")
            out.append("")
            out += ["<details><summary>" + word("audit.whole_article", lang) + "</summary>", "",
                    (c.get("text") or "").replace(chr(10), " "), "", "</details>", ""]
        rows = _table_rows(f, lang)
        if rows:
            out += ["| " + " | ".join(h["table"]) + " |", "|---|---|---|---|---|"] + ["| " + " | ".join(r) + " |" for r in rows] + [""]
        out.append(f"*{h['checks']}: {', '.join(audit_word(CHECKS, c, lang, (c, c)) for c in f.get('checks', []))}*")
        out.append("")
    rows = held_rows(report, lang)
    if rows:
        out += [f"## {h['held']}", "", "| " + " | ".join(h["held_cols"]) + " |", "|---|---|---|---|---|"] + ["| " + " | ".join(r) + " |" for r in rows] + [""]
    return "\n".join(out)
