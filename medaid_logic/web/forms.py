"""The Case form: a case dict ↔ the form's flat fields. Nothing is guessed: an empty field is left
out of the case (the engine then says what is missing); numbers stay the strings typed (the
engine reads them as exact decimals); the engine validates the case, naming the field."""
from __future__ import annotations

import json
import typing
from decimal import Decimal

from ..case import Claim, Facts, YearToDate

IDENTITY_FIELDS = ("category", "subtype", "since", "until")
CLAIM_FIELDS = tuple(Claim.model_fields)
BOOL_CLAIM = ("in_province", "referred", "relocated")
FACT_FIELDS = tuple(Facts.model_fields)
YTD_FIELDS = tuple(YearToDate.model_fields)


def _widget(annotation) -> tuple[str, list[str]]:
    """How the form asks for a fact, read from its type in the case model: a yes/no, a choice
    among the literal values, a set of codes (listed by the KB), or a decimal."""
    for arg in typing.get_args(annotation) or (annotation,):
        while typing.get_origin(arg) is typing.Annotated:
            arg = typing.get_args(arg)[0]
        if arg is bool:
            return "yesno", []
        if typing.get_origin(arg) is typing.Literal:
            return "choice", [str(v) for v in typing.get_args(arg)]
        if typing.get_origin(arg) is list:
            return "codes", []
    return "decimal", []


FACT_WIDGETS = {k: _widget(f.annotation) for k, f in Facts.model_fields.items()}


