"""Answer atoms of one applicant → the result of CASE_FORMAT.md.

Nothing here decides policy: every amount, rule, limit, flag and note is an atom the solver
derived; this module only formats them (fen → yuan strings, basis points → %, dates → ISO)
and attaches each rule's clause text from the KB.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from .atoms import Atoms
from .case import Case
from .errors import CaseError
from .facts import text_of
from .kb import FOREVER, KB
from .money import bp_to_decimal_str, bp_to_percent, fen_to_str as y


def iso(n: int) -> str | None:
    if n >= FOREVER:
        return None
    return date(n // 10000, n // 100 % 100, n % 100).isoformat()


# the words of the formula terms (step/7, premium/5); the figures are the solver's
FORMULA_WORDS = {
    "en": {"self_pay": "self-pay", "deductible": "deductible", "met": "met", "cap": "cap", "used": "used",
           "paid": "paid", "share": " (paid share {:.1f}%)", "out": "out-of-catalogue",
           "burden": "Σ (self-pay − aid) over qualifying claims {} + year_to_date {}", "minimum": "minimum",
           "fixed": "{} (fixed amount)", "min": "min", "max": "max"},
    "zh": {"self_pay": "自付", "deductible": "起付标准", "met": "已扣", "cap": "限额", "used": "已用",
           "paid": "已支付", "share": "（综合支付比例 {:.1f}%）", "out": "目录外费用",
           "burden": "符合条件费用的 Σ(自付 − 救助) {} + 年初至今 {}", "minimum": "最低", "fixed": "{}（定额）",
           "min": "取小", "max": "取大"},
}


def formula_text(t, lang: str = "en") -> str:
    """A step's formula term, with its figures filled in, in English or Chinese words."""
    w, pc = FORMULA_WORDS[lang], bp_to_percent
    n, a = t[0], t[1:]
    if n == "minus":
        return " − ".join(y(x) for x in a)
    if n in ("times", "share"):
        return f"{y(a[0])} × {pc(a[1])}"
    if n == "deductible":
        dt, met, sp = a
        return f"{w['min']}({w['self_pay']} {y(sp)}, {w['deductible']} {y(dt)} − {w['met']} {y(met)})"
    if n == "cap":
        raw, cap, used, rem = a
        return f"{w['min']}({y(raw)}, {w['cap']} {y(cap)} − {w['used']} {y(used)} = {y(rem)})"
    if n == "top_up":
        target, tq, ip, paid = a
        share = w["share"].format(paid * 100 / ip) if ip else ""
        return f"{w['max']}(0, {pc(tq)} × {y(ip)} = {y(target)} − {w['paid']} {y(paid)}){share}"
    if n == "catalogue":
        out, total, cr, lim, q = a
        return f"{w['min']}({w['out']} {y(out)}, {pc(cr)} × {y(total)} = {y(lim)}) × {pc(q)}"
    if n == "tilted":
        burden, ded, ratio = a
        return f"{w['max']}(0, {y(burden)} − {y(ded)}) × {pc(ratio)}"
    if n == "burden":
        return w["burden"].format(y(a[0]), y(a[1]))
    if n == "full":
        return f"{y(a[0])} × 100%"
    if n == "minimum":
        return f"{w['max']}({formula_text(a[0], lang)} = {y(a[1])}, {w['minimum']} {y(a[2])})"
    if n == "fixed":
        return w["fixed"].format(y(a[0]))
    return str(t)


