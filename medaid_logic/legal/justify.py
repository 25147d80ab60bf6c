"""Justifications: the deciding step of each outcome in one sentence a legal officer can sign —
the fact, the date and the clause — read from the solver's decision/6 atoms (asp/decisions.lp),
worded by the KB's phrases (kb/phrases.ttl) and cited by cite.py. No atom, predicate name or
internal id reaches the sentence."""
from __future__ import annotations

from dataclasses import dataclass

from ..money import fen_to_str as y
from ..result import iso
from ..words import phrase, word
from .cite import basis
from .session import Session

# the order in which deciding steps explain an outcome: the first that applies is the headline
UNPAID_ORDER = ("precondition", "not_in_force", "no_category", "quota_year_end", "not_referred", "stay_past_limit",
                "identity_lost_from_next_month", "identity_ended", "identity_not_yet_held",
                "category_not_named", "not_regulated", "delegated", "deductible_not_met", "condition_unmet")
PAID_ORDER = ("cap_reached", "covered_after_exit", "covered_until_next_month", "covered_gained_during_stay")


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
    for dec in s.atoms["decision"]:
        k, kind, cat, pid, facts = dec.item, dec.kind, dec.category, dec.parameter, dec.facts
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


def sentence(s: Session, d: Decision, lang: str) -> str:
    """One deciding step as a sentence: what happened, then the clause (or reading) it rests on."""
    zh = lang == "zh"
    claim_id = s.claim_ids[d.item] if isinstance(d.item, int) else ""
    claim = s.data["claims"][d.item] if isinstance(d.item, int) else {}
    event = phrase(s.kb, "event:stay" if claim.get("admitted") else "event:visit", lang)
    f = d.facts[1:] if isinstance(d.facts, tuple) else ()
    v: dict = {"claim": claim_id, "category": category_name(s, d.category, lang), "event": event}
    phrase_id = d.kind
    result_claim = next((c for c in s.result["claims"] if c["claim_id"] == claim_id), {})
    v["aid"] = result_claim.get("aid", "")
    if d.kind == "identity_ended":
        v.update(until=iso(f[0]), date=iso(f[1]))
    elif d.kind in ("identity_lost_from_next_month", "covered_until_next_month"):
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
        for u in sorted(s.atoms["cap_used_by"], key=lambda u: (str(u.by) == "ytd", str(u.by))):
            if u.item != d.item:
                continue
            k2, amount = u.by, u.fen
            by.append(phrase(s.kb, "cap_used_by_year_to_date", lang, used=y(amount)) if k2 == "ytd" else
                      phrase(s.kb, "cap_used_by_claim", lang, claim=_item_name(s, k2, lang), used=y(amount)))
        v.update(cap=y(cap), used=y(used), aid=y(paid), by=("；" if zh else "; ").join(by))
        if paid == 0:
            phrase_id = "cap_used_up"
    elif d.kind == "top_up_not_needed":
        from ..money import bp_to_percent
        target, paid, ip = f
        v.update(share=f"{paid * 100 / ip:.1f}%" if ip else "", target=bp_to_percent(target))
    elif d.kind == "condition_unmet":
        v["condition"] = condition_words(s, d.condition, lang)
    elif d.kind in ("category_not_named", "not_regulated", "delegated"):
        v["benefit"] = s.kb.label(claim.get("kind", ""), lang)
        p = s.kb.parameters.get(d.pid) if d.pid else None
        v["who"] = (p.delegated_to if p and p.delegated_to else word("legal.who_unnamed", lang))
    elif d.kind == "precondition":
        v["condition"] = condition_words(s, d.condition, lang)
    elif d.kind == "not_in_force":
        v["date"] = iso(d.facts) if isinstance(d.facts, int) else ""
    elif d.kind == "tie":
        v["other"] = category_name(s, d.facts, lang)
    head = phrase(s.kb, phrase_id, lang, **v)
    cite = basis(s.kb, d.pid, d.kind, lang)
    if d.kind == "tie":
        cite = phrase(s.kb, "tie_reading", lang)
    if not cite:
        return head + ("。" if zh else ".")
    return f"{head}；{cite}。" if zh else f"{head}; {cite}."


