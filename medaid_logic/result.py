"""Answer atoms of one applicant → the result of CASE_FORMAT.md.

Nothing here decides policy: every amount, rule, limit, flag and note is an atom the solver
derived; this module only formats them (fen → yuan strings, basis points → %, dates → ISO)
and attaches each rule's clause text from the KB. The text fields (a step's formula, a claim's
reason, the notes) are worded by wording.py.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from operator import attrgetter

from .atoms import Atoms
from .case import Case
from .errors import CaseError
from .facts import text_of
from .kb import FOREVER, KB
from .money import bp_to_decimal_str, bp_to_percent, fen_to_str as y
from .wording import age_unknown_text, formula_text, note_text, reasons_text


def iso(n: int) -> str | None:
    if n >= FOREVER:
        return None
    return date(n // 10000, n // 100 % 100, n % 100).isoformat()


class Builder:
    def __init__(self, case: Case, at: Atoms, kb: KB, params: dict, interps: dict):
        self.case, self.at, self.kb, self.params, self.interps = case, at, kb, params, interps
        self.tables = _tables(kb)
        self.steps_of = defaultdict(list)   # item → its steps, uses by (item, step)
        for s in at["step"]:
            self.steps_of[s.item].append(s)
        self.uses_of = defaultdict(list)
        for u in at["uses"]:
            self.uses_of[u.item, u.what].append(u.input)

    def source(self, rule_id):
        return self.tables.source(rule_id) if rule_id else None

    def rule_of(self, pid):
        return self.tables.rules.get(pid) if isinstance(pid, str) else None

    def build(self) -> dict:
        at, case = self.at, self.case
        _raise_errors(case, at, self.kb)
        claims, total_claims = self.claims()
        annual = self.annual()
        premium = self.premium()
        notes = [self.tables.note_words(d) for d in _notes(at, self.kb, self.interps, case.jurisdiction)]
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
            "notes": sorted({en for en, _ in notes}),
            "notes_zh": sorted({zh for _, zh in notes}),
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
        for s in sorted(self.steps_of.get(k, ()), key=_ORDER):
            what, formula = s.what, s.formula
            step = {"what": what, "amount": y(s.fen), "formula": formula_text(formula), "formula_zh": formula_text(formula, "zh")}
            rule = self.rule_of(s.parameter)
            if rule:
                step["rule"] = rule
                step["source"] = self.source(rule)
            step["inputs"] = sorted(_input_path(inp, claim_index) for inp in self.uses_of.get((k, what), ()))
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
                entry["reason"] = reasons_text(why, self.kb)
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
                        "source": self.source(p.rule), "reason": age_unknown_text()}
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
                        "reason": age_unknown_text()}
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
                origin = {"kb": f"{place} {year}", "source": self.tables.statistic_source(place, s, year)}
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


_ORDER = attrgetter("order")

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
        if what[0] == "unsettled":  # an engine defect (claims.lp), never the caller's: an engine failure
            item = what[2]
            claim = case.claims[item].claim_id if isinstance(item, int) else "a year-end settlement"
            raise RuntimeError(f"claim {claim} is paid but not settled: the settlement chain has no account for its cap pool")


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


def _notes(at, kb: KB, interps: dict, jurisdiction: str) -> list:
    """The note atoms, with reading(Id) (the derivation used parameter Id) replaced by the
    interpretations the KB attaches to Id; an interpretation the caller chose carries its value.
    From the KB too: the reading behind the parent's rules, the clause of a parameter a note names."""
    tables = _tables(kb)
    out = []
    for r in at["note"]:
        out.extend(tables.note_details(r.detail, jurisdiction))
    if not interps:
        return out
    return [("interpretation", d[1], interps[d[1]]) if isinstance(d, tuple) and d[0] == "interpretation"
            and interps.get(d[1], kb.interpretations[d[1]].default) != kb.interpretations[d[1]].default else d
            for d in out]


def _note_details(d, kb: KB, jurisdiction: str) -> list:
    """One note atom's detail as the notes it stands for (_notes)."""
    if isinstance(d, tuple) and d[0] == "reading":
        p = kb.parameters.get(d[1])
        out = [("interpretation", i) for i in (p.interpretations if p else ())]
    elif isinstance(d, tuple) and d[0] == "parent_rules":
        out = [d + (kb.parent_readings.get(jurisdiction, ""),)]
    elif isinstance(d, tuple) and d[0] == "apply_at_unknown":
        p = kb.parameters.get(d[1])
        out = [(d[0], kb.clauses[p.clause].locator if p else d[1])]
    else:
        out = [d]
    for n in out:   # an interpretation the KB lacks fails here, as it did where the caller's are applied
        if isinstance(n, tuple) and n[0] == "interpretation":
            kb.interpretations[n[1]]
    return out


class _Tables:
    """What every result asks of one KB, computed once per KB: a parameter's rule, a clause's
    source, a KB statistic's source, a note atom's notes and each note's words (all functions
    of the KB alone, which is not changed once loaded)."""

    def __init__(self, kb: KB):
        self.kb = kb
        self.rules = {pid: p.rule for pid, p in kb.parameters.items()}   # a parameter's rule id
        self._sources: dict = {}
        self._statistics = {(x.place, x.statistic, x.year): x.source for x in reversed(kb.statistics)}  # the first wins
        self._details: dict = {}
        self._words: dict = {}

    def source(self, rule_id: str) -> dict:
        src = self._sources.get(rule_id)
        if src is None:
            src = self._sources[rule_id] = self.kb.clause_source(rule_id)
        return dict(src)   # each result its own

    def statistic_source(self, place, statistic, year):
        return self._statistics.get((place, statistic, year))

    def note_details(self, d, jurisdiction: str) -> list:
        key = (d, jurisdiction)
        out = self._details.get(key)
        if out is None:
            out = self._details[key] = _note_details(d, self.kb, jurisdiction)
        return out

    def note_words(self, d) -> tuple[str, str]:
        """The note in English and in Chinese."""
        out = self._words.get(d)
        if out is None:
            out = self._words[d] = (note_text(d, self.kb, "en"), note_text(d, self.kb, "zh"))
        return out


def _tables(kb: KB) -> _Tables:
    tables = kb.__dict__.get("_result_tables")
    if tables is None:
        tables = kb.__dict__["_result_tables"] = _Tables(kb)
    return tables