class Builder:
    def __init__(self, case: Case, at: Atoms, kb: KB, params: dict, interps: dict):
        self.case, self.at, self.kb, self.params, self.interps = case, at, kb, params, interps

    def source(self, rule_id):
        return self.kb.clause_source(rule_id) if rule_id else None

    def rule_of(self, pid):
        p = self.kb.parameters.get(pid) if isinstance(pid, str) else None
        return p.rule if p else None

    def build(self) -> dict:
        at, case = self.at, self.case
        _raise_errors(case, at, self.kb)
        claims, total_claims = self.claims()
        annual = self.annual()
        premium = self.premium()
        notes = _notes(at, self.kb, self.interps, case.jurisdiction)
        applied = next((r.category for r in at["applied_category"]), None)
        if applied is None and not case.claims:
            applied = premium.get("category")
        if applied is None:
            applied = next((r.category for r in at["lead_category"]), None)
        return {
            "case_id": case.case_id, "jurisdiction": case.jurisdiction, "year": case.year,
            "categories": self.categories(),
            "applied_category": applied,
            "premium_subsidy": premium,
            "claims": claims,
            "annual": annual,
            "total_aid": y(total_claims + sum(r.fen for r in at["annual"])),
            "precedence": self.precedence(applied),
            "insurance_tilt": self.tilt(),
            "flags": self.flags(),
            "parameters_used": self.parameters_used(),
            "notes": sorted({_note_text(d, self.kb) for d in notes}),
            "notes_zh": sorted({_note_zh(d, self.kb) for d in notes}),
        }

    def categories(self) -> list:
        out = []
        for r in sorted(self.at["category_out"], key=lambda r: (str(r.source), r.since, r.category)):
            c, sub, since, until, src = r.category, r.subtype, r.since, r.until, r.source
            entry = {"category": c, "since": iso(since), "until": iso(until)}
            if sub != "none":
                entry["subtype"] = sub
            if src in ("derived",):
                entry["source"] = "derived"
                entry["from"] = [f"applicant.facts.{k}" for k in self.case.applicant.facts.model_dump(exclude_none=True)]
            elif isinstance(src, tuple) and src[0] == "treated":
                entry["source"] = "treated_as"
                entry["identity"] = self.case.applicant.identities[src[1]].category
                entry["rule"] = src[2]
                entry["clause"] = self.source(src[2])
            else:
                entry["source"] = "certified"
            out.append(entry)
        return out

    def _steps(self, k, claim_index) -> list:
        out = []
        uses = defaultdict(list)
        for u in self.at["uses"]:
            if u.item == k:
                uses[u.what].append(u.input)
        for s in sorted(self.at["step"], key=lambda s: s.order):
            if s.item != k:
                continue
            what, amount, pid, formula = s.what, s.fen, s.parameter, s.formula
            step = {"what": what, "amount": y(amount), "formula": formula_text(formula), "formula_zh": formula_text(formula, "zh")}
            rule = self.rule_of(pid)
            if rule:
                step["rule"] = rule
                step["source"] = self.source(rule)
            step["inputs"] = sorted(_input_path(inp, claim_index) for inp in uses.get(what, []))
            out.append(step)
        return out

    def claims(self) -> tuple[list, int]:
        at = self.at
        pays = {r.item: r.category for r in at["app_pays"]}
        aid = {r.item: r.fen for r in at["app_aid"]}
        pays_rule = {r.item: self.rule_of(r.parameter) for r in at["pays_rule"]}
        limited = defaultdict(list)
        for r in at["limited"]:
            limited[r.item].append(r.why)
        reasons = defaultdict(list)
        for r in at["reason"]:
            reasons[r.item].append((r.why, r.detail))
        alt_rules = {(r.item, r.category): self.rule_of(r.parameter) for r in at["alternative_rule"]}
        decided = defaultdict(list)   # the steps that decided the claim's outcome (decisions.lp)
        for r in sorted(at["decision"], key=str):
            k, kind, cat, pid = r.item, r.kind, r.category, r.parameter
            rule = self.rule_of(pid)
            decided[k].append({"step": kind[0] if isinstance(kind, tuple) else kind,
                               **({"condition": kind[1]} if isinstance(kind, tuple) else {}),
                               "category": None if cat == "none" else cat, "rule": rule, "source": self.source(rule)})
        alts = defaultdict(list)
        for r in at["alternative"]:
            alts[r.item].append((r.category, r.fen))
        out, total = [], 0
        for i, c in enumerate(self.case.claims):
            entry: dict = {"claim_id": c.claim_id, "kind": c.kind}
            if i in pays:
                rule = pays_rule.get(i)
                total += aid.get(i, 0)
                entry.update({"aid": y(aid.get(i, 0)), "category": pays[i], "rule": rule, "source": self.source(rule)})
            else:
                entry.update({"aid": "0.00", "category": None, "rule": None, "source": None})
            entry["steps"] = self._steps(i, i)
            lim = list(limited.get(i, []))
            why = reasons.get(i, [])
            for w, _ in why:
                if w in LIMITS:
                    lim.append(LIMITS[w])
            entry["limited_by"] = sorted(set(lim))
            entry["decided_by"] = decided.get(i, [])
            entry["alternatives"] = [{"category": ca, "aid": y(v), "rule": alt_rules.get((i, ca)),
                                      "source": self.source(alt_rules.get((i, ca)))}
                                     for ca, v in sorted(alts.get(i, []), key=lambda t: (-t[1], t[0]))]
            if i not in pays or aid.get(i, 0) == 0:
                entry["reason"] = "; ".join(_reason_text(w, d, self.kb) for w, d in why) or "nothing to pay"
                entry["reason_codes"] = [{"code": w, "detail": _detail(d, self.kb)} for w, d in sorted(why, key=str)]
            out.append(entry)
        return out, total

    def annual(self) -> list:
        at = self.at
        out = []
        settlement = {r.parameter: (r.item, r.category) for r in at["quota_settlement"]}
        for r in sorted(at["annual"], key=lambda r: (r.kind, str(r.parameter))):
            kind, v, pid = r.kind, r.fen, r.parameter
            rule = self.rule_of(pid)
            entry = {"kind": kind, "aid": y(v), "rule": rule, "source": self.source(rule)}
            if kind == "chronic_quota_settlement":
                item, category = settlement[pid]
                entry["claims"] = [self.case.claims[k].claim_id for k in quota_claims_of(at, item)]
                entry["category"] = category
                entry["steps"] = self._steps(item, None)
            else:
                entry["claims"] = [self.case.claims[k].claim_id for k in sorted(r.claim for r in at["tilted_claim"])]
                entry["steps"] = self._steps("year", None)
            out.append(entry)
        return out

    def premium(self) -> dict:
        at, kb = self.at, self.kb
        # the solver leaves one winner; sorted so that even a tie never follows the solver's order
        for r in sorted(at["premium"], key=lambda r: (kb.categories[r.category].rank, str(r))):
            c, pid, amount, formula = r.category, r.parameter, r.fen, r.formula
            p = kb.parameters[pid]
            return {"amount": y(amount), "category": c, "fund": p.fund or "medical_aid", "status": "computed",
                    "rule": p.rule, "source": self.source(p.rule), "formula": formula_text(formula),
                    "formula_zh": formula_text(formula, "zh"),
                    "inputs": ["parameters.contribution", f"kb:{p.id}"]}
        for r in at["premium_status"]:
            status, detail = r.status, r.detail
            if status == "delegated":
                _, c, pid = detail
                p = kb.parameters[pid]
                out = {"amount": None, "category": c, "fund": p.fund or "medical_aid", "status": "delegated",
                       "rule": p.rule, "source": self.source(p.rule), "delegated_to": p.delegated_to}
                for f in at["prem_floor"]:
                    if f.category == c:
                        out["at_least"] = y(f.fen)
                return out
            if status == "undetermined":
                _, c, pid = detail
                p = kb.parameters[pid]
                return {"amount": None, "category": c, "status": "undetermined", "rule": p.rule,
                        "source": self.source(p.rule), "reason": "applicant.birth_date is needed for an age condition"}
        return {"amount": "0.00", "category": None, "status": "none", "rule": None, "source": None}

    def _take_highest(self, pid) -> dict:
        p = self.kb.parameters[pid]
        out = {"rule": p.rule, "source": self.source(p.rule)}
        if p.borrowed_from and p.borrowed_from.split("/")[0] == p.jurisdiction:
            out.update({"by_analogy_with": p.borrowed_from, "analogy_source": self.source(p.borrowed_from), "note": p.note})
        elif p.borrowed_from:   # another jurisdiction's clause is no authority here: the text is silent
            out.update({"silent": True, "interpretation": "precedence", "note": p.note})
        return out

    def precedence(self, applied) -> dict | None:
        """就高不就低 as the solver applied it: each competing category's year total."""
        out = None
        totals = sorted(self.at["year_total"], key=lambda r: (-r.fen, r.category))
        if totals:
            pid = next((r.parameter for r in self.at["precedence_rule"]), None)
            tilted = {r.category: r.fen for r in self.at["year_tilted"]}
            year_totals = [{"category": r.category, "total": y(r.fen),
                            **({"tilted_aid": y(tilted[r.category])} if r.category in tilted else {})} for r in totals]
            tied = sorted(r.category for r in self.at["tied"]) if self.at["tied"] else []
            out = {"aid": {"applied": applied, "year_totals": year_totals, **({"tie_with": tied} if tied else {}),
                           **(self._take_highest(pid) if pid else {"rule": None})}}
        alts = self.at["premium_alternative"]
        if alts:
            pid = next((r.parameter for r in self.at["premium_precedence_rule"]), None)
            out = out or {}
            out["premium"] = {"alternatives": [{"category": r.category, "amount": y(r.fen), "rule": self.rule_of(r.parameter)}
                                               for r in sorted(alts)],
                              **(self._take_highest(pid) if pid else {"rule": None})}
        return out

    def tilt(self) -> dict | None:
        tilt = None
        for r in sorted(self.at["tilt"], key=str):
            c, kind, v, pid = r.category, r.kind, r.value, r.parameter
            p = self.kb.parameters[pid]
            if tilt is None:
                tilt = {"category": c, "rule": p.rule, "source": self.source(p.rule)}
            if p.status != "stated":
                tilt["status"] = p.status
            if kind == "tilt_deductible_factor":
                tilt["deductible_factor"] = bp_to_decimal_str(v)
            elif kind == "tilt_ratio" and isinstance(v, int):
                tilt["ratio"] = bp_to_percent(v)
            elif kind == "tilt_ratio_points":
                tilt["ratio_points"] = str(v)
            elif kind == "tilt_no_cap":
                tilt["cap"] = None
            elif kind == "tilt_ordinary_cap":
                tilt["cap"] = "ordinary"
        if tilt is None:
            for r in sorted(self.at["tilt_undetermined"]):
                p = self.kb.parameters[r.parameter]
                return {"category": r.category, "status": "undetermined", "rule": p.rule, "source": self.source(p.rule),
                        "reason": "applicant.birth_date is needed for an age condition"}
        return tilt

    def flags(self) -> list:
        out, seen = [], set()
        for r in sorted(self.at["flag"], key=lambda r: (r.kind, str(r.detail), str(r.parameter))):
            kind, pid, detail = r.kind, r.parameter, r.detail
            rule = self.rule_of(pid)
            if (kind, rule, str(detail)) in seen:  # one clause, several parameters: one flag
                continue
            seen.add((kind, rule, str(detail)))
            f = {"kind": kind, "rule": rule, "source": self.source(rule)}
            f.update(_flag_detail(kind, detail, self.case, self.kb, pid))
            out.append(f)
        return out

    def parameters_used(self) -> dict:
        used = {}
        sources = {r.statistic: r.source for r in self.at["statistic_source"]}
        for r in self.at["statistic"]:
            s, v = r.statistic, r.fen
            src = sources.get(s)
            if isinstance(src, tuple) and src[0] == "kb":
                place, year = src[1], src[2]
                st = next((x for x in self.kb.statistics if x.place == place and x.statistic == s and x.year == year), None)
                origin = {"kb": f"{place} {year}", "source": st.source if st else None}
            else:
                origin = "caller"
            used[s] = {"value": y(v), "from": origin}
        for pid in self.params:
            p = self.kb.parameters[pid]
            given = self.case.parameters[p.key]
            used[p.key] = {"value": ", ".join(map(str, given)) if isinstance(given, list) else str(given), "from": "caller",
                           "replaces": p.status if p.status != "stated" else ", ".join(map(str, p.values))}
        for iid, v in self.interps.items():
            used[iid] = {"value": v, "from": "caller"}
        return used


