"""The encoding is stratified: the grounder settles every atom and the solver has nothing to
choose. A rule that makes an aggregate recursive (e.g. a derived atom of an input predicate
summed over that same predicate) silently turns grounding into search, which passes every
amount test yet hangs a batch; this test names the shape instead."""
import json
import sys
from pathlib import Path

from medaid_logic.case import loads, parse_case

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_batch import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# a bench applicant that once hung: three identities, a quota-managed chronic claim among stays
QUOTA_AMONG_STAYS = {
    "case_id": "b1789", "jurisdiction": "taiyuan", "year": 2023,
    "applicant": {"identities": [{"category": "returned_poor", "since": "2021-01-01", "until": None},
                                 {"category": "key_entitled_veteran", "since": "2021-01-01", "until": None},
                                 {"category": "monitored", "since": "2021-01-01", "until": None}],
                  "birth_date": "1960-05-05"},
    "claims": [
        {"claim_id": "c0", "kind": "inpatient", "in_province": True, "referred": True, "total_cost": 95445,
         "in_policy_cost": 95445, "basic_insurance_paid": 48676, "critical_illness_paid": 935, "other_paid": 0,
         "admitted": "2023-01-15", "discharged": "2023-01-27"},
        {"claim_id": "c1", "kind": "outpatient_chronic", "in_province": True, "referred": True, "local": "county",
         "total_cost": 45795, "in_policy_cost": 41632, "basic_insurance_paid": 27893, "critical_illness_paid": 3434,
         "other_paid": 0, "hospital_class": "municipal_2", "date": "2023-02-09", "chronic_management": "quota"},
        {"claim_id": "c2", "kind": "inpatient", "in_province": True, "referred": True, "total_cost": 69868,
         "in_policy_cost": 69868, "basic_insurance_paid": 37030, "critical_illness_paid": 5910, "other_paid": 0,
         "admitted": "2023-04-12", "discharged": "2023-04-24"}],
    "parameters": {"income_base": 29178, "contribution": 380}}


def _all_inputs():
    cases = [QUOTA_AMONG_STAYS, *generate(150, seed=13)]
    for path in sorted((ROOT / "tests" / "cases").rglob("*.json")) + sorted((ROOT / "examples").glob("*.json")):
        spec = loads(path.read_text(encoding="utf-8"))
        case = spec.get("case", spec)
        if "error" not in spec.get("expect", {}) and not case.get("parameters", {}).keys() - {
                "income_base", "rural_income_base", "dibao_standard", "contribution"}:
            cases.append(case)
    return cases


def test_grounder_decides_everything(engine):
    cases = [parse_case(c, engine.kb) for c in _all_inputs()]
    ctl = engine.control(cases, {}, {})
    ctl.ground([("base", [])])
    undecided = [str(a.symbol) for a in ctl.symbolic_atoms if not a.is_fact]
    assert not undecided, f"{len(undecided)} atoms left to the solver, e.g. {undecided[:5]}"
    ctl.solve()
    assert ctl.statistics["solving"]["solvers"]["choices"] == 0
