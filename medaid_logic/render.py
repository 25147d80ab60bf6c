"""Readable text for a result, in Chinese (default) or English.

Presentation only: every figure, rule and clause comes from the result, which comes from the
solver's atoms and the KB.
"""
from __future__ import annotations

from .kb import KB
from .words import has, word, word_of


def rule_ref(rule):
    """A rule as a reader sees it: jurisdiction/locator; the #part after it is the KB's own key."""
    return rule.split("#", 1)[0] if isinstance(rule, str) else rule


def reason_text(kb: KB, claim: dict, lang: str) -> str:
    """Why a claim is paid nothing, from the engine's reason codes (the CLI's text, the pages, the letter)."""
    if lang != "zh":
        return claim["reason"]
    return "；".join(word_of("reason", r["code"], lang).format(d=detail_word(kb, r.get("detail"), lang))
                    for r in claim.get("reason_codes", [])) or word("reason.none_payable", lang)


def detail_word(kb: KB, d, lang: str):
    """A reason's detail as a reader names it: a category by its label, a case field or a benefit
    by its word; a rule id stays (the clause's locator)."""
    if d in kb.categories:
        return label(kb, d, lang)
    if isinstance(d, str) and has("field", d):
        return word_of("field", d, lang)
    if isinstance(d, str) and kb.label(d, lang) != d:
        return kb.label(d, lang)
    return d


def label(kb: KB, category: str | None, lang: str) -> str:
    if category is None:
        return word('text.none', lang)
    c = kb.categories.get(category)
    if c is None:
        return category
    return f"{c.label_zh}（{category}）" if lang == "zh" else f"{c.label_en} ({category})"


def _src(source: dict | None, lang: str) -> str:
    if not source or not source.get("text"):
        return ""
    return f"\n        「{source['text']}」" if lang == "zh" else f"\n        \"{source['text']}\""


def _formula(step: dict, lang: str) -> str:
    return step.get("formula_zh", step["formula"]) if lang == "zh" else step["formula"]


def _flag_value(v, kb: KB, lang: str) -> str:
    if isinstance(v, str):
        if v in kb.categories:
            return kb.categories[v].label_zh if lang == "zh" else kb.categories[v].label_en
        return word_of("flag_value", v, lang)
    return str(v)


def flag_detail(f: dict, kb: KB, lang: str) -> str:
    """A flag's details in words: '类型 …, 金额 …'."""
    return ", ".join(f"{word_of('flag_detail', k, lang)} {_flag_value(v, kb, lang)}" for k, v in f.items()
                     if k not in ("kind", "rule", "source") and v is not None)


def _decision_word(d: dict, kb: KB, lang: str) -> str:
    said = word_of("decision", d["step"], lang)
    return said + (f"（{label(kb, d['category'], lang)}）" if d.get("category") and lang == "zh" else
                   f" ({label(kb, d['category'], lang)})" if d.get("category") else "")


