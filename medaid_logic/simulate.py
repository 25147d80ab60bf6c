"""`medaid simulate POPULATION --reform REFORM.json`: what a reform changes over a population.

The population (the inputs of `medaid batch`: JSON Lines or Parquet, a file, directory or glob)
is evaluated twice on the same partitioned path — under today's KB and with the reform laid over
each case's parameters (reform.py) — and the two results of each applicant compared. Written to
-o DIR: impact.json (every figure), impact.zh.md / impact.en.md (the tables), impact.zh.png/.svg
and impact.en.png/.svg (the chart). Amounts are summed in fen and shown as yuan.

Definitions (also in impact.json):
- an applicant's amount = total_aid + the premium subsidy when computed (status `computed`);
- totals by jurisdiction, category and benefit: a claim's aid under the claim's category and its
  kind; an annual entry under the applied category and its kind; the premium subsidy under its
  category and the benefit `premium_subsidy`;
- change = reform amount − baseline amount, per applicant evaluated in both; gainers > 0, losers
  < 0; deciles of the change over the applicants whose amount changed: the k-th (k = 1…10) is
  the value of rank ceil(k·n/10) in ascending order (nearest rank; the 10th is the largest).
"""
from __future__ import annotations

import json
import math
import sys
import time
from functools import partial
from pathlib import Path

from . import limits
from .records import Usage
from .errors import CaseError
from .money import yuan_to_fen
from .words import listed, word, word_of

def register(sub) -> None:
    from .cli import _limit_flags
    s = sub.add_parser("simulate", help="a reform's impact over a population: baseline vs reform")
    s.add_argument("population", help="JSONL or Parquet file, or a directory or glob of them")
    s.add_argument("--reform", required=True, help="JSON: {jurisdiction: {parameter or interpretation id: value}}")
    s.add_argument("-o", "--output", default="simulation", help="directory for impact.json, tables and charts")
    s.add_argument("--cluster", help="local[:N] or tcp://host:8786 (default: in this process)")
    s.add_argument("--partition", type=int, default=limits.CHUNK, help="JSON Lines per partition (default: one solver chunk)")
    _limit_flags(s)
    s.set_defaults(func=run_simulate)


# ---- one partition, on a worker ------------------------------------------------------------

def _amount(res: dict) -> int:
    from .partition import premium_fen
    return yuan_to_fen(res["total_aid"]) + premium_fen(res)


def _add(totals: dict, key: tuple, fen: int) -> None:
    k = "|".join(key)
    totals[k] = totals.get(k, 0) + fen


def _breakdown(res: dict, totals: dict, scenario: str) -> None:
    j, applied = res["jurisdiction"], res.get("applied_category") or "none"
    for c in res.get("claims") or []:
        _add(totals, (scenario, j, c.get("category") or applied, c["kind"]), yuan_to_fen(c["aid"]))
    for a in res.get("annual") or []:
        _add(totals, (scenario, j, applied, a["kind"]), yuan_to_fen(a["aid"]))
    p = res.get("premium_subsidy") or {}
    if p.get("status") == "computed":
        _add(totals, (scenario, j, p.get("category") or applied, "premium_subsidy"), yuan_to_fen(p["amount"]))


def simulate_partition(part, reform: dict, lim) -> dict:
    """Both evaluations of one partition, reduced: totals (fen) by scenario, jurisdiction,
    category and benefit, each applicant's change, and the error counts. Evaluated as
    `medaid batch` evaluates a partition: each slice in a child forked from the worker."""
    from .cluster import forked_lines, read_partition
    from .engine import default_engine
    limits._current = lim
    records = read_partition(part)
    out = {"totals": {}, "changes": [], "applicants": 0, "errors": {"baseline": 0, "reform": 0}}
    engine = default_engine()
    base, _ = forked_lines(records, part.first_line, engine)
    new, _ = forked_lines(records, part.first_line, engine, reform=reform)
    for b, r in zip(base, new):
        b, r = json.loads(b), json.loads(r)
        if "skipped" in b:
            continue
        out["applicants"] += 1
        for scenario, res in (("baseline", b), ("reform", r)):
            if "error" in res:
                out["errors"][scenario] += 1
            else:
                _breakdown(res, out["totals"], scenario)
        if "error" not in b and "error" not in r:
            out["changes"].append(_amount(r) - _amount(b))
    return out


# ---- the report ----------------------------------------------------------------------------

def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def deciles(changes: list[int]) -> list[int]:
    """Nearest-rank deciles: the k-th is the value of rank ceil(k·n/10), k = 1…10."""
    s = sorted(changes)
    return [s[math.ceil(k * len(s) / 10) - 1] for k in range(1, 11)] if s else []