def _item_name(s: Session, k, lang: str) -> str:
    if isinstance(k, int):
        return s.claim_ids[k]
    return word("legal.year_end_settlement", lang)


def claim_headline(s: Session, k: int, lang: str) -> dict:
    """The sentence that opens every answer about claim k, and the decision behind it."""
    c = s.result["claims"][k]
    paid = c.get("category") is not None      # paid under a category, perhaps 0.00 (a cap used up)
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
        pid = next((r.parameter for r in s.atoms["pays_rule"] if r.item == k), None)
        cite = basis(s.kb, pid, None, lang)
        zh = lang == "zh"
        return {"sentence": (f"{head}；{cite}。" if zh else f"{head}; {cite}.") if cite else head,
                "kind": "paid", "rule": c.get("rule"), "category": applied}
    return {"sentence": c.get("reason") or "", "kind": "none", "rule": None, "category": None}


def category_findings(s: Session, k: int, category: str, lang: str) -> list[dict]:
    """Each deciding step for one category on claim k, said once, in words."""
    out, seen = [], set()
    for d in decisions(s, k):
        if d.category not in (category, None):
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


# ---- why-not as a justification ----------------------------------------------------------------
def why_not_claim(s: Session, k: int, category: str | None, lang: str, across: bool = False) -> dict:
    """Why claim k was not paid (as `category`, or at all): the headline, then for each category
    asked about — the one named, else those the person holds this year, else every category of
    the jurisdiction — each deciding step said once, and what it would have paid."""
    from .whynot import _counterfactual
    c = s.result["claims"][k]
    held = [x["category"] for x in s.result["categories"]]
    jur = s.data["jurisdiction"]
    if category:
        asked = [category]
    elif held:
        asked = [x for x in dict.fromkeys(held) if x != c.get("category")] or list(dict.fromkeys(held))
    else:
        asked = []
    out = {"target": f"claim:{c['claim_id']}" + (f".category:{category}" if category else ""),
           "headline": claim_headline(s, k, lang)["sentence"], "aid": c["aid"],
           "applied_category": c.get("category"), "categories": []}
    alts = {a["category"]: a for a in c.get("alternatives", [])}
    for cat in asked:
        entry = {"category": cat, "name": category_name(s, cat, lang), "findings": category_findings(s, k, cat, lang)}
        if cat == c.get("category"):
            entry["paid"] = c["aid"]
        elif cat in alts:
            entry["would_pay"] = alts[cat]["aid"]
            entry["findings"].append({"kind": "alternative", "sentence": _alternative_sentence(s, c, cat, alts[cat], lang)})
        elif cat not in held:
            entry["findings"].append({"kind": "not_held", "sentence": _not_held_sentence(s, c, cat, lang)})
        headline = out["headline"]
        entry["findings"] = [f for f in entry["findings"] if f["sentence"] != headline]
        if cat not in held:
            for wp in _counterfactual(s, cat, k):
                if (wp.get("jurisdiction") == jur or across) and "error" not in wp:
                    entry.setdefault("would_pay_if_held", []).append(wp)
        out["categories"].append(entry)
    if not held:
        out["jurisdiction_categories"] = _categories_of(s, lang)
    return out


def _alternative_sentence(s: Session, c: dict, cat: str, alt: dict, lang: str) -> str:
    applied = category_name(s, c.get("category"), lang)
    return word("justify.alternative", lang, cat=category_name(s, cat, lang), aid=alt["aid"], applied=applied, paid=c["aid"])


def _not_held_sentence(s: Session, c: dict, cat: str, lang: str) -> str:
    return word("justify.not_held", lang, category_name(s, cat, lang)) + ("。" if lang == "zh" else ".")


