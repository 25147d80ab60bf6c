"""Justifications: the deciding step of each outcome in one sentence a legal officer can sign —
the fact, the date and the clause — read from the solver's decision/6 atoms (asp/decisions.lp),
worded by the KB's phrases (kb/phrases.ttl) and cited by cite.py. No atom, predicate name or
internal id reaches the sentence."""
from __future__ import annotations

from dataclasses import dataclass

from ..money import fen_to_str as y
from ..result import iso
from .cite import basis, phrase
from .session import Session

# the order in which deciding steps explain an outcome: the first that applies is the headline
UNPAID_ORDER = ("precondition", "not_in_force", "no_category", "quota_year_end", "not_referred", "stay_past_limit",
                "identity_lost_from_next_month", "identity_ended", "identity_not_yet_held",
                "category_not_named", "not_regulated", "delegated", "deductible_not_met", "condition_unmet")
PAID_ORDER = ("cap_reached", "covered_after_exit", "covered_gained_during_stay", "condition_unmet")


@dataclass
class Decision:
    item: object          # claim index or "year"
    kind: str             # decision kind (condition_unmet for condition_unmet(Cond))
    category: str | None
    pid: str | None       # the parameter whose clause states the step
    facts: object
    condition: object = None


def decisions(s: Session, item=None) -> list[Decision]:
    out = []
    for k, kind, cat, pid, facts in s.atoms["decision"]:
        if item is not None and k != item:
            continue
        cond = None
        if isinstance(kind, tuple):
            kind, cond = kind[0], kind[1]
        out.append(Decision(k, kind, None if cat == "none" else cat, None if pid == "none" else pid, facts, cond))
    rank = {c: s.kb.categories[c].rank for c in s.kb.categories}
    return sorted(out, key=lambda d: (str(d.item), rank.get(d.category, 99), d.kind, str(d.pid)))


def rule_of(s: Session, d: Decision) -> str | None:
    p = s.kb.parameters.get(d.pid) if d.pid else None
    return p.rule if p else None


def category_name(s: Session, c: str | None, lang: str) -> str:
    cat = s.kb.categories.get(c) if c else None
    if cat is None:
        return ""
    return cat.label_zh if lang == "zh" else cat.label_en


def condition_words(s: Session, cond, lang: str) -> str:
    name, n = (cond[0], cond[1]) if isinstance(cond, tuple) else (cond, None)
    try:
        return phrase(s.kb, f"condition:{name}", lang, n=n)
    except KeyError:
        return str(name)


def benefit_words(s: Session, kind: str, lang: str) -> str:
    from rdflib import RDFS, Literal
    from ..kb import MA
    g = s.kb.graph
    for n in g.subjects(MA.id, Literal(kind)):
        for o in g.objects(n, RDFS.label):
            if isinstance(o, Literal) and o.language == lang:
                return str(o)
    return kind


