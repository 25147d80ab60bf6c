"""A validated case as ASP facts (symbols, never pasted strings); dates become YYYYMMDD."""
from __future__ import annotations

from datetime import date

import clingo

from .case import Case
from .kb import FOREVER, KB
from .money import ratio_to_bp, to_decimal, yuan_to_fen

F, N, S = clingo.Function, clingo.Number, clingo.String
TRUE, FALSE, NONE = F("true"), F("false"), F("none")

COST_FIELDS = {"total": "total_cost", "in_policy": "in_policy_cost", "basic": "basic_insurance_paid",
               "critical": "critical_illness_paid", "other": "other_paid"}


def ymd(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def place(code: str, kb: KB) -> tuple[clingo.Symbol, clingo.Symbol]:
    """A place code: a jurisdiction id, optionally /district; any other string is elsewhere."""
    top, _, district = code.partition("/")
    p = F(top) if top in kb.jurisdictions else S(code)
    return p, (S(district) if district else NONE)


def fen(v) -> clingo.Symbol:
    return N(yuan_to_fen(v))


def case_facts(a: int, case: Case, kb: KB) -> list[clingo.Symbol]:
    A = N(a)
    out = [F("case", [A, F(case.jurisdiction), N(case.year)])]
    ap = case.applicant
    for i, ident in enumerate(ap.identities):
        out.append(F("identity", [A, N(i), F(ident.category), F(ident.subtype) if ident.subtype else NONE,
                                  N(ymd(ident.since)), N(ymd(ident.until) if ident.until else FOREVER)]))
    if ap.birth_date:
        out.append(F("birth", [A, N(ymd(ap.birth_date))]))
    if ap.hukou:
        out.append(F("hukou", [A, *place(ap.hukou, kb)]))
    if ap.residence:
        out.append(F("residence", [A, *place(ap.residence.place, kb), N(ymd(ap.residence.since))]))
    if ap.insured_in:
        out.append(F("insured_in", [A, place(ap.insured_in, kb)[0]]))
    for name, value in ap.facts.model_dump(exclude_none=True).items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, bool):
                sym = TRUE if v else FALSE
            elif isinstance(v, int):
                sym = N(v)
            elif isinstance(v, str):
                sym = F(v)
            else:
                sym = fen(v)
            out.append(F("fact", [A, F(name), sym]))
    for name, value in ap.year_to_date.model_dump().items():
        out.append(F("ytd", [A, F(name), fen(value)]))
    for name, value in case.parameters.items():
        if name in ("income_base", "rural_income_base", "dibao_standard", "contribution"):
            out.append(F("statistic_given", [A, F(name), fen(value)]))
    order = sorted(range(len(case.claims)), key=lambda i: (case.claims[i].settlement, i))
    for seq, i in enumerate(order, start=1):
        c = case.claims[i]
        K = N(i)
        out.append(F("claim", [A, K, N(seq), F(c.kind), N(ymd(c.settlement))]))
        if c.kind == "inpatient":
            out.append(F("admitted", [A, K, N(ymd(c.admitted))]))
        for short, name in COST_FIELDS.items():
            out.append(F("cost", [A, K, F(short), fen(getattr(c, name))]))
        for prop in ("in_province", "referred", "relocated"):
            if getattr(c, prop):
                out.append(F("claim_is", [A, K, F(prop)]))
        if c.local:
            out.append(F("local", [A, K, F(c.local)]))
        if c.hospital_class:
            out.append(F("hospital_class", [A, K, F(c.hospital_class)]))
        if c.chronic_management:
            out.append(F("chronic_management", [A, K, F(c.chronic_management)]))
        if c.disease:
            out.append(F("disease", [A, K, F(c.disease)]))
    return out


def overrides_of(case: Case, kb: KB) -> tuple[dict, dict]:
    """The caller's KB-parameter values and interpretations: each group of equal overrides is
    solved with its own policy facts (most cases have none)."""
    params, interps = {}, {}
    for key, value in case.parameters.items():
        if key in kb.interpretations:
            interps[key] = str(value)
        elif f"{case.jurisdiction}/{key}" in kb.parameters:
            p = kb.parameters[f"{case.jurisdiction}/{key}"]
            values = value if isinstance(value, list) else [value]
            params[p.id] = [kb.asp_value(p, to_decimal(v) if p.unit in ("ratio", "yuan", "points", "grade", "years", "flag") else v)
                            for v in values]
    return params, interps