def _categories_of(s: Session, lang: str) -> list[dict]:
    """The jurisdiction's recipient categories, each with the clause that makes it one."""
    jur = s.data["jurisdiction"]
    out = []
    from .cite import citation
    for cat in s.kb.categories_in(jur):
        p = s.kb.recipient_parameter(jur, cat.id)
        if p:
            out.append({"category": cat.id, "name": category_name(s, cat.id, lang), "basis": basis(s.kb, p.id, None, lang)})
        elif cat.treated_as and cat.treated_as_rule:   # aided as another category (Taiyuan 第四条(二))
            as_name = category_name(s, cat.treated_as, lang)
            cite = citation(s.kb, cat.treated_as_rule, lang)
            out.append({"category": cat.id, "name": category_name(s, cat.id, lang),
                        "basis": word("justify.aided_as", lang, name=as_name, cite=cite)})
    return out


def why_not_claim_text(ans: dict, lang: str) -> str:
    zh = lang == "zh"
    lines = [ans["headline"]]
    for e in ans["categories"]:
        if not e["findings"] and not e.get("would_pay_if_held") and "paid" not in e:
            continue
        lines.append(f"- {e['name']}" + (word("justify.paid", lang, e["paid"]) if "paid" in e else ""))
        for f in e["findings"]:
            lines.append(f"    {f['sentence']}")
        for wp in e.get("would_pay_if_held", []):
            where = "" if wp["jurisdiction"] == ans.get("jurisdiction") else f" @ {wp['jurisdiction']}"
            if "aid" not in wp:   # a question about the year, not one claim
                lines.append("    " + word("justify.held_all_year_total", lang, total=wp["total_aid"], where=where))
                continue
            lines.append("    " + word("justify.held_all_year", lang, aid=wp["aid"], total=wp["total_aid"], where=where))
    if ans.get("jurisdiction_categories"):
        lines.append(word("justify.categories_here", lang))
        for c in ans["jurisdiction_categories"]:
            lines.append(f"- {c['name']}：{c['basis']}" if zh else f"- {c['name']}: {c['basis']}")
    return "\n".join(lines) + "\n"


# ---- what-if in words: the deciding steps that appeared, vanished or changed ---------------------
def what_if_words(before: Session, after: Session, lang: str) -> list[str]:
    """The difference a change made, said as a legal officer would: the total, the applied
    category, and per claim the deciding steps that vanished or appeared (an exclusion lifted, a
    cap no longer binding, a top-up no longer needed), each with its clause."""
    out = []
    rb, ra = before.result, after.result
    if rb["total_aid"] != ra["total_aid"]:
        out.append(phrase(before.kb, "whatif_total", lang, before=rb["total_aid"], after=ra["total_aid"]))
    if rb.get("applied_category") != ra.get("applied_category"):
        none = word("legal.none", lang)
        out.append(phrase(before.kb, "whatif_applied", lang,
                          before=category_name(before, rb.get("applied_category"), lang) or none,
                          after=category_name(after, ra.get("applied_category"), lang) or none))
    keyed = lambda s, k: {(d.kind, d.category, str(d.condition)): d for d in decisions(s, k)}
    for k, cid in enumerate(before.claim_ids):
        if k >= len(after.claim_ids):
            break
        db, da = keyed(before, k), keyed(after, k)
        said = False
        for key in db:
            if key not in da:
                out.append(phrase(before.kb, "whatif_gone", lang, sentence=sentence(before, db[key], lang)))
                said = True
        for key in da:
            if key not in db:
                out.append(phrase(after.kb, "whatif_new", lang, sentence=sentence(after, da[key], lang)))
                said = True
        cb, ca = rb["claims"][k], ra["claims"][k]
        if cb["aid"] != ca["aid"] or cb.get("category") != ca.get("category"):
            out.append(phrase(before.kb, "whatif_amount", lang, claim=cid, before=cb["aid"], after=ca["aid"],
                              was=claim_headline(before, k, lang)["sentence"],
                              now=claim_headline(after, k, lang)["sentence"]))
        elif not said and cb.get("rule") != ca.get("rule"):
            out.append(phrase(after.kb, "whatif_new", lang, sentence=claim_headline(after, k, lang)["sentence"]))
    return out


# ---- the premium subsidy -----------------------------------------------------------------------
PREMIUM_ORDER = ("paid", "delegated", "condition_unmet", "category_not_named")


