"""Answer atoms of one applicant → the result of CASE_FORMAT.md.

Nothing here decides policy: every amount, rule, limit, flag and note is an atom the solver
derived; this module only formats them (fen → yuan strings, basis points → %, dates → ISO)
and attaches each rule's clause text from the KB.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

import clingo

from .case import Case
from .errors import CaseError
from .kb import FOREVER, KB
from .money import bp_to_decimal_str, bp_to_percent, fen_to_str

FIELD_OF_SHORT = {"total": "total_cost", "in_policy": "in_policy_cost", "basic": "basic_insurance_paid",
                  "critical": "critical_illness_paid", "other": "other_paid"}


def iso(n: int) -> str | None:
    if n >= FOREVER:
        return None
    return date(n // 10000, n // 100 % 100, n % 100).isoformat()


def val(sym: clingo.Symbol):
    if sym.type == clingo.SymbolType.Number:
        return sym.number
    if sym.type == clingo.SymbolType.String:
        return sym.string
    if sym.type == clingo.SymbolType.Function and not sym.arguments:
        return sym.name
    return sym


def y(fen: int) -> str:
    return fen_to_str(fen)


def formula_text(term: clingo.Symbol) -> str:
    """A step's formula term, with its figures filled in."""
    n, a = term.name, [x.number if x.type == clingo.SymbolType.Number else x for x in term.arguments]
    if n == "minus":
        return " − ".join(y(x) for x in a)
    if n == "times":
        return f"{y(a[0])} × {bp_to_percent(a[1])}"
    if n == "deductible":
        dt, met, sp = a
        return f"min(self-pay {y(sp)}, deductible {y(dt)} − met {y(met)})"
    if n == "cap":
        raw, cap, used, rem = a
        return f"min({y(raw)}, cap {y(cap)} − used {y(used)} = {y(rem)})"
    if n == "top_up":
        target, tq, ip, sp, ordinary = a
        paid = ip - sp + ordinary
        return (f"max(0, {bp_to_percent(tq)} × {y(ip)} = {y(target)} − paid {y(paid)}) "
                f"(paid share {paid * 100 / ip:.1f}%)" if ip else "0")
    if n == "catalogue":
        out, total, cr, lim, q = a
        return f"min(out-of-catalogue {y(out)}, {bp_to_percent(cr)} × {y(total)} = {y(lim)}) × {bp_to_percent(q)}"
    if n == "full":
        return f"{y(a[0])} × 100%"
    if n == "share":
        return f"{y(a[0])} × {bp_to_percent(a[1])}"
    if n == "minimum":
        return f"max({formula_text(term.arguments[0])} = {y(a[1])}, minimum {y(a[2])})"
    if n == "fixed":
        return f"{y(a[0])} (fixed amount)"
    return str(term)


class Atoms:
    """The applicant's atoms, indexed by predicate name."""

    def __init__(self, symbols: list[clingo.Symbol]):
        self.by: dict[str, list[tuple]] = defaultdict(list)
        for s in symbols:
            self.by[s.name].append(tuple(s.arguments[1:]))

    def __getitem__(self, name: str) -> list[tuple]:
        return self.by.get(name, [])