def _s(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


def blank(jurisdiction: str, year: int) -> dict:
    return {"case_id": "", "jurisdiction": jurisdiction, "year": str(year), "birth_date": "", "hukou": "",
            "residence_place": "", "residence_since": "", "insured_in": "",
            "identities": [dict.fromkeys(IDENTITY_FIELDS, "")], "claims": [new_claim(1)],
            "facts": {}, "stats": {}, "ytd": {}, "params_extra": ""}


def new_claim(n: int) -> dict:
    c = dict.fromkeys(CLAIM_FIELDS, "")
    c.update(claim_id=f"c{n}", kind="inpatient", in_province="true", referred="true")
    return c


def from_case(case: dict, statistics: list[str]) -> dict:
    """A case (as read) → the form's values, every field kept (what the form does not show as a
    field goes to the parameter overrides box); `statistics`: the KB's (kb.statistic_kinds)."""
    ap = case.get("applicant") or {}
    res = ap.get("residence") or {}
    params = dict(case.get("parameters") or {})
    stats = {k: _s(params.pop(k)) for k in list(params) if k in statistics}
    facts = ap.get("facts") or {}
    return {
        "case_id": _s(case.get("case_id")), "jurisdiction": _s(case.get("jurisdiction")), "year": _s(case.get("year")),
        "birth_date": _s(ap.get("birth_date")), "hukou": _s(ap.get("hukou")),
        "residence_place": _s(res.get("place")), "residence_since": _s(res.get("since")),
        "insured_in": _s(ap.get("insured_in")),
        "identities": [{k: _s(i.get(k)) for k in IDENTITY_FIELDS} for i in ap.get("identities") or []],
        "claims": [{k: _s(c.get(k)) for k in CLAIM_FIELDS} for c in case.get("claims") or []],
        "facts": {k: (list(v) if isinstance(v, list) else _s(v)) for k, v in facts.items()},
        "stats": stats, "ytd": {k: _s(v) for k, v in (ap.get("year_to_date") or {}).items()},
        "params_extra": json.dumps(params, ensure_ascii=False, default=str) if params else "",
    }


def read_form(form, statistics: list[str]) -> dict:
    """The posted form (a starlette FormData) → the form's values (the same shape as from_case)."""
    get = lambda k: (form.get(k) or "").strip()
    rows = lambda prefix: sorted({int(k.split("-")[1]) for k in form.keys() if k.startswith(prefix + "-")
                                  and k.split("-")[1].isdigit()})
    return {
        "case_id": get("case_id"), "jurisdiction": get("jurisdiction"), "year": get("year"),
        "birth_date": get("birth_date"), "hukou": get("hukou"), "residence_place": get("residence_place"),
        "residence_since": get("residence_since"), "insured_in": get("insured_in"),
        "identities": [{k: get(f"id-{n}-{k}") for k in IDENTITY_FIELDS} for n in rows("id")],
        "claims": [{k: get(f"cl-{n}-{k}") for k in CLAIM_FIELDS} for n in rows("cl")],
        "facts": {k: (form.getlist(f"fact-{k}") if FACT_WIDGETS[k][0] == "codes" else get(f"fact-{k}")) for k in FACT_FIELDS
                  if form.getlist(f"fact-{k}")},
        "stats": {k: get(f"stat-{k}") for k in statistics if get(f"stat-{k}")},
        "ytd": {k: get(f"ytd-{k}") for k in YTD_FIELDS if get(f"ytd-{k}")},
        "params_extra": get("params_extra"),
    }


class FormError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(field, message)
        self.field, self.message = field, message


def _value(v: str):
    """A typed value as the case's JSON would carry it: true/false as booleans, an integer as an
    integer (grade, year), anything else as the string typed (dates, codes, money)."""
    if v in ("true", "false"):
        return v == "true"
    if v.isdigit():
        return int(v)
    return v


def to_case(f: dict) -> dict:
    """The form's values → a case dict for the engine (empty fields left out)."""
    case: dict = {"case_id": f["case_id"], "jurisdiction": f["jurisdiction"], "year": _value(f["year"])}
    ap: dict = {"identities": [{k: _value(v) if k != "category" else v for k, v in i.items() if v}
                               for i in f["identities"] if any(i.values())]}
    for k in ("birth_date", "hukou", "insured_in"):
        if f[k]:
            ap[k] = f[k]
    if f["residence_place"] or f["residence_since"]:
        ap["residence"] = {k: v for k, v in (("place", f["residence_place"]), ("since", f["residence_since"])) if v}
    facts = {}
    for k, v in f["facts"].items():
        if FACT_WIDGETS[k][0] == "codes":
            if v:
                facts[k] = list(v)
        elif v:
            facts[k] = _value(v) if FACT_WIDGETS[k][0] in ("yesno", "choice") else v
    if facts:
        ap["facts"] = facts
    if f["ytd"]:
        ap["year_to_date"] = dict(f["ytd"])
    case["applicant"] = ap
    claims = []
    for c in f["claims"]:
        if not any(v for k, v in c.items() if k not in ("kind", "in_province", "referred")):
            continue   # an untouched new row
        claims.append({k: (_value(v) if k in BOOL_CLAIM else v) for k, v in c.items() if v})
    case["claims"] = claims
    params = dict(f["stats"])
    if f["params_extra"]:
        try:
            extra = json.loads(f["params_extra"], parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise FormError("parameters", f"not valid JSON: {exc.msg}") from None
        if not isinstance(extra, dict):
            raise FormError("parameters", "a JSON object of parameter overrides")
        params.update(extra)
    if params:
        case["parameters"] = params
    return case


def fields_read(kb, jurisdiction: str, form: dict) -> dict:
    """What optional fields the jurisdiction's rules read (from the KB: the statistics its
    parameters use, the facts of the derivations it states — its own or, up its chain, a parent's),
    plus any the case already fills. Facts come as (field, widget, options) in the case model's order."""
    chain = [jurisdiction]
    while kb.parents.get(chain[-1]) and kb.parents[chain[-1]] not in chain:
        chain.append(kb.parents[chain[-1]])
    kinds = {p.kind for p in kb.parameters.values() if p.jurisdiction in chain and "eligibility" in p.benefits}
    read = {f for g in kb.fact_groups.values() if g.kind in kinds for f in (*g.rests_on, *g.reads()[1])}
    facts = [(k, kind, options or (kb.codes(k) if kind == "codes" else []))
             for k, (kind, options) in FACT_WIDGETS.items() if k in read or k in form["facts"]]
    stats = sorted({u.statistic for u in kb.statistic_uses if u.jurisdiction in chain} | set(form["stats"]),
                   key=lambda s: kb.statistic_kinds.index(s) if s in kb.statistic_kinds else len(kb.statistic_kinds))
    return {"stats": stats, "facts": facts,
            "claim_kinds": kb.codes("kind"), "hospital_classes": kb.codes("hospital_class")}