def premium_sentence(s: Session, d: Decision, lang: str) -> str:
    zh = lang == "zh"
    v = {"category": category_name(s, d.category, lang), "aid": s.result["premium_subsidy"].get("amount") or ""}
    if d.kind == "condition_unmet":
        v.update(condition=condition_words(s, d.condition, lang), age=d.facts[1] if isinstance(d.facts, tuple) else "")
    if d.kind == "delegated":
        p = s.kb.parameters.get(d.pid) if d.pid else None
        v["who"] = p.delegated_to if p and p.delegated_to else word("legal.who_unnamed", lang)
    head = phrase(s.kb, f"premium_{d.kind}", lang, **v)
    cite = basis(s.kb, d.pid, d.kind, lang)
    return (f"{head}；{cite}。" if zh else f"{head}; {cite}.") if cite else head + ("。" if zh else ".")


def premium_findings(s: Session, lang: str) -> list[dict]:
    """The steps that decided the premium subsidy, the deciding one first, each said once."""
    ds = [d for d in decisions(s, "premium")]
    ds.sort(key=lambda d: PREMIUM_ORDER.index(d.kind) if d.kind in PREMIUM_ORDER else 99)
    out, seen = [], set()
    for d in ds:
        text = premium_sentence(s, d, lang)
        if text not in seen:
            seen.add(text)
            out.append({"kind": d.kind, "sentence": text, "rule": rule_of(s, d), "category": d.category})
    return out


def why_not_premium(s: Session, lang: str) -> dict:
    found = premium_findings(s, lang)
    headline = found[0]["sentence"] if found else phrase(s.kb, "premium_none", lang) + ("。" if lang == "zh" else ".")
    return {"target": "premium", "headline": headline, "amount": s.result["premium_subsidy"].get("amount"),
            "categories": [{"category": f["category"], "name": category_name(s, f["category"], lang),
                            "findings": [f]} for f in found[1:]]}


# ---- a category for the year -------------------------------------------------------------------
def why_not_category(s: Session, category: str, lang: str, across: bool = False) -> dict:
    """Why the year was not paid under `category`: not held (with the clause that makes it a
    recipient and what holding it would have paid), or held but not applied (each claim's deciding
    step for it, take-the-highest's comparison)."""
    from .whynot import _counterfactual
    zh = lang == "zh"
    name = category_name(s, category, lang)
    held = [c for c in s.result["categories"] if c["category"] == category]
    entries = []
    if not held:
        basis_of = {c["category"]: c["basis"] for c in _categories_of(s, lang)}
        headline = word("justify.not_held", lang, name) + \
            (f"；{basis_of[category]}。" if basis_of.get(category) and zh else
             f"; {basis_of[category]}." if basis_of.get(category) else ("。" if zh else "."))
        wps = [wp for wp in _counterfactual(s, category, None)
               if "error" not in wp and (wp.get("jurisdiction") == s.data["jurisdiction"] or across)]
        entries.append({"category": category, "name": name, "findings": [], "would_pay_if_held": wps})
    else:
        h = held[0]
        since = (word("justify.held_span", lang, since=h["since"], until=h["until"]) if h.get("until") else
                 word("justify.held_from", lang, since=h["since"]))
        applied = s.result.get("applied_category")
        if applied == category:
            headline = word("justify.applied_held", lang, name=name, since=since)
        else:
            headline = word("justify.held_not_applied", lang, name=name, since=since, applied=category_name(s, applied, lang))
        year = year_headline(s, lang)
        if year:
            headline += year["sentence"]
        for k, cid in enumerate(s.claim_ids):
            found = category_findings(s, k, category, lang)
            c = s.result["claims"][k]
            alt = next((a for a in c.get("alternatives", []) if a["category"] == category), None)
            if alt and c.get("category") != category:
                found.append({"kind": "alternative", "sentence": _alternative_sentence(s, c, category, alt, lang)})
            if found:
                entries.append({"category": category, "name": f"{cid}", "findings": found})
    return {"target": f"category:{category}", "headline": headline, "categories": entries}