def build_result(case: Case, symbols: list[clingo.Symbol], kb: KB, params: dict, interps: dict) -> dict:
    at = Atoms(symbols)
    _raise_errors(case, at, kb)

    def source(rule_id: str | None) -> dict | None:
        return kb.clause_source(rule_id) if rule_id else None

    def rule_of(pid) -> str | None:
        if isinstance(pid, clingo.Symbol) and pid.type == clingo.SymbolType.String:
            pid = pid.string
        p = kb.parameters.get(pid) if isinstance(pid, str) else None
        return p.rule if p else None

    # ---- categories --------------------------------------------------------------------
    categories = []
    for c, sub, since, until, src in sorted(at["category_out"], key=lambda t: (str(t[4]), t[2].number, str(t[0]))):
        entry = {"category": c.name, "since": iso(since.number), "until": iso(until.number)}
        if sub.name != "none":
            entry["subtype"] = sub.name
        if src.name == "certified":
            entry["source"] = "certified"
        elif src.name == "derived":
            entry["source"] = "derived"
            entry["from"] = [f"applicant.facts.{k}" for k in case.applicant.facts.model_dump(exclude_none=True)]
        else:
            entry["source"] = "treated_as"
            entry["identity"] = case.applicant.identities[src.arguments[0].number].category
            entry["rule"] = src.arguments[1].string
            entry["source_clause"] = source(entry["rule"])
        categories.append(entry)

    # ---- claims --------------------------------------------------------------------------
    pays = {k.number: c.name for k, c in at["app_pays"] if k.type == clingo.SymbolType.Number}
    aid = {val(k): v.number for k, v in at["app_aid"]}
    pays_rule = {val(k): rule_of(i) for k, _, i in at["pays_rule"]}
    steps = defaultdict(list)
    for k, order, what, amount, pid, formula in at["step"]:
        steps[val(k)].append((order.number, what.name, amount.number, rule_of(pid), formula))
    uses = defaultdict(list)
    for k, what, inp in at["uses"]:
        uses[(val(k), what.name)].append(inp)
    limited = defaultdict(list)
    for k, why, _ in at["limited"]:
        limited[val(k)].append(why.name)
    reasons = defaultdict(list)
    for k, why, detail in at["reason"]:
        reasons[val(k)].append((why.name, detail))
    alts = defaultdict(list)
    alt_rules = {(val(k), c.name): rule_of(i) for k, c, i in at["alternative_rule"]}
    for k, c, v in at["alternative"]:
        alts[val(k)].append((c.name, v.number))
    quota_claims = sorted(k.number for (k,) in at["quota_claim"])

    def render_steps(k, claim_index):
        out = []
        for order, what, amount, rule, formula in sorted(steps.get(k, [])):
            step = {"what": what, "amount": y(amount), "formula": formula_text(formula)}
            if rule:
                step["rule"] = rule
                step["source"] = source(rule)
            step["inputs"] = [_input_path(inp, claim_index, kb, rule_of) for inp in uses.get((k, what), [])]
            out.append(step)
        return out

    claims_out = []
    for i, c in enumerate(case.claims):
        entry: dict = {"claim_id": c.claim_id, "kind": c.kind}
        if i in pays:
            rule = pays_rule.get(i)
            entry.update({"aid": y(aid.get(i, 0)), "category": pays[i], "rule": rule, "source": source(rule)})
        else:
            entry.update({"aid": "0.00", "category": None, "rule": None, "source": None})
        entry["steps"] = render_steps(i, i)
        lim = list(limited.get(i, []))
        why = reasons.get(i, [])
        for w, _ in why:
            if w in ("not_referred", "not_in_force", "identity_not_held", "delegated", "quota_year_end", "precondition"):
                lim.append({"identity_not_held": "identity_ended"}.get(w, w))
        entry["limited_by"] = sorted(set(lim))
        entry["alternatives"] = [{"category": ca, "aid": y(v), "rule": alt_rules.get((i, ca)), "source": source(alt_rules.get((i, ca)))}
                                 for ca, v in sorted(alts.get(i, []), key=lambda t: (-t[1], t[0]))]
        if i not in pays or aid.get(i, 0) == 0:
            entry["reason"] = "; ".join(_reason_text(w, d, kb, rule_of) for w, d in why) or "nothing to pay"
        claims_out.append(entry)

    # ---- annual ----------------------------------------------------------------------------
    annual = []
    for kind, v, pid in sorted(at["annual"], key=lambda t: str(t[0])):
        rule = rule_of(pid)
        entry = {"kind": kind.name, "aid": y(v.number), "rule": rule, "source": source(rule)}
        if kind.name == "chronic_quota_settlement":
            entry["claims"] = [case.claims[k].claim_id for k in quota_claims]
            entry["category"] = pays.get("quota") or next((c.name for k, c in at["app_pays"] if val(k) == "quota"), None)
            entry["steps"] = render_steps("quota", None)
        else:
            tilted = {val(k) for k in ()}
            entry["claims"] = [c.claim_id for c in case.claims]
            burden = next((b.number for (b,) in at["tilted_burden"]), 0)
            ded = next((p for p in kb.parameters.values() if p.rule == rule and p.kind == "deductible_amount"), None)
            ratio = kb.parameters.get(pid.string) if pid.type == clingo.SymbolType.String else None
            entry["steps"] = [{"what": "annual_burden", "amount": y(burden),
                               "formula": "Σ (self-pay − aid) over qualifying claims + year_to_date.personal_burden",
                               "inputs": ["claims[*]", "applicant.year_to_date.personal_burden"]},
                              {"what": "tilted_aid", "amount": y(v.number),
                               "formula": f"max(0, {y(burden)} − {ded.values[0] if ded else '?'}) × {bp_to_percent(kb.asp_value(ratio, ratio.values[0]).number) if ratio and ratio.values else '?'}",
                               "rule": rule, "source": source(rule),
                               "inputs": [f"kb:{ded.id}" if ded else "", f"kb:{pid.string}"]}]
        annual.append(entry)

    total = sum(aid.get(i, 0) for i in pays) + sum(v.number for _, v, _ in at["annual"])

    # ---- premium subsidy -------------------------------------------------------------------------
    premium = _premium(at, kb, rule_of, source)

    # ---- applied category ---------------------------------------------------------------------------
    applied = next((c.name for (c,) in at["applied_category"]), None)
    if applied is None and not case.claims:
        applied = premium.get("category")
    if applied is None:
        applied = next((c.name for (c,) in at["lead_category"]), None)

    # ---- insurance tilt ------------------------------------------------------------------------------
    tilt = None
    for c, kind, v, pid in at["tilt"]:
        p = kb.parameters[pid.string]
        if tilt is None:
            tilt = {"category": c.name, "rule": p.rule, "source": source(p.rule)}
        if p.status != "stated":
            tilt["status"] = p.status
        if kind.name == "tilt_deductible_factor":
            tilt["deductible_factor"] = bp_to_decimal_str(v.number)
        elif kind.name == "tilt_ratio" and v.type == clingo.SymbolType.Number:
            tilt["ratio"] = bp_to_percent(v.number)
        elif kind.name == "tilt_ratio_points":
            tilt["ratio_points"] = str(v.number)
        elif kind.name == "tilt_no_cap":
            tilt["cap"] = None
        elif kind.name == "tilt_ordinary_cap":
            tilt["cap"] = "ordinary"

    # ---- flags ------------------------------------------------------------------------------------------
    flags, seen = [], set()
    for kind, pid, detail in sorted(at["flag"], key=lambda t: (str(t[0]), str(t[2]), str(t[1]))):
        rule = rule_of(pid)
        if (kind.name, rule, str(detail)) in seen:  # one clause, several parameters: one flag
            continue
        seen.add((kind.name, rule, str(detail)))
        f = {"kind": kind.name, "rule": rule, "source": source(rule)}
        f.update(_flag_detail(kind.name, detail, case, kb, pid))
        flags.append(f)

    # ---- parameters used and notes ---------------------------------------------------------------------
    used = {}
    sources = {s.name: src for s, src in at["statistic_source"]}
    for s, v in at["statistic"]:
        src = sources.get(s.name)
        if src is not None and src.name == "kb":
            place, year = src.arguments[0].name, src.arguments[1].number
            st = next((x for x in kb.statistics if x.place == place and x.statistic == s.name and x.year == year), None)
            origin = {"kb": f"{place} {year}", "source": st.source if st else None}
        else:
            origin = "caller"
        used[s.name] = {"value": y(v.number), "from": origin}
    for pid in params:
        p = kb.parameters[pid]
        used[p.key] = {"value": ", ".join(str(x) for x in case.parameters[p.key]) if isinstance(case.parameters[p.key], list) else str(case.parameters[p.key]),
                       "from": "caller", "replaces": p.status if p.status != "stated" else ", ".join(map(str, p.values))}
    for iid, v in interps.items():
        used[iid] = {"value": v, "from": "caller"}
    notes = sorted({_note_text(d, kb, rule_of) for (d,) in at["note"]})

    return {
        "case_id": case.case_id, "jurisdiction": case.jurisdiction, "year": case.year,
        "categories": categories,
        "applied_category": applied,
        "premium_subsidy": premium,
        "claims": claims_out,
        "annual": annual,
        "total_aid": y(total),
        "insurance_tilt": tilt,
        "flags": flags,
        "parameters_used": used,
        "notes": notes,
    }


