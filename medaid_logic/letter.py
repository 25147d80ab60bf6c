"""`medaid letter CASE`: the decision letter a caseworker hands over — the applicant, each amount
granted or refused, the clauses relied on with the sentence that decides, the readings the engine
took. Built from the result and the KB only (clause texts, document titles and 文号); the words
come from the one catalogue (medaid_logic/words.py); each clause is cited, and its deciding sentence
picked, by legal/cite.py as every other answer does. Registered by cli.py."""
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


def _kb_inputs(x: dict) -> list[str]:
    """The KB parameters a step or an amount read (its inputs `kb:ID`)."""
    return [i[3:] for i in x.get("inputs", []) if i.startswith("kb:")]


def letter_data(s, lang: str, justifications: list[str] | None = None) -> dict:
    """The letter's content: each amount with its clause, each clause cited (legal/cite.py: title,
    文号, locator) with the sentence that decides (cite.py's one sentence picker, per parameter)."""
    from .legal.cite import citation, deciding_sentence
    from .legal.justify import decisions, rule_of
    from .web.messages import Words
    result, kb = s.result, s.kb
    w = Words(kb, lang)
    doc = kb.policy_document(result["jurisdiction"])
    used: dict[str, dict] = {}

    def cite(rule, said=()):
        """Note the clause of `rule` with the (parameter, decision) pairs that state what it decides."""
        if not rule:
            return None
        cid = rule.split("#")[0]
        cl = kb.clauses.get(cid)
        if cid not in used:
            used[cid] = {"citation": citation(kb, rule, lang), "order": (cl.document, cl.order) if cl else ("", 0),
                         "said": {}, "text": kb.clause_source(rule)["text"]}
        for pid, decision in said:
            if pid:
                used[cid]["said"].setdefault((pid, decision), None)
        return kb.locator(rule)
    items = []
    for k, c in enumerate(result["claims"]):
        granted = c["aid"] != "0.00"
        pays = [(r.parameter, None) for r in s.atoms["pays_rule"] if r.item == k]
        items.append({"what": f"{w.t('bill')} {c['claim_id']} · {w.claim_kind(c['kind'])}", "amount": c["aid"],
                      "granted": granted, "category": w.cat(c["category"]) if c.get("category") else None,
                      "clause": cite(c.get("rule"), pays), "reason": None if granted else w.reason(c),
                      "why": justifications[k] if justifications else None})
        for d in decisions(s, k):   # the clause of each step that decided it (第十五条, 第二十条 …)
            cite(rule_of(s, d), [(d.pid, d.kind)])
        for st in c["steps"]:
            if st.get("rule") and st["rule"] != c.get("rule") and st["amount"] != "0.00":
                cite(st["rule"], [(pid, None) for pid in _kb_inputs(st)])
    for a in result["annual"]:
        items.append({"what": w.step(a["kind"]), "amount": a["aid"], "granted": a["aid"] != "0.00", "category": None,
                      "clause": cite(a.get("rule"), [(pid, None) for st in a.get("steps", []) for pid in _kb_inputs(st)]),
                      "reason": None})
    p = result["premium_subsidy"]
    premium = {"amount": p.get("amount"), "status": w.status(p.get("status")),
               "category": w.cat(p["category"]) if p.get("category") else None,
               "clause": cite(p.get("rule"), [(pid, None) for pid in _kb_inputs(p)]), "delegated_to": p.get("delegated_to")}
    prec = (result.get("precedence") or {}).get("aid")
    if prec and prec.get("rule"):
        cite(prec["rule"], [(q.id, None) for q in kb.parameters.values() if q.rule == prec["rule"]])
    clauses = [{"citation": u["citation"], "decides": _decides(kb, u, w, deciding_sentence)}
               for u in sorted(used.values(), key=lambda u: u["order"])]
    return {"w": w, "result": result, "document": doc.title_zh, "number": doc.number, "issuer": doc.issuer,
            "jurisdiction": w.jur(result["jurisdiction"]),
            "categories": [{"label": w.cat(c["category"]), "since": c["since"], "until": c.get("until"),
                            "source": w.source(c["source"])} for c in result["categories"]],
            "applied": w.cat(result["applied_category"]), "items": items, "premium": premium,
            "total": result["total_aid"], "clauses": clauses,
            "readings": [w.note(n) for n in (result["notes_zh"] if lang == "zh" else result["notes"])]}


def _decides(kb, used: dict, w, deciding_sentence) -> str:
    """The sentences of one clause that decide, each once: a quote, or the engine's reading where
    the text is silent; the clause's text where no parameter of it was read."""
    out = []
    for pid, decision in used["said"]:
        said = deciding_sentence(kb, pid, decision)
        if not said:
            continue
        if said[0] == "reading":
            i = kb.interpretations.get(said[1])
            text = w.t("reading") + ((i.label_zh if w.zh else i.comment) if i else said[1])
        elif said[0] == "silent":
            text = w.t("silent")
        else:
            text = said[1]
        if text and text not in out:
            out.append(text)
    if not out:
        return used["text"] or ""
    ended = [x if x.endswith(("。", ".", "；", "！", "？")) else
             x.rstrip("；;，,") + ("。" if re.search(r"[\u4e00-\u9fff]", x) else ".")   # a quote closes as its text does
             for x in out]
    return ("" if w.zh else " ").join(ended)


def _evaluate(data, lang: str):
    """The session and, for each claim, the sentence that decides it (legal/justify.py)."""
    from .legal.justify import claim_headline
    from .legal.session import Session
    s = Session(data)
    return s, [claim_headline(s, k, lang)["sentence"] for k in range(len(s.claim_ids))]


def letter_text(data, lang: str = "zh") -> str:
    s, why = _evaluate(data, lang)
    d = letter_data(s, lang, why)
    result = s.result
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
        out.append(f"  {c['citation']}")
        out.append(f"    {w.t('decides')}: {c['decides']}")
    if d["readings"]:
        out += ["", f"{w.t('readings')}:"] + [f"  - {r}" for r in d["readings"]]
    return "\n".join(out) + "\n"


def letter_html(data, lang: str = "zh", standalone: bool = False) -> str:
    from .web.jinja import env
    s, why = _evaluate(data, lang)
    d = letter_data(s, lang, why)
    body = env.get_template("letter_body.html").render(**d, lang=lang)
    if not standalone:
        return body
    from pathlib import Path
    css = (Path(__file__).resolve().parent / "web" / "static" / "style.css").read_text(encoding="utf-8")
    return (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<title>{d["w"].t("letter_title")}</title><style>{css}</style></head>'
            f'<body><main><article class="letter">{body}</article></main></body></html>\n')