LIMITS = {"not_referred": "not_referred", "not_in_force": "not_in_force",
          "delegated": "delegated", "quota_year_end": "quota_year_end", "precondition": "precondition"}


def quota_claims_of(at: Atoms, item) -> list[int]:
    """The quota claims a year-end item settles, in input order."""
    return sorted(r.claim for r in at["quota_included"] if r.item == item)


def build_result(case: Case, at: Atoms, kb: KB, params: dict, interps: dict) -> dict:
    return Builder(case, at, kb, params, interps).build()


def _raise_errors(case: Case, at: Atoms, kb: KB) -> None:
    for r in sorted(at["error"], key=str):
        what, pid = r.what, r.parameter
        if what[0] == "statistic":
            stat = what[1]
            use = next((u for u in kb.statistic_uses if u.jurisdiction == case.jurisdiction and u.statistic == stat), None)
            where = f" ({use.place}, {case.year + use.year_offset})" if use else ""
            p = kb.parameters.get(pid)
            raise CaseError(f"parameters.{stat}",
                            f"the statistic {stat}{where} is needed by {p.rule if p else 'a rule'} "
                            f"and is neither in the KB nor supplied")
        if what[0] == "conflict":
            raise CaseError("parameters", f"conflicting parameters without an exception between them: {what}")


