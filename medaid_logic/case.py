"""The case: input of CASE_FORMAT.md, validated strictly; errors name the field's path.

Field-level checks (presence, type, format, sign, codes) come first, then cross-field ones
(conditional requirements, date order, sums). Nothing is guessed or silently dropped.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError, field_validator

from . import limits
from .errors import CaseError
from .kb import KB
from .money import MAX_FEN, check_money, fen_to_str, to_decimal, yuan_to_fen
from .strict_json import loads  # noqa: F401  (the one JSON reader; callers import it from here)

Money = Annotated[Decimal, BeforeValidator(check_money)]
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _iso_date(value):
    """Dates are ISO YYYY-MM-DD text: no epoch integers, no times, no other spellings."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # a date object from a Python caller
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date of the calendar") from None


def _not_bool(value):
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_date)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class Identity(Strict):
    category: str
    since: Date
    until: Date | None = None
    subtype: str | None = None


class Residence(Strict):
    place: StrictStr
    since: Date


class YearToDate(Strict):
    shared_cap_used: Money = Decimal(0)
    general_outpatient_cap_used: Money = Decimal(0)
    deductible_met: Money = Decimal(0)
    personal_burden: Money = Decimal(0)


class Facts(Strict):
    household_income_per_capita: Money | None = None
    household_medical_burden_per_capita: Money | None = None
    household_assets_within_limits: StrictBool | None = None
    disability_certificate_grade: Annotated[Literal[1, 2, 3, 4], BeforeValidator(_not_bool)] | None = None
    disability_types: list[StrictStr] | None = None     # codes from the KB (_check_codes)
    employed: StrictBool | None = None


class Applicant(Strict):
    identities: list[Identity]
    birth_date: Date | None = None
    hukou: StrictStr | None = None
    residence: Residence | None = None
    insured_in: StrictStr | None = None
    facts: Facts = Field(default_factory=Facts)  # a factory: pydantic deep-copies a default instance per case
    year_to_date: YearToDate = Field(default_factory=YearToDate)


class Claim(Strict):
    claim_id: StrictStr
    kind: StrictStr                                      # a claim benefit of the KB (_check_codes)
    admitted: Date | None = None
    discharged: Date | None = None
    date: Date | None = None
    in_province: StrictBool
    local: StrictStr | None = None                      # a locality of the KB (_check_codes)
    referred: StrictBool
    relocated: StrictBool | None = None
    hospital_class: StrictStr | None = None             # a class the KB's parameters name (_check_codes)
    total_cost: Money
    in_policy_cost: Money
    basic_insurance_paid: Money = Decimal(0)
    critical_illness_paid: Money = Decimal(0)
    other_paid: Money = Decimal(0)
    chronic_management: StrictStr | None = None         # a management of the KB (_check_codes)
    disease: StrictStr | None = None                    # a disease the KB's parameters name (_check_codes)

    @property
    def settlement(self) -> dt.date | None:
        return self.discharged if self.kind == "inpatient" else self.date