def impact(parts_out: list[dict], reform: dict, kb) -> dict:
    from .reform import changed_clauses
    totals: dict = {}
    changes: list[int] = []
    applicants, errors = 0, {"baseline": 0, "reform": 0}
    for p in parts_out:
        for k, v in p["totals"].items():
            totals[k] = totals.get(k, 0) + v
        changes += p["changes"]
        applicants += p["applicants"]
        for s in errors:
            errors[s] += p["errors"][s]
    rows: dict = {}
    for k, v in totals.items():
        scenario, j, cat, benefit = k.split("|")
        rows.setdefault((j, cat, benefit), {"baseline": 0, "reform": 0})[scenario] += v
    detail = [{"jurisdiction": j, "category": c, "benefit": b, "baseline": yuan(v["baseline"]), "reform": yuan(v["reform"]),
               "change": yuan(v["reform"] - v["baseline"])} for (j, c, b), v in sorted(rows.items())]
    by_j: dict = {}
    for (j, _, _), v in rows.items():
        t = by_j.setdefault(j, {"baseline": 0, "reform": 0})
        t["baseline"] += v["baseline"]
        t["reform"] += v["reform"]
    changed = [c for c in changes if c]
    return {
        "population": applicants, "errors": errors,
        "reform": {j: {k: (str(v) if not isinstance(v, list) else [str(x) for x in v]) for k, v in ps.items()}
                   for j, ps in reform.items()},
        "changed_clauses": changed_clauses(reform, kb),
        "by_jurisdiction": [{"jurisdiction": j, "baseline": yuan(v["baseline"]), "reform": yuan(v["reform"]),
                             "change": yuan(v["reform"] - v["baseline"])} for j, v in sorted(by_j.items())],
        "total": {s: yuan(sum(v[s] for v in by_j.values())) for s in ("baseline", "reform")},
        "detail": detail,
        "people": {"gainers": sum(c > 0 for c in changes), "losers": sum(c < 0 for c in changes),
                   "unchanged": sum(c == 0 for c in changes), "deciles_of_change": [yuan(d) for d in deciles(changed)],
                   "gain_total": yuan(sum(c for c in changes if c > 0)), "loss_total": yuan(sum(c for c in changes if c < 0))},
        "definitions": __doc__.split("Definitions (also in impact.json):\n", 1)[1].strip(),
    }


def _name(kb, kind: str, value: str, lang: str) -> str:
    if value == "none":
        return word("simulate.none", lang)
    if kind == "category" and value in kb.categories:
        c = kb.categories[value]
        return c.label_zh if lang == "zh" else c.label_en
    if value == "premium_subsidy":
        return word("simulate.premium_subsidy", lang)
    label = kb.label(value, lang)
    if label == value:
        label = word_of("text_step", value, lang)
    return label


def _what(kb, change: dict, lang: str) -> str:
    """What a change is about, in the reader's words: the categories and benefits of the
    parameter, or the interpretation's label (its id only where the KB has no label)."""
    if "interpretation" in change:
        i = kb.interpretations[change["interpretation"]]
        return f"{word('simulate.interpretation', lang)} {i.label_zh if lang == 'zh' and i.label_zh else i.id}"
    names = [_name(kb, "category", c, lang) for c in change["categories"]]
    names += [_name(kb, "benefit", b, lang) for b in change["benefits"]]
    return listed(names, lang)


def table(report: dict, kb, lang: str) -> str:
    p = report["people"]
    out = [f"# {word('simulate.title', lang)}", "", f"{word('simulate.population', lang)}: {report['population']}; {word('simulate.errors', lang)}: "
           f"{report['errors']['baseline']} / {report['errors']['reform']}", "", f"## {word('simulate.changed', lang)}", ""]
    for c in report["changed_clauses"]:
        what = _what(kb, c, lang)
        base = ", ".join(c["baseline"]) if isinstance(c["baseline"], list) else (c["baseline"] or "—")
        for cl in c["clauses"]:
            about = f"（{what}）" if lang == "zh" else f" ({what})"
            out.append(f"- {_name(kb, 'j', c['jurisdiction'], lang)} {cl['clause']}{about}: {base} → {c['reform']}")
            if cl.get("text"):
                out.append(f"  > {cl['text']}")
    out += ["", f"## {word('simulate.by_jurisdiction', lang)}", "", f"| {word('simulate.jurisdiction', lang)} | {word('simulate.baseline', lang)} | {word('simulate.reform', lang)} | {word('simulate.change', lang)} |",
            "|---|---:|---:|---:|"]
    for r in report["by_jurisdiction"]:
        out.append(f"| {_name(kb, 'j', r['jurisdiction'], lang)} | {r['baseline']} | {r['reform']} | {r['change']} |")
    out.append(f"| {word('simulate.total', lang)} | {report['total']['baseline']} | {report['total']['reform']} | "
               f"{yuan(yuan_to_fen(report['total']['reform']) - yuan_to_fen(report['total']['baseline']))} |")
    out += ["", f"## {word('simulate.detail', lang)}", "",
            f"| {word('simulate.jurisdiction', lang)} | {word('simulate.category', lang)} | {word('simulate.benefit', lang)} | {word('simulate.baseline', lang)} | {word('simulate.reform', lang)} | {word('simulate.change', lang)} |",
            "|---|---|---|---:|---:|---:|"]
    for r in report["detail"]:
        out.append(f"| {_name(kb, 'j', r['jurisdiction'], lang)} | {_name(kb, 'category', r['category'], lang)} | "
                   f"{_name(kb, 'benefit', r['benefit'], lang)} | {r['baseline']} | {r['reform']} | {r['change']} |")
    out += ["", f"## {word('simulate.people', lang)}", "", f"{word('simulate.gainers', lang)}: {p['gainers']} (+{p['gain_total']}); {word('simulate.losers', lang)}: "
            f"{p['losers']} ({p['loss_total']}); {word('simulate.same', lang)}: {p['unchanged']}", "",
            f"{word('simulate.deciles', lang)}: {', '.join(p['deciles_of_change']) or '—'}", ""]
    return "\n".join(out)


