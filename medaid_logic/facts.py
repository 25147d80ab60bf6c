"""A validated case as ASP facts, dates as YYYYMMDD integers, money as fen.

Facts are written as one program string per batch: measured several times faster to load
than one backend call per fact. Every value written is an integer, a validated identifier
or a string quoted by :func:`q` (any text, control characters and NUL included), so no input
can inject a rule or break the program.
"""
from __future__ import annotations

from datetime import date

from .atoms import INPUTS, atom
from .case import Case, Facts, YearToDate
from .kb import FOREVER, KB
from .money import yuan_to_fen

FACT_FIELDS = tuple(Facts.model_fields)
YTD_FIELDS = tuple(YearToDate.model_fields)
COST_FIELDS = {"total": "total_cost", "in_policy": "in_policy_cost", "basic": "basic_insurance_paid",
               "critical": "critical_illness_paid", "other": "other_paid"}
# one fact holds a record's fields in the order its declaration names them (asp/inputs.lp reads
# each field by its place): a field added to the case format and not to the schema fails here
if INPUTS["year_to_date"].fields[1:] != YTD_FIELDS or INPUTS["claim_costs"].fields[2:] != tuple(COST_FIELDS):
    raise ImportError("atoms.INPUTS year_to_date / claim_costs do not name case.YearToDate / COST_FIELDS in order")


def ymd(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


# clingo's string literals know three escapes (\\ \" \n) and take every other character as it
# is, except NUL (its parser reads C strings). NUL and the private-use character chosen as the
# escape are written as that character and a digit, so any text goes in and comes back intact.
_ESC = "\ue000"
_ENCODE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\0": _ESC + "0", _ESC: _ESC + "1"})


def q(s: str) -> str:
    """Any text as a clingo string literal; text_of(the symbol's string) gives it back."""
    return '"' + s.translate(_ENCODE) + '"'


def text_of(s: str) -> str:
    """The text q() wrote, from the string the solver gives back."""
    return s.replace(_ESC + "0", "\0").replace(_ESC + "1", _ESC) if _ESC in s else s


def place(code: str, kb: KB) -> tuple[str, str]:
    """A place code as two terms: a jurisdiction id (or any other text, quoted: elsewhere) and
    its district (quoted) or none."""
    district = code.partition("/")[2]
    return place_top(code, kb), (q(district) if district else "none")


def place_top(code: str, kb: KB) -> str:
    top = code.partition("/")[0]
    return top if top in kb.jurisdictions else q(top)


def case_facts(a: int, case: Case, kb: KB) -> str:
    out = [atom("case", a, case.jurisdiction, case.year)]
    ap = case.applicant
    for i, ident in enumerate(ap.identities):
        until = ymd(ident.until) if ident.until else FOREVER
        out.append(atom("identity", a, i, ident.category, ident.subtype or "none", ymd(ident.since), until))
    if ap.birth_date:
        out.append(atom("birth", a, ymd(ap.birth_date)))
    if ap.hukou:
        out.append(atom("hukou", a, *place(ap.hukou, kb)))
    if ap.residence:
        out.append(atom("residence", a, *place(ap.residence.place, kb), ymd(ap.residence.since)))
    if ap.insured_in:
        out.append(atom("insured_in", a, place_top(ap.insured_in, kb)))
    for name in FACT_FIELDS:   # model_dump's order, without its cost
        value = getattr(ap.facts, name)
        if value is None:
            continue
        for v in (value if isinstance(value, list) else [value]):
            if isinstance(v, bool):
                sym = "true" if v else "false"
            elif isinstance(v, int):
                sym = str(v)
            elif isinstance(v, str):
                sym = v  # a validated code (disability type)
            else:
                sym = str(yuan_to_fen(v))
            out.append(atom("fact", a, name, sym))
    out.append(atom("year_to_date", a, *(yuan_to_fen(getattr(ap.year_to_date, name)) for name in YTD_FIELDS)))
    for name, value in case.parameters.items():
        if name in kb.statistic_kinds:
            out.append(atom("statistic_given", a, name, yuan_to_fen(value)))
    order = sorted(range(len(case.claims)), key=lambda i: (case.claims[i].settlement, i))
    for seq, i in enumerate(order, start=1):
        c = case.claims[i]
        out.append(atom("claim", a, i, seq, c.kind, ymd(c.settlement)))
        if c.kind == "inpatient":
            out.append(atom("admitted", a, i, ymd(c.admitted)))
        out.append(atom("claim_costs", a, i, *(yuan_to_fen(getattr(c, name)) for name in COST_FIELDS.values())))
        for prop in ("in_province", "referred", "relocated"):
            if getattr(c, prop):
                out.append(atom("claim_is", a, i, prop))
        for prop in ("local", "hospital_class", "chronic_management", "disease"):
            v = getattr(c, prop)
            if v:
                out.append(atom(prop, a, i, v))
    return "\n".join(out)


def overrides_of(case: Case, kb: KB) -> tuple[dict, dict]:
    """The caller's KB-parameter values and interpretations: each group of equal overrides is
    solved with its own policy facts (most cases have none)."""
    params, interps = {}, {}
    for key, value in case.parameters.items():
        if key in kb.interpretations:
            interps[key] = str(value)
        elif (p := kb.parameter_for(case.jurisdiction, key)) is not None:  # its own, else the inherited one
            params[p.id] = [kb.override_value(p, v) for v in (value if isinstance(value, list) else [value])]
    return params, interps