def _raise_errors(case: Case, at: Atoms, kb: KB) -> None:
    for what, pid in sorted(at["error"], key=str):
        if what.name == "statistic":
            stat = what.arguments[0].name
            use = next((u for u in kb.statistic_uses if u.jurisdiction == case.jurisdiction and u.statistic == stat), None)
            where = f" ({use.place}, {case.year + use.year_offset})" if use else ""
            p = kb.parameters.get(pid.string) if pid.type == clingo.SymbolType.String else None
            raise CaseError(f"parameters.{stat}",
                            f"the statistic {stat}{where} is needed by {p.rule if p else 'a rule'} "
                            f"and is neither in the KB nor supplied")
        if what.name == "conflict":
            raise CaseError("kb", f"conflicting parameters without an exception between them: {what}")


def _premium(at: Atoms, kb: KB, rule_of, source) -> dict:
    for c, pid, amount, formula in at["premium"]:
        p = kb.parameters[pid.string]
        return {"amount": y(amount.number), "category": c.name, "fund": p.fund or "medical_aid", "status": "computed",
                "rule": p.rule, "source": source(p.rule), "formula": formula_text(formula),
                "inputs": ["parameters.contribution", f"kb:{p.id}"]}
    for status, detail in at["premium_status"]:
        if status.name == "delegated":
            c, pid = detail.arguments
            p = kb.parameters[pid.string]
            out = {"amount": None, "category": c.name, "fund": p.fund or "medical_aid", "status": "delegated",
                   "rule": p.rule, "source": source(p.rule), "delegated_to": p.delegated_to}
            for c2, pid2, floor in at["prem_floor"]:
                if c2 == c:
                    out["at_least"] = y(floor.number)
            return out
        if status.name == "undetermined":
            c, pid = detail.arguments
            p = kb.parameters[pid.string]
            return {"amount": None, "category": c.name, "status": "undetermined", "rule": p.rule, "source": source(p.rule),
                    "reason": "applicant.birth_date is needed for an age condition"}
    return {"amount": "0.00", "category": None, "status": "none", "rule": None, "source": None}


