"""A reform: new parameter values and interpretations, laid over a population (`medaid simulate`).

The file is one JSON object keyed by jurisdiction; each value is what a case's `parameters`
takes (CASE_FORMAT.md): KB parameter ids as `medaid parameters --jurisdiction J` lists them
(with or without the `J/` prefix) and interpretation ids:

    {"taiyuan": {"inpatient/dibao/ratio": 0.75, "precedence": "per_claim"},
     "wuhai":   {"tilted_aid/ratio": 0.5}}

Each case of a jurisdiction named gets these values over its own `parameters` (the reform
wins); the other cases are evaluated as they are. Every value is checked as a case's would be:
a bad one is exit 2 naming `REFORM.<jurisdiction>.<id>`.
"""
from __future__ import annotations

from .case import parse_case
from .errors import CaseError
from .kb import KB


def load_reform(raw: bytes, kb: KB) -> dict:
    """The reform file's text → {jurisdiction: parameters}, every value checked."""
    from .strict_json import loads
    data = loads(raw)
    if not isinstance(data, dict) or not data:
        raise CaseError("", "a reform is a JSON object keyed by jurisdiction, e.g. {\"taiyuan\": {\"inpatient/dibao/ratio\": 0.75}}")
    for j, params in data.items():
        if j not in kb.jurisdictions:
            raise CaseError(j, f"unknown jurisdiction {j!r}; one of {', '.join(kb.jurisdictions)}")
        if not isinstance(params, dict) or not params:
            raise CaseError(j, "the parameters of a jurisdiction are a non-empty JSON object")
        for key, value in params.items():
            trial = {"case_id": "reform", "jurisdiction": j, "year": 2023, "applicant": {"identities": []},
                     "claims": [], "parameters": {key: value}}
            try:
                parse_case(trial, kb)
            except CaseError as exc:
                raise CaseError(f"{j}.{key}", exc.message) from None
    return data


def apply_reform(case: dict, reform: dict) -> dict:
    """The case with the reform's values for its jurisdiction over its own parameters."""
    extra = reform.get(case.get("jurisdiction")) if isinstance(case.get("jurisdiction"), str) else None
    if not extra or not isinstance(case.get("parameters", {}), dict):
        return case  # nothing to change, or a bad case that validation will name
    own = {k: v for k, v in case.get("parameters", {}).items() if k not in extra and k.split("/", 1)[-1] not in extra}
    return {**case, "parameters": {**own, **extra}}


def changed_clauses(reform: dict, kb: KB) -> list[dict]:
    """Each value the reform changes, with the clause it belongs to (from the KB)."""
    out = []
    for j, params in reform.items():
        for key, value in params.items():
            if key in kb.interpretations:
                i = kb.interpretations[key]
                rules = [r for r in i.based_on if r.startswith(f"{j}/")] or i.based_on
                out.append({"jurisdiction": j, "interpretation": key, "baseline": i.default, "reform": str(value),
                            "clauses": [{"rule": r, **kb.clause_source(r)} for r in rules]})
                continue
            p = kb.parameters.get(key) or kb.parameter_for(j, key)
            out.append({"jurisdiction": j, "parameter": p.id, "kind": p.kind, "unit": p.unit,
                        "categories": [c for c in p.categories if isinstance(c, str)], "benefits": p.benefits,
                        "baseline": [str(v) for v in p.values] or None, "reform": _text(value),
                        "status": p.status, "clauses": [{"rule": p.rule, **kb.clause_source(p.rule)}]})
    return out


def _text(value):
    return [str(v) for v in value] if isinstance(value, list) else str(value)
