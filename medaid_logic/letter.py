"""`medaid letter CASE`: the decision letter a caseworker hands over — the applicant, each amount
granted or refused, the clauses relied on with the sentence that decides, the readings the engine
took. Built from the result and the KB only (clause texts, document titles and 文号); the words
come from the workbench's catalogue (medaid_logic/web/messages.py). Registered by cli.py."""
from __future__ import annotations

import re
import sys


def register(sub) -> None:
    p = sub.add_parser("letter", help="the decision letter of one case (text or printable HTML)")
    p.add_argument("case", help="case JSON file, or - for stdin")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--format", choices=("text", "html"), default="text")
    p.set_defaults(func=cmd_letter)


def cmd_letter(args) -> int:
    from .cli import _fail, _read_case
    from .errors import CaseError
    try:
        data = _read_case(args.case)
        out = letter_html(data, args.lang, standalone=True) if args.format == "html" else letter_text(data, args.lang)
    except CaseError as exc:
        return _fail(exc, "text")
    sys.stdout.write(out)
    return 0


def deciding_sentences(text: str | None, labels: list[str]) -> str | None:
    """The sentences of a clause that name the category it was applied for (else the whole text)."""
    if not text:
        return None
    sentences = [s for s in re.split(r"(?<=[。；;])", text) if s.strip()]
    hits = [s for s in sentences if any(lb and lb in s for lb in labels)]
    # a clause headed by the category ("(五)返贫致贫人口。...") decides as a whole
    if not hits or any(len(s) <= len(lb) + 6 for s in hits for lb in labels if lb in s):
        return text
    return "".join(hits)


def letter_data(result: dict, kb, lang: str, justifications: list[str] | None = None) -> dict:
    from .web.messages import Words
    w = Words(kb, lang)
    doc = kb.policy_document(result["jurisdiction"])
    cats = lambda *cs: [kb.categories[c].label_zh for c in cs if c in kb.categories]
    used: dict[str, dict] = {}

    def cite(rule, *categories):
        if not rule:
            return None
        cid = rule.split("#")[0]
        cl = kb.clauses.get(cid)
        src = kb.clause_source(rule)
        d = kb.documents.get(cl.document) if cl else None
        if cid not in used:
            used[cid] = {"locator": src["clause"], "document": src["document"], "number": d.number if d else None,
                         "order": (cl.document, cl.order) if cl else ("", 0), "text": src["text"], "labels": set()}
        used[cid]["labels"].update(cats(*categories))
        return src["clause"]
    items = []
    for i, c in enumerate(result["claims"]):
        granted = c["aid"] != "0.00"
        items.append({"what": f"{w.t('bill')} {c['claim_id']} · {w.claim_kind(c['kind'])}", "amount": c["aid"],
                      "granted": granted, "category": w.cat(c["category"]) if c.get("category") else None,
                      "clause": cite(c.get("rule"), c.get("category")), "reason": None if granted else w.reason(c),
                      "why": justifications[i] if justifications else None})
        for d in c.get("decided_by", []):   # the clause of the step that decided it (第十五条, 第二十条 …)
            cite(d.get("rule"), d.get("category"))
        for st in c["steps"]:
            if st.get("rule") and st["rule"] != c.get("rule") and st["amount"] != "0.00":
                cite(st["rule"], c.get("category"))
    for a in result["annual"]:
        items.append({"what": w.step(a["kind"]), "amount": a["aid"], "granted": a["aid"] != "0.00",
                      "category": None, "clause": cite(a.get("rule"), result.get("applied_category")), "reason": None})
    p = result["premium_subsidy"]
    premium = {"amount": p.get("amount"), "status": w.status(p.get("status")),
               "category": w.cat(p["category"]) if p.get("category") else None,
               "clause": cite(p.get("rule"), p.get("category")), "delegated_to": p.get("delegated_to")}
    prec = (result.get("precedence") or {}).get("aid")
    if prec:
        cite(prec.get("rule"))
    clauses = [{**u, "decides": deciding_sentences(u["text"], sorted(u["labels"]))}
               for u in sorted(used.values(), key=lambda u: u["order"])]
    return {"w": w, "result": result, "document": doc.title_zh, "number": doc.number, "issuer": doc.issuer,
            "jurisdiction": w.jur(result["jurisdiction"]),
            "categories": [{"label": w.cat(c["category"]), "since": c["since"], "until": c.get("until"),
                            "source": w.source(c["source"])} for c in result["categories"]],
            "applied": w.cat(result["applied_category"]), "items": items, "premium": premium,
            "total": result["total_aid"], "clauses": clauses,
            "readings": [w.note(n) for n in (result["notes_zh"] if lang == "zh" else result["notes"])]}


def _evaluate(data, lang: str):
    """The result and, for each claim, the sentence that decides it (legal/justify.py)."""
    from .legal.justify import claim_headline
    from .legal.session import Session
    s = Session(data)
    return s.result, s.kb, [claim_headline(s, k, lang)["sentence"] for k in range(len(s.claim_ids))]


def letter_text(data, lang: str = "zh") -> str:
    result, kb, why = _evaluate(data, lang)
    d = letter_data(result, kb, lang, why)
    w = d["w"]
    y = w.t("yuan")
    out = [w.t("letter_title"), "",
           f"{w.t('case_id')}: {result['case_id']}    {w.t('jurisdiction')}: {d['jurisdiction']}    {w.t('year')}: {result['year']}",
           f"{w.t('categories_held')}: " + ("; ".join(f"{c['label']} ({c['source']}, {c['since']} – {c['until'] or ''})"
                                                    for c in d["categories"]) or w.t("none")),
           f"{w.t('applied')}: {d['applied']}", ""]
    for it in d["items"]:
        mark = w.t("granted") if it["granted"] else w.t("refused")
        line = f"  {it['what']}: {mark} {it['amount']} {y}"
        if it["category"]:
            line += f" · {it['category']}"
        if it["clause"]:
            line += f" · {it['clause']}"
        out.append(line)
        if it.get("why"):
            out.append(f"      {it['why']}")
        elif it["reason"]:
            out.append(f"      {w.t('reason')}: {it['reason']}")
    pr = d["premium"]
    out.append(f"  {w.t('premium')}: {pr['amount'] + ' ' + y if pr['amount'] else pr['status']}"
               + (f" · {pr['category']}" if pr["category"] else "") + (f" · {pr['clause']}" if pr["clause"] else "")
               + (f" → {pr['delegated_to']}" if pr["delegated_to"] else ""))
    out += ["", f"{w.t('total')}: {d['total']} {y}", "", f"{w.t('clauses_used')}:"]
    for c in d["clauses"]:
        out.append(f"  {c['document']}" + (f"（{c['number']}）" if c["number"] else "") + f" {c['locator']}")
        out.append(f"    {w.t('decides')}: {c['decides']}")
    if d["readings"]:
        out += ["", f"{w.t('readings')}:"] + [f"  - {r}" for r in d["readings"]]
    return "\n".join(out) + "\n"


def letter_html(data, lang: str = "zh", standalone: bool = False) -> str:
    from .web.jinja import env
    result, kb, why = _evaluate(data, lang)
    d = letter_data(result, kb, lang, why)
    body = env.get_template("letter_body.html").render(**d, lang=lang)
    if not standalone:
        return body
    from pathlib import Path
    css = (Path(__file__).resolve().parent / "web" / "static" / "style.css").read_text(encoding="utf-8")
    return (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<title>{d["w"].t("letter_title")}</title><style>{css}</style></head>'
            f'<body><main><article class="letter">{body}</article></main></body></html>\n')