def _input_path(inp: clingo.Symbol, claim_index, kb: KB, rule_of) -> str:
    if inp.name == "field":
        f = inp.arguments[0].name
        return f"claims[{claim_index}].{f}" if claim_index is not None else f"claims[quota].{f}"
    if inp.name == "param":
        return f"kb:{inp.arguments[0].string}"
    if inp.name == "statistic":
        return f"parameters.{inp.arguments[0].name}"
    if inp.name == "ytd":
        return f"applicant.year_to_date.{inp.arguments[0].name}"
    if inp.name == "step":
        return f"step:{inp.arguments[0].name}"
    return str(inp)


def _flag_detail(kind: str, d: clingo.Symbol, case: Case, kb: KB, pid) -> dict:
    out: dict = {}
    if d.type == clingo.SymbolType.Function and not d.arguments:
        out["about"] = d.name
    elif d.name == "claim":
        out["claim_id"] = case.claims[d.arguments[0].number].claim_id
    elif d.name == "category":
        out["category"] = d.arguments[0].name
    elif d.name == "amount":
        out["claim_id"] = case.claims[d.arguments[0].number].claim_id
        out["amount"] = y(d.arguments[1].number)
    elif d.name == "d":
        sub, burden, threshold = d.arguments
        out.update({"subkind": sub.name, "burden": y(burden.number), "threshold": y(threshold.number)})
    elif d.name in ("share", "self_pay"):
        k, v, lim = d.arguments
        out.update({"claim_id": case.claims[k.number].claim_id, "measure": "out_of_catalogue" if d.name == "share" else "self_pay",
                    "amount": y(v.number), "target": y(lim.number)})
    elif d.name == "place":
        p, dt = d.arguments
        place = p.name if p.type == clingo.SymbolType.Function else p.string
        dist = dt.string if dt.type == clingo.SymbolType.String else None
        out["place"] = f"{place}/{dist}" if dist else place
    elif d.name == "premium":
        out["about"] = "premium_subsidy"
        out["category"] = d.arguments[0].name
    if isinstance(pid, clingo.Symbol) and pid.type == clingo.SymbolType.String and pid.string in kb.parameters:
        p = kb.parameters[pid.string]
        if p.delegated_to and kind == "delegated":
            out["delegated_to"] = p.delegated_to
        if p.status != "stated":
            out["status"] = p.status
    return out