class Case(Strict):
    case_id: StrictStr
    jurisdiction: StrictStr
    year: StrictInt
    applicant: Applicant
    claims: list[Claim] = Field(default_factory=list)
    parameters: dict[str, Any] = Field(default_factory=dict)

    @field_validator("year")
    @classmethod
    def _year(cls, v: int) -> int:
        if not 1900 <= v <= 2200:
            raise ValueError("year out of range")
        return v


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before", "function-plain") or "[" in str(part):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def parse_case(data: Any, kb: KB) -> Case:
    """Validate one case; raise CaseError naming the first offending field."""
    if not isinstance(data, dict):
        raise CaseError("", "a case is a JSON object")
    if "jurisdiction" in data and (not isinstance(data["jurisdiction"], str) or data["jurisdiction"] not in kb.jurisdictions):
        raise CaseError("jurisdiction", f"unknown jurisdiction {str(data['jurisdiction'])[:40]!r}; one of {', '.join(kb.jurisdictions)}")
    _check_sizes(data)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        raise CaseError(_path(err["loc"]), msg) from None
    _check_codes(case, kb)
    _check_cross_fields(case, kb)
    return case


def _check_sizes(data: dict) -> None:
    """The work limits (limits.py), before anything is validated or solved."""
    lim = limits.current()
    claims = data.get("claims")
    if isinstance(claims, list) and len(claims) > lim.max_claims:
        raise CaseError("claims", f"{len(claims)} claims, above the limit of {lim.max_claims} per case (MEDAID_MAX_CLAIMS)")
    identities = (data.get("applicant") or {}).get("identities") if isinstance(data.get("applicant"), dict) else None
    if isinstance(identities, list) and len(identities) > lim.max_identities:
        raise CaseError("applicant.identities", f"{len(identities)} identities, above the limit of {lim.max_identities} "
                                                "(MEDAID_MAX_IDENTITIES)")


def _check_override(p, value, kb: KB) -> None:
    """A caller's value for KB parameter p, checked against its kind's domain before anything
    uses it: one value (a list only where the KB holds a set), a number in its unit's range."""
    if isinstance(value, list):
        if len(p.values) < 2:
            raise ValueError("one value, not a list")
        if not value:
            raise ValueError("an empty list: give at least one value")
        if any(isinstance(v, (list, dict)) for v in value) or len(set(map(str, value))) != len(value):
            raise ValueError("a list of distinct codes")
        for v in value:
            kb.override_value(p, v)
        return
    if isinstance(value, dict) or value is None:
        raise ValueError(f"one value, not {'an object' if value is not None else 'null'}")
    if isinstance(value, bool) and p.unit != "flag":  # a flag is a yes/no: true/false is its value, not a number
        raise ValueError("expected a number, got a boolean")
    if p.unit not in ("code", "pool", "none", "flag") or (p.unit == "flag" and not isinstance(value, bool)):
        d = to_decimal(value)  # bounded: 1e30 or 1e999999 stop here, before any arithmetic
        if p.unit == "monthday" and (d != d.to_integral_value() or not 101 <= d <= 1231):
            raise ValueError("a month and day as MMDD, e.g. 1231")
    kb.override_value(p, value)


def _code(field: str, value: str, kb: KB, path: str) -> None:
    allowed = kb.codes(field)
    if value not in allowed:
        raise CaseError(path, f"unknown code {value[:40]!r}; one of: {', '.join(allowed)}")


def _check_codes(case: Case, kb: KB) -> None:
    j = case.jurisdiction
    # the codes the KB knows (claim kinds, hospital classes, diseases, disability types)
    for i, c in enumerate(case.claims):
        _code("kind", c.kind, kb, f"claims[{i}].kind")
        for f in ("local", "hospital_class", "chronic_management", "disease"):
            if getattr(c, f) is not None:
                _code(f, getattr(c, f), kb, f"claims[{i}].{f}")
    for k, t in enumerate(case.applicant.facts.disability_types or []):
        _code("disability_types", t, kb, f"applicant.facts.disability_types[{k}]")
    for i, ident in enumerate(case.applicant.identities):
        cat = kb.categories.get(ident.category)
        if cat is None:
            raise CaseError(f"applicant.identities[{i}].category", f"unknown category {ident.category!r}")
        if j not in cat.held_in:
            raise CaseError(f"applicant.identities[{i}].category",
                            f"category {ident.category!r} is not held in {j} (held in: {', '.join(cat.held_in)})")
        if ident.subtype is not None:
            here = [s for s in cat.subtypes if j in cat.subtype_held_in.get(s, [j])]
            if ident.subtype not in here:
                raise CaseError(f"applicant.identities[{i}].subtype",
                                f"{ident.subtype!r} is not a subtype of {ident.category} in {j}"
                                + (f" (subtypes: {', '.join(here)})" if here else " (it has none here)"))
    for key, value in case.parameters.items():
        field = f"parameters.{key}"
        if key in kb.statistic_kinds:
            try:
                check_money(value)
            except ValueError as exc:
                raise CaseError(field, str(exc)) from None
        elif key in kb.interpretations:
            interp = kb.interpretations[key]
            if not interp.options or value not in interp.options:
                raise CaseError(field, f"interpretation {key!r} takes one of: {', '.join(interp.options) or '(none: fixed)'}")
        elif (p := _parameter_named(kb, j, key)) is not None:
            try:
                _check_override(p, value, kb)
            except (ValueError, ArithmeticError) as exc:
                raise CaseError(field, f"bad value for {p.kind} ({p.unit}): {exc}") from None
            if p.key != key and p.key in case.parameters:
                raise CaseError(field, f"given twice: as {key!r} and as {p.key!r}")
        else:
            raise CaseError(field, f"unknown parameter {key!r} for {j}; see `medaid parameters --jurisdiction {j}`")
    _check_pool_caps(case, kb)
    for key in list(case.parameters):   # an id as `medaid parameters` lists it: the key without <j>/
        p = _parameter_named(kb, j, key) if key in kb.parameters else None   # (an id is a key of kb.parameters)
        if p is not None and key == p.id:
            case.parameters[p.key] = case.parameters.pop(key)


def _check_pool_caps(case: Case, kb: KB) -> None:
    """Overrides that leave a cap pool with two caps for one claim (a kind moved into a pool with
    another cap, or one of a pool's caps changed) are refused: which cap would bind is the
    caller's question, not the engine's to guess. The field named is the override that did it:
    a pool moved before a cap changed."""
    named = {}   # param id -> the key as the case wrote it
    for key in case.parameters:
        if key not in kb.statistic_kinds and key not in kb.interpretations and (p := _parameter_named(kb, case.jurisdiction, key)):
            named[p.id] = key
    if not any(kb.parameters[i].kind in ("cap", "cap_pool") for i in named):
        return
    overrides = {i: [kb.override_value(kb.parameters[i], v) for v in (value if isinstance(value, list) else [value])]
                 for i, key in named.items() for value in [case.parameters[key]]}
    for clash in kb.pool_cap_clashes(case.jurisdiction, overrides):
        first, second = clash.first, clash.second
        by = [p for p in (*clash.placed_by, first, second) if p.id in named]
        if not by:
            continue
        culprit = by[0]
        caps = (f"{_cap_text(kb, first, overrides)} ({first.id}, {', '.join(first.benefits)}) and "
                f"{_cap_text(kb, second, overrides)} ({second.id}, {', '.join(second.benefits)})")
        raise CaseError(f"parameters.{named[culprit.id]}",
                        f"the cap pool {clash.pool!r} would hold a claim to two caps, {caps}; a pool has one cap: "
                        f"set both caps to one value (e.g. {second.key}: {_cap_text(kb, first, overrides)}) or keep the pools apart")


def _cap_text(kb: KB, p, overrides: dict) -> str:
    """A cap's value in yuan (the engine's fen), as the case or the KB gives it."""
    return fen_to_str(overrides.get(p.id, [kb.asp_value(p, x) for x in p.values])[0].number)


def _parameter_named(kb: KB, j: str, key: str):
    """The parameter `parameters.<key>` overrides in jurisdiction j: by its key (its own, else the
    one it inherits, kb.parameter_for) or by its full id as `medaid parameters` lists it."""
    if key in kb.parameters and any(p.id == key for p in kb.parameters_of(j)):
        return kb.parameters[key]
    return kb.parameter_for(j, key)


def _rules_of(kb: KB, j: str) -> list:
    """The parameters in force for a case of j: its own and those it inherits, by id."""
    return sorted(kb.parameters_of(j), key=lambda p: p.id)


class _Required:
    """What a jurisdiction's rules require of a case's fields, read from the KB once per
    jurisdiction (the KB is not changed once loaded)."""

    def __init__(self, kb: KB, j: str):
        rules = _rules_of(kb, j)
        # the applicant fields a text conditions aid on (the KB's hukou/insurance requirements)
        self.applicant_fields = [(p, kb.applicant_field_required[p.kind]) for p in rules
                                 if p.kind in kb.applicant_field_required and p.benefits == ["eligibility"]]
        self.for_claims: dict[str, list] = {}   # claim kind → the rules that require a field of its claims
        for q in rules:
            if q.kind in kb.claim_field_required:
                for b in q.benefits:
                    self.for_claims.setdefault(b, []).append(q)

    @staticmethod
    def of(kb: KB, j: str) -> "_Required":
        cache = kb.__dict__.setdefault("_case_required", {})   # asked for every case validated
        if j not in cache:
            cache[j] = _Required(kb, j)
        return cache[j]


def _check_cross_fields(case: Case, kb: KB) -> None:
    a = case.applicant
    for i, ident in enumerate(a.identities):
        if ident.until is not None and ident.until <= ident.since:
            raise CaseError(f"applicant.identities[{i}].until", "the exit date must come after `since`")
    j = case.jurisdiction
    f = a.facts
    required = _Required.of(kb, j)
    tried = {c for c, group in kb.fact_groups.items() if any(getattr(f, n) is not None for n in group.tried_with)}
    # fields a text conditions aid on (the KB's hukou/insurance requirements), for everyone or to
    # derive a category from facts
    for p, needed in required.applicant_fields:
        if getattr(a, needed) is not None:
            continue
        if p.categories == ["everyone"]:
            raise CaseError(f"applicant.{needed}", f"required in {j} ({p.clause})")
        if tried & set(p.categories):
            raise CaseError(f"applicant.{needed}", f"required in {j} to derive {', '.join(p.categories)} from facts ({p.clause})")
    # the facts a derivation rests on, all of them once it is asked for
    for c in sorted(tried):
        group = kb.fact_groups[c]
        for name in sorted(group.rests_on, key=list(Facts.model_fields).index):   # in the format's order
            if getattr(f, name) is None:
                raise CaseError(f"applicant.facts.{name}", f"required with {group.wording}")
    rules_for_claims = required.for_claims
    seen = set()
    # the year's sums are computed in the engine's integers: costs and year-to-date together are bounded
    year_sum = sum(yuan_to_fen(v) for v in a.year_to_date.model_dump().values())
    for i, c in enumerate(case.claims):
        p = f"claims[{i}]"
        if c.claim_id in seen:
            raise CaseError(f"{p}.claim_id", f"duplicate claim id {c.claim_id!r}")
        seen.add(c.claim_id)
        if c.kind == "inpatient":
            for name in ("admitted", "discharged"):
                if getattr(c, name) is None:
                    raise CaseError(f"{p}.{name}", "required for an inpatient claim")
            if c.date is not None:
                raise CaseError(f"{p}.date", "an inpatient claim has admitted and discharged, not date")
            if c.discharged < c.admitted:
                raise CaseError(f"{p}.discharged", "discharged before admitted")
            settle_field = "discharged"
        else:
            if c.date is None:
                raise CaseError(f"{p}.date", f"required for a {c.kind} claim")
            for name in ("admitted", "discharged"):
                if getattr(c, name) is not None:
                    raise CaseError(f"{p}.{name}", f"a {c.kind} claim has a date, not {name}")
            settle_field = "date"
        year_sum += yuan_to_fen(c.total_cost)
        if year_sum > MAX_FEN:
            raise CaseError(f"{p}.total_cost", "the year's costs and year-to-date amounts together exceed "
                                               f"the engine's limit of {fen_to_str(MAX_FEN)} yuan")
        if c.settlement.year != case.year:
            raise CaseError(f"{p}.{settle_field}", f"settled in {c.settlement.year}, outside the case year {case.year}")
        if c.in_policy_cost > c.total_cost:
            raise CaseError(f"{p}.in_policy_cost", "in_policy_cost exceeds total_cost")
        if c.basic_insurance_paid + c.critical_illness_paid + c.other_paid > c.in_policy_cost:
            raise CaseError(f"{p}.basic_insurance_paid",
                            "basic + critical-illness + other payments exceed the in-policy cost")
        if c.total_cost > c.in_policy_cost and c.hospital_class is None:
            raise CaseError(f"{p}.hospital_class", "required when total_cost > in_policy_cost (catalogue-cost control)")
        # a claim field the claim's kind, or a rule of the jurisdiction for that kind, requires
        needed = kb.claim_field_required.get(c.kind)
        if needed is not None and getattr(c, needed) is None:
            raise CaseError(f"{p}.{needed}", f"required for a {c.kind} claim")
        for q in rules_for_claims.get(c.kind, []):
            needed = kb.claim_field_required[q.kind]
            if getattr(c, needed) is None:
                raise CaseError(f"{p}.{needed}", f"required in {j}: {' or '.join(kb.codes(needed))} ({q.clause})")