def sentence(s: Session, d: Decision, lang: str) -> str:
    """One deciding step as a sentence: what happened, then the clause (or reading) it rests on."""
    zh = lang == "zh"
    claim_id = s.claim_ids[d.item] if isinstance(d.item, int) else ""
    claim = s.data["claims"][d.item] if isinstance(d.item, int) else {}
    event = phrase(s.kb, "event:stay" if claim.get("admitted") else "event:visit", lang)
    f = d.facts[1:] if isinstance(d.facts, tuple) else ()
    v: dict = {"claim": claim_id, "category": category_name(s, d.category, lang), "event": event}
    result_claim = next((c for c in s.result["claims"] if c["claim_id"] == claim_id), {})
    v["aid"] = result_claim.get("aid", "")
    if d.kind == "identity_ended":
        v.update(until=iso(f[0]), date=iso(f[1]))
    elif d.kind == "identity_lost_from_next_month":
        v.update(until=iso(f[0]), limit=iso(f[1]), date=iso(f[2]))
    elif d.kind == "stay_past_limit":
        v.update(until=iso(f[0]), limit=iso(f[1]), date=iso(f[2]))
    elif d.kind == "identity_not_yet_held":
        v.update(since=iso(f[0]), date=iso(f[1]))
    elif d.kind == "covered_after_exit":
        v.update(until=iso(f[0]), date=iso(f[1]))
    elif d.kind == "covered_gained_during_stay":
        v.update(since=iso(f[0]), date=iso(f[1]))
    elif d.kind == "deductible_not_met":
        dt, met, sp = f
        v.update(aid=y(sp), limit=y(dt - met))
    elif d.kind == "cap_reached":
        cap, used, _raw, paid = f
        by = []
        for kk, k2, amount in sorted(s.atoms["cap_used_by"], key=lambda t: (str(t[1]) == "ytd", str(t[1]))):
            if kk != d.item:
                continue
            by.append(phrase(s.kb, "cap_used_by_year_to_date", lang, used=y(amount)) if k2 == "ytd" else
                      phrase(s.kb, "cap_used_by_claim", lang, claim=_item_name(s, k2, lang), used=y(amount)))
        v.update(cap=y(cap), used=y(used), aid=y(paid), by=("；" if zh else "; ").join(by))
    elif d.kind == "condition_unmet":
        v["condition"] = condition_words(s, d.condition, lang)
    elif d.kind in ("category_not_named", "not_regulated", "delegated"):
        v["benefit"] = benefit_words(s, claim.get("kind", ""), lang)
        p = s.kb.parameters.get(d.pid) if d.pid else None
        v["who"] = (p.delegated_to if p and p.delegated_to else ("有关部门" if zh else "the government named"))
    elif d.kind == "precondition":
        v["condition"] = condition_words(s, d.condition, lang)
    elif d.kind == "not_in_force":
        v["date"] = iso(d.facts) if isinstance(d.facts, int) else ""
    elif d.kind == "tie":
        v["other"] = category_name(s, d.facts, lang)
    head = phrase(s.kb, d.kind, lang, **v)
    cite = basis(s.kb, d.pid, d.kind, lang)
    if d.kind == "tie":
        cite = phrase(s.kb, "tie_reading", lang)
    if not cite:
        return head + ("。" if zh else ".")
    return f"{head}；{cite}。" if zh else f"{head}; {cite}."


def _item_name(s: Session, k, lang: str) -> str:
    if isinstance(k, int):
        return s.claim_ids[k]
    return "年终结算" if lang == "zh" else "the year-end settlement"


def claim_headline(s: Session, k: int, lang: str) -> dict:
    """The sentence that opens every answer about claim k, and the decision behind it."""
    c = s.result["claims"][k]
    paid = c["aid"] != "0.00"
    ds = decisions(s, k)
    order = PAID_ORDER if paid else UNPAID_ORDER
    applied = c.get("category")
    for kind in order:
        hit = [d for d in ds if d.kind == kind and (not paid or d.category in (None, applied))]
        if hit:
            d = hit[0]
            return {"sentence": sentence(s, d, lang), "kind": d.kind, "rule": rule_of(s, d), "category": d.category}
    if c.get("category"):
        v = {"claim": c["claim_id"], "category": category_name(s, applied, lang), "aid": c["aid"]}
        head = phrase(s.kb, "paid", lang, **v)
        pid = next((i for kk, _, i in s.atoms["pays_rule"] if kk == k), None)
        cite = basis(s.kb, pid, None, lang)
        zh = lang == "zh"
        return {"sentence": (f"{head}；{cite}。" if zh else f"{head}; {cite}.") if cite else head,
                "kind": "paid", "rule": c.get("rule"), "category": applied}
    return {"sentence": c.get("reason") or "", "kind": "none", "rule": None, "category": None}


def category_findings(s: Session, k: int, category: str, lang: str) -> list[dict]:
    """Each deciding step for one category on claim k, said once, in words."""
    out, seen = [], set()
    for d in decisions(s, k):
        if d.category not in (category, None) or d.kind in ("covered_after_exit", "covered_gained_during_stay") and d.category != category:
            continue
        text = sentence(s, d, lang)
        if text in seen:
            continue
        seen.add(text)
        out.append({"kind": d.kind, "sentence": text, "rule": rule_of(s, d)})
    return out


def year_headline(s: Session, lang: str) -> dict | None:
    ties = [d for d in decisions(s, "year") if d.kind == "tie"]
    if ties:
        return {"sentence": sentence(s, ties[0], lang), "kind": "tie", "rule": rule_of(s, ties[0])}
    return None
