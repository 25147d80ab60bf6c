"""The safety search over two-bill years with an in-region stay (issue #8): on an engine whose
take-the-highest leaves the year's tilted aid out (tests/fixtures/audit/tilt_left_out, a copy of
asp/precedence.lp before the fix), the search finds that an extra identity lowers Wuhai's aid,
with the figures computed by hand in that fixture's README."""
import shutil
from pathlib import Path

import pytest

from medaid_logic.audit import run_audit
from medaid_logic.audit.findings import expect_of
from medaid_logic.engine import ASP_DIR, Engine
from medaid_logic.kb import load_kb

UNFIXED = Path(__file__).parent / "fixtures" / "audit" / "tilt_left_out" / "precedence.lp"

HAND_CASE = {
    "case_id": "wuhai-tilt", "jurisdiction": "wuhai", "year": 2023,
    "applicant": {"identities": [{"category": "tekun", "since": "2020-01-01", "until": None},
                                 {"category": "dibao", "since": "2020-01-01", "until": None}],
                  "birth_date": "1980-07-01", "hukou": "wuhai", "residence": {"place": "wuhai", "since": "2010-01-01"},
                  "insured_in": "wuhai"},
    "claims": [
        {"claim_id": "c1", "kind": "inpatient", "in_province": True, "local": "city", "referred": True, "relocated": False,
         "admitted": "2023-03-03", "discharged": "2023-03-10", "total_cost": 120000, "in_policy_cost": 120000,
         "basic_insurance_paid": 60000, "critical_illness_paid": 0, "other_paid": 0},
        {"claim_id": "c2", "kind": "inpatient", "in_province": False, "referred": True, "relocated": False,
         "admitted": "2023-06-03", "discharged": "2023-06-10", "total_cost": 120000, "in_policy_cost": 120000,
         "basic_insurance_paid": 60000, "critical_illness_paid": 0, "other_paid": 0}],
    "parameters": {"income_base": 50000, "rural_income_base": 20000, "dibao_standard": 9000, "contribution": 380},
}


@pytest.fixture(scope="module")
def unfixed_asp(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("unfixed") / "asp"
    shutil.copytree(ASP_DIR, d)
    shutil.copy(UNFIXED, d / "precedence.lp")
    return d


@pytest.fixture(scope="module")
def unfixed_report(unfixed_asp):
    import medaid_logic.audit as audit

    class Unfixed(Engine):
        def __init__(self, kb=None, asp_dir=None):
            super().__init__(kb=kb, asp_dir=unfixed_asp)
    original = audit.Engine
    audit.Engine = Unfixed
    try:
        return run_audit(jurisdiction="wuhai"), Unfixed(kb=load_kb())
    finally:
        audit.Engine = original


def test_hand_case_on_the_unfixed_engine(unfixed_report):
    """README figures: tekun + dibao 80,000.00 (tekun applied), dibao alone 84,800.00."""
    _, engine = unfixed_report
    both = engine.evaluate(HAND_CASE)
    alone = engine.evaluate(dict(HAND_CASE, applicant=dict(HAND_CASE["applicant"], identities=HAND_CASE["applicant"]["identities"][1:])))
    assert (both["total_aid"], both["applied_category"]) == ("80000.00", "tekun")
    assert (alone["total_aid"], alone["applied_category"]) == ("84800.00", "dibao")
    assert [a["aid"] for a in alone["annual"] if a["kind"] == "tilted_aid"] == ["4800.00"]


def test_safety_search_finds_the_left_out_tilt(unfixed_report):
    """The search's own two-bill year: in-policy 70,000 − basic 10,000 = 60,000 self-pay on an
    in-region March stay and on a June stay out of province — the README's figures."""
    report, engine = unfixed_report
    f = next(f for f in report["findings"] if f["id"] == "safety/wuhai/extra-identity")
    assert f["severity"] == "high" and f["kind"] == "safety"
    single, dual = f["witness"]
    assert [c["in_province"] for c in dual["case"]["claims"]] == [True, False]
    assert [c["in_policy_cost"] - c["basic_insurance_paid"] for c in dual["case"]["claims"]] == [60000, 60000]
    assert (single["expect"]["total_aid"], dual["expect"]["total_aid"]) == ("84800.00", "80000.00")
    assert [r["aid"] for r in f["table"]] == ["84800.00", "80000.00"] and f["table"][1]["difference"] == "-4800.00"
    assert "4800.00" in f["why"]["zh"] and "84800.00" in f["statement"]["zh"]
    assert any(i["id"] == "precedence" for i in f["interpretations"])
    for w in f["witness"]:
        assert expect_of(engine.evaluate(w["case"])) == w["expect"]
    held = {(h["year"], h["property"]): h for h in report["checked_and_held"] if h["jurisdiction"] == "wuhai"}
    assert held[(2023, "extra_identity")]["holds"] is False and held[(2023, "over_guarantee")]["holds"] is True