def cjk_font() -> str | None:
    """A font with Chinese glyphs for matplotlib (WenQuanYi Micro Hei, Noto CJK …), or None."""
    from matplotlib import font_manager
    wanted = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
              "SimHei", "Microsoft YaHei", "PingFang SC")
    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in wanted:
        if name in known:
            return name
    for path in ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"):
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


def chart(report: dict, kb, lang: str, out: Path) -> list[Path]:
    """Baseline vs reform by jurisdiction, as PNG and SVG. Without a CJK font the Chinese chart
    is drawn with the English labels (and says so on stderr) rather than with empty boxes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    font = cjk_font()
    if lang == "zh" and font is None:
        print("medaid simulate: no CJK font found (install fonts-wqy-microhei); the zh chart uses English labels",
              file=sys.stderr)
        lang_drawn = "en"
    else:
        lang_drawn = lang
    rows = report["by_jurisdiction"]
    names = [_name(kb, "j", r["jurisdiction"], lang_drawn) for r in rows]
    base = [yuan_to_fen(r["baseline"]) / 1e6 for r in rows]
    new = [yuan_to_fen(r["reform"]) / 1e6 for r in rows]
    with plt.rc_context({"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "svg.fonttype": "none",
                         "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(7, 4))
        xs = range(len(rows))
        ax.bar([x - 0.2 for x in xs], base, 0.4, label=word('simulate.baseline', lang_drawn).split("（")[0].split(" (")[0])
        ax.bar([x + 0.2 for x in xs], new, 0.4, label=word('simulate.reform', lang_drawn).split("（")[0].split(" (")[0])
        ax.set_xticks(list(xs), names)
        ax.set_ylabel(word('simulate.chart_y', lang_drawn))
        ax.set_title(word('simulate.title', lang_drawn))
        ax.legend()
        fig.tight_layout()
        paths = [out / f"impact.{lang}.png", out / f"impact.{lang}.svg"]
        for p in paths:
            fig.savefig(p)
        plt.close(fig)
    return paths


def run_simulate(args) -> int:
    from .cluster import evaluate_parts, plan
    from .kb import load_kb
    kb = load_kb()
    try:
        try:
            raw = Path(args.reform).read_bytes()
        except OSError as exc:
            raise Usage(f"--reform: cannot read {args.reform}: {exc.strerror}") from None
        try:
            reform = _load(raw, kb)
        except CaseError as exc:
            print(f"medaid simulate: {args.reform}: {exc.field}: {exc.message}", file=sys.stderr)
            return 2
        if args.partition < 1:
            raise Usage("--partition is at least 1")
        parts = plan(args.population, args.partition)
    except Usage as exc:
        print(f"medaid simulate: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    results: dict = {}
    task = partial(simulate_partition, reform=reform, lim=limits.current())
    try:
        evaluate_parts(parts, task, args.cluster, sum(p.count for p in parts), 0,
                       lambda part, value: results.__setitem__(part.index, value))
    except KeyboardInterrupt:
        print("\nmedaid simulate: stopped; nothing written", file=sys.stderr)
        return 130
    report = impact([results[i] for i in sorted(results)], reform, kb)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    (out / "impact.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for lang in ("zh", "en"):
        (out / f"impact.{lang}.md").write_text(table(report, kb, lang), encoding="utf-8")
        chart(report, kb, lang, out)
    p = report["people"]
    print(f"medaid simulate: {report['population']} applicants in {time.perf_counter() - t0:.1f} s; total "
          f"{report['total']['baseline']} → {report['total']['reform']} yuan; {p['gainers']} gain, {p['losers']} lose; "
          f"written to {out}/ (impact.json, impact.zh.md, impact.en.md, impact.*.png, impact.*.svg)", file=sys.stderr)
    return 0


def _load(raw: bytes, kb) -> dict:
    from .reform import load_reform
    return load_reform(raw, kb)