def render_text(result: dict, kb: KB, lang: str = "zh") -> str:
    out = [f"{word('text.case', lang)} {result['case_id']} — {word('text.jurisdiction', lang)} {result['jurisdiction']}, {word('text.year', lang)} {result['year']}"]
    out.append(f"\n{word('text.categories', lang)}:")
    for c in result["categories"] or [{"category": None}]:
        if c.get("category") is None:
            out.append(f"  {word('text.none', lang)}")
            continue
        span = f"{word('text.since', lang)} {c['since']}" + (f" {word('text.until', lang)} {c['until']}" if c.get("until") else "")
        extra = f" {word_of('text_source', 'treated_as', lang)} ← {c['identity']} ({rule_ref(c['rule'])})" if c["source"] == "treated_as" else ""
        out.append(f"  - {label(kb, c['category'], lang)} [{word_of('text_source', c['source'], lang)}] {span}{extra}")
    out.append(f"{word('text.applied', lang)}: {label(kb, result['applied_category'], lang)}")

    p = result["premium_subsidy"]
    out.append(f"\n{word('text.premium', lang)}: {p.get('amount') or '—'} {word('text.yuan', lang)} [{word_of('text_status', p['status'], lang)}]"
               + (f" — {label(kb, p.get('category'), lang)}, {word('text.rule', lang)} {rule_ref(p['rule'])}" if p.get("rule") else ""))
    if p.get("formula"):
        out.append(f"    = {_formula(p, lang)}")
    if p.get("delegated_to"):
        out.append(f"    → {p['delegated_to']}" + (f" (≥ {p['at_least']})" if p.get("at_least") else ""))
    out.append(_src(p.get("source"), lang).strip("\n") if p.get("source") else "")

    out.append(f"\n{word('text.claims', lang)}:")
    for c in result["claims"]:
        out.append(f"  [{c['claim_id']}] {word_of('claim_kind', c['kind'], lang)}: {word('text.aid', lang)} {c['aid']} {word('text.yuan', lang)}"
                   + (f" — {label(kb, c['category'], lang)}; {word('text.rule', lang)} {rule_ref(c['rule'])}" if c.get("rule") else ""))
        if c.get("source"):
            out.append(f"      {c['source'].get('document') or ''} {c['source'].get('clause')}" + _src(c["source"], lang))
        for s in c["steps"]:
            out.append(f"      · {word_of('text_step', s['what'], lang)}: {_formula(s, lang)} = {s['amount']}"
                       + (f"  ({rule_ref(s['rule'])})" if s.get("rule") and s.get("rule") != c.get("rule") else ""))
        decided = [d for d in c.get("decided_by", []) if d.get("rule")]
        if decided:
            out.append(f"      {word('text.decided_by', lang)}: " + "; ".join(
                f"{_decision_word(d, kb, lang)} ({rule_ref(d['rule'])})" for d in decided))
        if c["limited_by"]:
            out.append(f"      {word('text.limited_by', lang)}: {', '.join(word_of('limit', x, lang) for x in c['limited_by'])}")
        if c.get("reason"):
            text = reason_text(kb, c, lang)
            out.append(f"      {word('text.reason', lang)}: {text}")
        if c["alternatives"]:
            alts = "; ".join(f"{label(kb, a['category'], lang)} {a['aid']} ({rule_ref(a['rule'])})" for a in c["alternatives"])
            out.append(f"      {word('text.alternatives', lang)}: {alts}")
    if result["annual"]:
        out.append(f"\n{word('text.annual', lang)}:")
        for a in result["annual"]:
            out.append(f"  {word_of('text_step', a['kind'], lang)}: {a['aid']} {word('text.yuan', lang)} — {word('text.rule', lang)} {rule_ref(a['rule'])}")
            for s in a.get("steps", []):
                out.append(f"      · {word_of('text_step', s['what'], lang)}: {_formula(s, lang)} = {s['amount']}")
            out.append(_src(a.get("source"), lang).strip("\n"))
    prec = (result.get("precedence") or {}).get("aid")
    if prec:
        totals = "; ".join(f"{label(kb, t['category'], lang)} {t['total']}"
                           + (f"（{word('text.of_which_tilted', lang)} {t['tilted_aid']}）" if t.get("tilted_aid") else "")
                           for t in prec["year_totals"])
        out.append(f"\n{word('text.why_applied', lang)}: {word('text.higher', lang)}")
        out.append(f"  {word('text.year_totals', lang)}: {totals} → {label(kb, prec['applied'], lang)}"
                   + (f"（{word('text.tie', lang)}）" if prec.get("tie_with") else ""))
        if prec.get("rule"):
            borrowed = f" — {word('text.analogy', lang)} {prec['by_analogy_with']}" if prec.get("by_analogy_with") else ""
            borrowed += f" — {word('text.silent', lang)}" if prec.get("silent") else ""
            out.append(f"  {word('text.rule', lang)} {rule_ref(prec['rule'])}{borrowed}")
    out.append(f"\n{word('text.total', lang)}: {result['total_aid']} {word('text.yuan', lang)}")
    t = result.get("insurance_tilt")
    if t:
        caps = {None: word('text.no_cap', lang), "ordinary": word('text.ordinary_cap', lang)}
        terms = ", ".join(f"{word('tilt_term.' + k, lang)} {caps.get(t[k], t[k]) if k == 'cap' else _flag_value(t[k], kb, lang) if k == 'status' else t[k]}"
                          for k in ("deductible_factor", "ratio", "ratio_points", "cap", "status") if k in t)
        out.append(f"{word('text.tilt', lang)}: {label(kb, t['category'], lang)} — {terms} ({rule_ref(t['rule'])})")
    if result["flags"]:
        out.append(f"\n{word('text.flags', lang)}:")
        for f in result["flags"]:
            detail = flag_detail(f, kb, lang)
            rule = f" ({rule_ref(f['rule'])})" if f.get("rule") else ""
            out.append(f"  - {word_of('flag_kind', f['kind'], lang)}{rule} {detail}".rstrip())
    if result["parameters_used"]:
        out.append(f"\n{word('text.params', lang)}:")
        for k, v in result["parameters_used"].items():
            origin = word('text.caller', lang) if v["from"] == "caller" else f"{word('text.kb', lang)} {v['from']['kb']}: {v['from'].get('source')}"
            out.append(f"  {k} = {v['value']} ({origin})")
    notes = result.get("notes_zh") if lang == "zh" else result["notes"]
    if notes:
        out.append(f"\n{word('text.notes', lang)}:")
        out.extend(f"  - {n}" for n in notes)
    return "\n".join(line for line in out if line is not None) + "\n"