def _input_path(inp, claim_index) -> str:
    kind, arg = inp[0], inp[1]
    if kind == "field":
        return f"claims[{claim_index}].{arg}" if claim_index is not None else f"claims[*].{arg}"
    if kind == "param":
        return f"kb:{arg}"
    if kind == "statistic":
        return f"parameters.{arg}"
    if kind == "ytd":
        return f"applicant.year_to_date.{arg}"
    if kind == "step":
        return f"step:{arg}"
    return str(inp)


def _flag_detail(kind: str, d, case: Case, kb: KB, pid) -> dict:
    out: dict = {}
    if isinstance(d, str):
        out["about"] = d
    elif d[0] == "claim":
        out["claim_id"] = case.claims[d[1]].claim_id
    elif d[0] == "category":
        out["category"] = d[1]
    elif d[0] == "amount":
        out["claim_id"] = case.claims[d[1]].claim_id
        out["amount"] = y(d[2])
    elif d[0] == "d":
        out.update({"subkind": d[1], "burden": y(d[2]), "threshold": y(d[3])})
    elif d[0] in ("share", "self_pay"):
        out.update({"claim_id": case.claims[d[1]].claim_id, "measure": "out_of_catalogue" if d[0] == "share" else "self_pay",
                    "amount": y(d[2]), "target": y(d[3])})
    elif d[0] == "place":
        out["place"] = text_of(f"{d[1]}/{d[2]}" if d[2] != "none" else d[1])
    elif d[0] == "premium":
        out["about"] = "premium_subsidy"
        out["category"] = d[1]
    p = kb.parameters.get(pid) if isinstance(pid, str) else None
    if p is not None:
        if p.delegated_to and kind == "delegated":
            out["delegated_to"] = p.delegated_to
        if p.status != "stated":
            out["status"] = p.status
    return out


