"""why-not for an amount — one step of a claim, an annual entry or one of its steps, a flag, the
year's total — as a justification: the deciding step first, in one sentence naming the clause, the
fact and the date (justify.py's sentences, kb/phrases.ttl's words, cite.py's citations), then each
other deciding step once. No atom, predicate name or internal id reaches the reader."""
from __future__ import annotations

from ..render import flag_detail
from ..words import phrase, word
from .cite import basis, citation, deciding_sentence
from .i18n import flag_word, w
from .justify import category_findings, claim_headline, decisions, sentence, year_headline
from .session import Session

# the deciding step that explains a step's amount, where the solver derives one
STEP_DECISION = {"deductible": "deductible_not_met", "annual_cap": "cap_reached", "top_up": "top_up_not_needed"}
MAX_LINES = 40


def _said(head: str, cite: str, lang: str) -> str:
    """One sentence: what happened, then the clause it rests on."""
    if not cite:
        return head + ("。" if lang == "zh" else ".")
    return f"{head}；{cite}。" if lang == "zh" else f"{head}; {cite}."


def _formula(x: dict, lang: str) -> str:
    return (x.get("formula_zh") or x.get("formula", "")) if lang == "zh" else x.get("formula", "")


def _step_basis(s: Session, st: dict, lang: str) -> str:
    """The clause of a step: the sentence of a parameter it read — one the text states before one
    only the engine's reading supplies (a threshold before the cap rule) — else its clause cited."""
    pids = [i[3:] for i in st.get("inputs", []) if i.startswith("kb:")]
    stated = [q for q in pids if (deciding_sentence(s.kb, q) or ("",))[0] == "quote"]
    pid = (stated or pids or [None])[0]
    if pid:
        return basis(s.kb, pid, None, lang)
    return word("legal.under", lang, citation(s.kb, st["rule"], lang)) if st.get("rule") else ""


def _answer(target: str, head: str, lines: list[str]) -> dict:
    seen, out = {head}, []
    for line in lines:
        if line and line not in seen:
            seen.add(line)
            out.append(line)
    return {"target": target, "headline": head, "lines": out[:MAX_LINES - 1]}


def why_not_step(s: Session, k: int, what: str, lang: str) -> dict:
    """claim:ID.step:S — the step's amount and the clause that sets it, or the deciding step that
    made it what it is (deductible not met, cap used, no top-up needed), then the claim's own."""
    c = s.result["claims"][k]
    claim = s.data["claims"][k]
    step = next((st for st in c["steps"] if st["what"] == what), None)
    facts = {"claim": c["claim_id"], "step": w(what, lang), "date": claim.get("admitted") or claim.get("date") or "",
             "event": phrase(s.kb, "event:stay" if claim.get("admitted") else "event:visit", lang)}
    kind = STEP_DECISION.get(what)
    hit = [d for d in decisions(s, k) if kind and d.kind == kind and d.category in (None, c.get("category"))]
    if hit:
        head = sentence(s, hit[0], lang)
    elif step:
        head = _said(phrase(s.kb, "step_amount", lang, amount=step["amount"], formula=_formula(step, lang), **facts),
                     _step_basis(s, step, lang), lang)
    else:
        head = _said(phrase(s.kb, "step_absent", lang, **facts), "", lang)
    lines = [claim_headline(s, k, lang)["sentence"]]
    if c.get("category"):
        lines += [f["sentence"] for f in category_findings(s, k, c["category"], lang)]
    return {**_answer(f"claim:{c['claim_id']}.step:{what}", head, lines), "amount": step["amount"] if step else None}


def why_not_annual(s: Session, kind: str, what: str | None, lang: str) -> dict:
    """annual:K[.step:S] — the entry (or its step) with its formula and clause; where it is not
    computed, why: its standard delegated and not set, or no claim it settles."""
    target = f"annual:{kind}" + (f".step:{what}" if what else "")
    name = w(kind, lang)
    a = next((x for x in s.result["annual"] if x["kind"] == kind), None)
    if a is not None:
        steps = a.get("steps", [])
        st = next((x for x in steps if x["what"] == what), None) if what else (steps[-1] if steps else None)
        if what and st is None:
            head = _said(phrase(s.kb, "annual_absent", lang, annual=f"{name} · {w(what, lang)}", year=s.data["year"]), "", lang)
        else:
            shown = f"{name} · {w(what, lang)}" if what else name
            amount = st["amount"] if what else a["aid"]
            cite = _step_basis(s, {**(st or {}), "rule": (st or {}).get("rule") or a.get("rule")}, lang)
            head = _said(phrase(s.kb, "annual_amount", lang, annual=shown, amount=amount,
                                formula=_formula(st, lang) if st else ""), cite, lang)
        lines = [f"{w(x['what'], lang)}: {_formula(x, lang)} = {x['amount']}" for x in steps]
        return {**_answer(target, head, lines), "amount": a["aid"]}
    delegated = [f for f in s.result["flags"] if f.get("kind") == "delegated" and f.get("about") == kind]
    if delegated:
        f = delegated[0]
        head = _said(phrase(s.kb, "annual_delegated", lang, annual=name, who=f.get("delegated_to") or ""),
                     word("legal.under", lang, citation(s.kb, f["rule"], lang)) if f.get("rule") else "", lang)
    elif kind == "chronic_quota_settlement":
        head = _said(phrase(s.kb, "quota_none", lang), "", lang)
    else:
        head = _said(phrase(s.kb, "annual_absent", lang, annual=name, year=s.data["year"]), "", lang)
    return {**_answer(target, head, []), "amount": None}


def why_not_flag(s: Session, kind: str, lang: str) -> dict:
    """flag:K — each time the flag is raised, with its details and clause; else that it is not."""
    name = flag_word(kind, lang)
    raised = [f for f in s.result["flags"] if f["kind"] == kind]
    said = [_said(phrase(s.kb, "flag_raised", lang, flag=name, detail=flag_detail(f, s.kb, lang)),
                  word("legal.under", lang, citation(s.kb, f["rule"], lang)) if f.get("rule") else "", lang) for f in raised]
    if not said:
        said = [_said(phrase(s.kb, "flag_absent", lang, flag=name), "", lang)]
    return _answer(f"flag:{kind}", said[0], said[1:])


def why_not_total(s: Session, lang: str) -> dict:
    """total — the year's total as the sum of its parts, then each part's deciding sentence."""
    r = s.result
    parts = [phrase(s.kb, "total_part", lang, item=c["claim_id"], aid=c["aid"]) for c in r["claims"]]
    parts += [phrase(s.kb, "total_part", lang, item=w(a["kind"], lang), aid=a["aid"]) for a in r["annual"]]
    head = _said(phrase(s.kb, "total_sum", lang, year=r["year"], total=r["total_aid"],
                        parts=" + ".join(parts) or word("legal.none", lang)), "", lang)
    lines = [claim_headline(s, k, lang)["sentence"] for k in range(len(s.claim_ids))]
    lines += [why_not_annual(s, a["kind"], None, lang)["headline"] for a in r["annual"]]
    year = year_headline(s, lang)
    if year:
        lines.append(year["sentence"])
    return {**_answer("total", head, lines), "total_aid": r["total_aid"]}


def amount_text(ans: dict, lang: str) -> str:
    return "\n".join([ans["headline"]] + [f"- {x}" for x in ans["lines"]]) + "\n"