def _reason_text(why: str, d: clingo.Symbol, kb: KB, rule_of) -> str:
    if why == "not_in_force":
        return "no document of the jurisdiction is in force on the settlement date"
    if why == "precondition":
        return f"the applicant does not meet the precondition on {d.name}"
    if why == "quota_year_end":
        return "quota-managed (限额管理): settled once at year end, see annual"
    if why == "not_referred":
        return f"care without the required referral is not covered ({rule_of(d)})"
    if why == "not_regulated":
        return f"the jurisdiction's texts do not regulate {d.name} aid"
    if why == "delegated":
        p = kb.parameters.get(d.string)
        return f"the standard is delegated to {p.delegated_to} ({p.rule}) and has not been set" if p else "delegated"
    if why == "no_category":
        return "the applicant holds no assistance category"
    if why == "identity_not_held":
        return f"the identity {d.name} does not cover this claim's dates"
    if why == "category_not_named":
        return f"no clause names {d.name} for this kind of aid"
    if why == "nothing_to_pay":
        return "nothing left to pay after deductible and cap"
    return why


def _note_text(d: clingo.Symbol, kb: KB, rule_of) -> str:
    n = d.name
    a = d.arguments
    if n == "interpretation":
        i = kb.interpretations.get(a[0].name)
        return f"interpretation {a[0].name}: {i.comment if i else ''}"
    if n == "param":
        p = kb.parameters.get(a[0].string)
        if p is None:
            return str(d)
        extra = f" — {p.note}" if p.note else ""
        who = f" (set by {p.delegated_to})" if p.delegated_to else ""
        return f"{p.rule}: {p.kind} for {', '.join(p.categories)} is {p.status}{who}{extra}"
    if n == "parent_rules":
        return f"a claim settled before the jurisdiction's document took effect is computed under {a[1].name}'s rules (interpretation taiyuan_before_effective)"
    if n == "gained_after_jan1":
        return f"{a[0].name} was gained during the year: the premium subsidy follows the categories held on 1 January (interpretation premium_year_document)"
    if n == "derived":
        return f"{a[0].name} derived from applicant.facts for the whole case year"
    if n == "not_derived":
        return f"{a[0].name} not derived: the test '{a[1].name}' failed"
    if n == "precondition":
        p = kb.parameters.get(a[1].string)
        return f"precondition on {a[0].name} not met ({p.rule if p else ''}): no category holds"
    if n == "no_premium_rule":
        return f"no premium subsidy rule names {a[0].name}"
    if n == "premium_floor":
        return f"premium for {a[0].name}: set by a government, at least {y(a[2].number)}"
    if n == "premium_unknown_age":
        return f"premium rule for {a[0].name} depends on age; applicant.birth_date is missing"
    if n == "apply_at_unknown":
        return "where to apply (第十二条) needs applicant.hukou and applicant.residence"
    return str(d)