def _detail(d, kb: KB):
    """A reason's detail for machines: a parameter id becomes its rule id."""
    if isinstance(d, str) and d in kb.parameters:
        return kb.parameters[d].rule
    return d if isinstance(d, (str, int)) else str(d)


# why a claim got nothing: the English wording of each reason code ({d}: its detail)
REASONS = {
    "not_in_force": "no document of the jurisdiction is in force on the settlement date",
    "precondition": "the applicant does not meet the precondition on {d}",
    "quota_year_end": "quota-managed (限额管理): settled once at year end, see annual",
    "not_referred": "care without the required referral is not covered ({d})",
    "not_regulated": "the jurisdiction's texts do not regulate {d} aid",
    "delegated": "the standard is delegated to {who} ({d}) and has not been set",
    "no_category": "the applicant holds no assistance category",
    "identity_not_held": "the identity {d} does not cover this claim's dates",
    "category_not_named": "no clause names {d} for this kind of aid",
    "nothing_to_pay": "nothing left to pay after deductible and cap",
}


def _reason_text(why: str, d, kb: KB) -> str:
    p = kb.parameters.get(d) if isinstance(d, str) else None
    return REASONS.get(why, why).format(d=p.rule if p else d, who=p.delegated_to if p else "")


NOTES_EN = {  # {0}, {1}: the note's arguments
    "parent_rules": "a claim settled before the jurisdiction's document took effect is computed under {1}'s rules "
                    "(interpretation {2})",
    "gained_after_jan1": "{0} was gained during the year: the premium subsidy follows the categories held on 1 January "
                         "(interpretation premium_year_document)",
    "derived": "{0} derived from applicant.facts for the whole case year",
    "not_derived": "{0} not derived: the test '{1}' failed",
    "no_premium_rule": "no premium subsidy rule names {0}",
    "premium_unknown_age": "premium rule for {0} depends on age; applicant.birth_date is missing",
    "apply_at_unknown": "where to apply ({0}) needs applicant.hukou and applicant.residence",
    "tie": "take the highest: {0} and {1} give the same year total; {0} is applied, being listed first in the "
           "category table (interpretation precedence)",
    "premium_tie": "premium subsidy: {0} and {1} give the same amount; {0} is applied, being listed first in the "
                   "category table (interpretation precedence)",
}


