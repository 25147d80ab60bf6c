"""Caller overrides: a delegated standard supplied by the caller is computed, and says where it
came from; an interpretation can be switched; a bad override names its field."""
import copy
import json
from pathlib import Path

import pytest

from medaid_logic.errors import CaseError

EXAMPLE = json.loads((Path(__file__).parent.parent / "examples/taiyuan-dibao-returned-poor.json").read_text())


def test_county_sets_the_delegated_tilted_aid_standard(engine):
    # 第十一条(二) delegates the standard to the county; with 50% above 1000.00 supplied:
    # burdens after aid: c1 16000 − 11200 − 0 = 4800; c2 5000 − 3500 − 0 = 1500; c3 2800 − 280 = 2520
    # → 8820.00; tilted aid = (8820.00 − 1000.00) × 50% = 3910.00; total 26455.00 + 3910.00 = 30365.00
    case = copy.deepcopy(EXAMPLE)
    case["parameters"].update({"tilted_aid/ratio": 0.5, "tilted_aid/deductible_amount": 1000})
    r = engine.evaluate(case)
    tilted = next(a for a in r["annual"] if a["kind"] == "tilted_aid")
    assert tilted["aid"] == "3910.00" and tilted["rule"] == "taiyuan/第十一条(二)"
    assert r["total_aid"] == "30365.00"
    assert r["parameters_used"]["tilted_aid/ratio"] == {"value": "0.5", "from": "caller", "replaces": "delegated"}
    assert not any(f["kind"] == "delegated" and f.get("about") == "tilted_aid" for f in r["flags"])
    # without it: nothing paid, and the flag names the county government
    base = engine.evaluate(EXAMPLE)
    assert not any(a["kind"] == "tilted_aid" for a in base["annual"])
    flag = next(f for f in base["flags"] if f["kind"] == "delegated" and f.get("about") == "tilted_aid")
    assert flag["delegated_to"] == "县级人民政府"


def test_precedence_per_claim(engine):
    # per claim: each claim its best category; here the same as the annual choice
    # (returned_poor on c1 and c2, dibao on c3 which 第九条(一) gives only to tekun and dibao)
    case = copy.deepcopy(EXAMPLE)
    case["parameters"]["precedence"] = "per_claim"
    r = engine.evaluate(case)
    assert [c["category"] for c in r["claims"]] == ["returned_poor", "returned_poor", "dibao"]
    assert r["total_aid"] == "26455.00"


@pytest.mark.parametrize("key,value,field", [
    ("tilted_aid/ratio", "abc", "parameters.tilted_aid/ratio"),
    ("no_such_parameter", 1, "parameters.no_such_parameter"),
    ("precedence", "lowest", "parameters.precedence"),
    ("income_base", -1, "parameters.income_base"),
])
def test_bad_override_names_its_field(engine, key, value, field):
    case = copy.deepcopy(EXAMPLE)
    case["parameters"][key] = value
    with pytest.raises(CaseError) as err:
        engine.evaluate(case)
    assert err.value.field == field


def test_missing_birth_date_makes_age_rules_undetermined(engine):
    # 第六条 and 第十条 give low-income members aged ≥ 60 or minors 50% / the insurance tilt:
    # without a birth date neither can be decided — undetermined, never an error or a guess
    case = {"case_id": "nb", "jurisdiction": "taiyuan", "year": 2023,
            "applicant": {"identities": [{"category": "low_income", "since": "2020-01-01"}]},
            "parameters": {"contribution": 380}}
    r = engine.evaluate(case)
    assert r["premium_subsidy"]["status"] == "undetermined" and r["premium_subsidy"]["amount"] is None
    assert r["insurance_tilt"]["status"] == "undetermined" and r["insurance_tilt"]["rule"] == "taiyuan/第十条"
    # with it (62 on 1 January 2023): 380.00 × 50% = 190.00
    case["applicant"]["birth_date"] = "1960-06-30"
    r = engine.evaluate(case)
    assert r["premium_subsidy"]["amount"] == "190.00"
    assert r["insurance_tilt"]["ratio"] == "78%" and r["insurance_tilt"]["cap"] == "ordinary"