def _notes(at, kb: KB, interps: dict, jurisdiction: str) -> list:
    """The note atoms, with reading(Id) (the derivation used parameter Id) replaced by the
    interpretations the KB attaches to Id; an interpretation the caller chose carries its value.
    From the KB too: the reading behind the parent's rules, the clause of a parameter a note names."""
    out = []
    for d in (r.detail for r in at["note"]):
        if isinstance(d, tuple) and d[0] == "reading":
            p = kb.parameters.get(d[1])
            out.extend(("interpretation", i) for i in (p.interpretations if p else ()))
        elif isinstance(d, tuple) and d[0] == "parent_rules":
            out.append(d + (kb.parent_readings.get(jurisdiction, ""),))
        elif isinstance(d, tuple) and d[0] == "apply_at_unknown":
            p = kb.parameters.get(d[1])
            out.append((d[0], kb.clauses[p.clause].locator if p else d[1]))
        else:
            out.append(d)
    return [("interpretation", d[1], interps[d[1]]) if isinstance(d, tuple) and d[0] == "interpretation"
            and interps.get(d[1], kb.interpretations[d[1]].default) != kb.interpretations[d[1]].default else d
            for d in out]


def _note_text(d, kb: KB) -> str:
    n = d[0] if isinstance(d, tuple) else d
    a = d[1:] if isinstance(d, tuple) else ()
    if n == "interpretation":
        i = kb.interpretations.get(a[0])
        if len(a) > 1:
            return f"interpretation {a[0]}: the caller's reading {a[1]}, not the default {i.default} ({i.comment})"
        return f"interpretation {a[0]}: {i.comment if i else ''}"
    if n == "param":
        p = kb.parameters.get(a[0])
        if p is None:
            return str(d)
        extra = f" — {p.note}" if p.note else ""
        who = f" (set by {p.delegated_to})" if p.delegated_to else ""
        names = ", ".join(kb.categories[c].label_en if c in kb.categories else {"any_recipient": "recipients",
                          "everyone": "everyone"}.get(c, c) for c in p.categories)
        benefit = kb.label(p.benefits[0], "en") if p.benefits else ""
        return f"{p.rule}: the {p.kind.replace('_', ' ')} of {benefit} ({names}) is {p.status}{who}{extra}"
    if n in NOTES_EN:
        return NOTES_EN[n].format(*a)
    if n == "precondition":
        p = kb.parameters.get(a[1])
        return f"precondition on {a[0]} not met ({p.rule if p else ''}): no category holds"
    if n == "premium_floor":
        return f"premium for {a[0]}: set by a government, at least {y(a[2])}"
    return str(d)


KINDS_ZH = {"ratio": "救助比例", "deductible_share": "起付标准", "deductible_amount": "起付标准", "cap": "年度限额",
            "amount": "救助标准", "tilt_ratio": "大病保险倾斜比例", "premium_full": "参保资助", "premium_share_floor": "参保资助",
            "return_risk_amount": "因病返贫监测标准", "poverty_risk_amount": "因病致贫监测标准", "return_risk_group": "监测人群",
            "stay_rule": "住院期间身份认定", "exit_rule": "身份退出规则", "take_highest": "多重身份就高原则"}


def _cz(c, kb: KB) -> str:
    cat = kb.categories.get(c)
    return cat.label_zh if cat else {"any_recipient": "救助对象", "everyone": "参保人员"}.get(c, c)


def _note_zh(d, kb: KB) -> str:
    """The note in Chinese, for the default text rendering."""
    n = d[0] if isinstance(d, tuple) else d
    a = tuple(_cz(x, kb) if isinstance(x, str) and x in kb.categories else x for x in (d[1:] if isinstance(d, tuple) else ()))
    if n == "interpretation":
        i = kb.interpretations.get(a[0])
        if len(a) > 1:
            return f"解释口径：调用方选择“{a[1]}”，未采用默认口径“{i.default}”（{i.label_zh}）"
        return f"解释口径：{i.label_zh if i else ''}"
    if n == "param":
        p = kb.parameters.get(a[0])
        if p is None:
            return str(d)
        status = {"vague": "表述模糊", "delegated": "授权另行确定", "silent": "未作规定"}.get(p.status, p.status)
        who = f"（确定机关：{p.delegated_to}）" if p.delegated_to else ""
        benefit = kb.label(p.benefits[0], "zh") if p.benefits else ""
        return f"{p.rule}：{benefit}（{'、'.join(_cz(c, kb) for c in p.categories)}）的{KINDS_ZH.get(p.kind, p.kind)}{status}{who}"
    templates = {
        "parent_rules": "文件生效前结算的费用按{1}的规定计算（本引擎的解释口径）",
        "gained_after_jan1": "{0}于年内取得：参保资助以1月1日所持身份为准（本引擎的解释口径）",
        "derived": "{0}依申请人事实推定，适用全年",
        "not_derived": "{0}未能推定：条件“{1}”不满足",
        "no_premium_rule": "参保资助条款未列明{0}",
        "premium_unknown_age": "{0}的参保资助取决于年龄，缺少出生日期",
        "apply_at_unknown": "申请地（{0}）需要户籍地和居住地",
        "tie": "就高不就低：{0}与{1}全年救助合计相同，按类别表顺序适用{0}（本引擎的解释口径）",
        "premium_tie": "参保资助：{0}与{1}资助金额相同，按类别表顺序适用{0}（本引擎的解释口径）",
    }
    if n in templates:
        return templates[n].format(*a)
    if n == "precondition":
        p = kb.parameters.get(a[1])
        return f"不符合{a[0]}前提条件（{p.rule if p else ''}），不享受任何救助身份"
    if n == "premium_floor":
        return f"{a[0]}的参保资助由政府确定，不低于{y(a[2])}元"
    return str(d)
