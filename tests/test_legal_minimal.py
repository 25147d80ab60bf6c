"""Minimal change (why-not --minimal): the solver's optimum is checked against brute force,
which re-evaluates every subset of the same change space with the full engine."""
import copy
import itertools
import json
from pathlib import Path

import pytest

from medaid_logic.legal.minimal import minimal_change
from medaid_logic.legal.session import Session
from medaid_logic.legal.targets import parse_target

CASE = {  # dibao ended before the stay; the stay skipped its referral (Taiyuan 第二十条)
    "case_id": "mc", "jurisdiction": "taiyuan", "year": 2023,
    "applicant": {"identities": [{"category": "dibao", "since": "2020-01-01", "until": "2023-03-01"},
                                 {"category": "low_income", "since": "2020-01-01", "until": None}],
                  "birth_date": "1950-01-01"},
    "claims": [{"claim_id": "h1", "kind": "inpatient", "admitted": "2023-04-01", "discharged": "2023-04-10",
                "in_province": True, "referred": False, "total_cost": 20000, "in_policy_cost": 20000,
                "basic_insurance_paid": 10000},
               {"claim_id": "o1", "kind": "outpatient_special_drug", "date": "2023-02-01",
                "in_province": False, "referred": True, "total_cost": 3000, "in_policy_cost": 3000,
                "basic_insurance_paid": 1000}],
    "parameters": {"income_base": 29178, "contribution": 380},
}


def variants(case, adds, year):
    """Every subset of: drop a certified identity, add a category for the whole year,
    flip a claim's referred / in_province."""
    moves = [("drop", i) for i in range(len(case["applicant"]["identities"]))]
    moves += [("add", c) for c in adds]
    moves += [("set", k, p) for k in range(len(case["claims"])) for p in ("referred", "in_province")]
    for n in range(len(moves) + 1):
        for subset in itertools.combinations(moves, n):
            c = copy.deepcopy(case)
            drops = {m[1] for m in subset if m[0] == "drop"}
            c["applicant"]["identities"] = [x for i, x in enumerate(c["applicant"]["identities"]) if i not in drops]
            for m in subset:
                if m[0] == "add":
                    c["applicant"]["identities"].append({"category": m[1], "since": f"{year}-01-01", "until": None})
                elif m[0] == "set":
                    c["claims"][m[1]][m[2]] = not c["claims"][m[1]][m[2]]
            yield subset, c


PREMIUM_CASE = {  # Taiyuan low_income aged 33 on 2023-01-01 (born 1990): 第六条 subsidises low_income only
    # "六十周岁以上的老年人和未成年人", so the premium is 0 and status none (age test fails)
    "case_id": "mcp", "jurisdiction": "taiyuan", "year": 2023,
    "applicant": {"identities": [{"category": "low_income", "since": "2020-01-01", "until": None}],
                  "birth_date": "1990-01-01"},
    "claims": [{"claim_id": "h1", "kind": "inpatient", "admitted": "2023-04-01", "discharged": "2023-04-10",
                "in_province": True, "referred": True, "total_cost": 20000, "in_policy_cost": 20000,
                "basic_insurance_paid": 10000}],
    "parameters": {"income_base": 29178, "contribution": 380},
}


def change_space(s, t):
    """The identities brute force may add (the oracle of the solver's choice): the target's own
    category, or for a claim or the premium every category the jurisdiction's text makes a
    recipient (read here from the KB, apart from the solver's recipient/2)."""
    j = s.data["jurisdiction"]
    if t.kind in ("category", "claim_category"):
        return [t.name], int(s.data["year"])
    return [c.id for c in s.kb.categories_in(j) if s.kb.recipient_parameter(j, c.id) is not None], int(s.data["year"])


def payable(result, claim_id, category=None):
    claim = next(c for c in result["claims"] if c["claim_id"] == claim_id)
    cats = {claim["category"]} | {a["category"] for a in claim["alternatives"]}
    return (category in cats) if category else claim["category"] is not None


@pytest.mark.parametrize("target", ["claim:h1", "claim:h1.category:dibao", "claim:o1.category:tekun"])
def test_minimal_change_is_minimal(engine, target):
    s = Session(CASE, engine=engine)
    t = parse_target(target)
    answer = minimal_change(s, t)
    adds, year = change_space(s, t)
    subsets = list(variants(CASE, adds, year))
    results = engine.evaluate_batch([c for _, c in subsets])
    ok = [len(sub) for (sub, _), r in zip(subsets, results)
          if isinstance(r, dict) and payable(r, t.claim, t.name if t.kind == "claim_category" else None)]
    assert ok, "brute force finds no change either"
    assert answer["found"] and answer["size"] == min(ok), (answer, min(ok))
    assert all(c["rules"] for c in answer["changes"]), "every change is tied to a clause"


def test_minimal_premium_change_is_minimal(engine):
    # the premium needs an identity 第六条 pays for at this age: no change of the claim's facts
    # helps, dropping low_income does not, adding one category held from 1 January does
    # (tekun: 全额资助 380.00; ties go to the category listed first), so the optimum is 1.
    s = Session(PREMIUM_CASE, engine=engine)
    assert s.result["premium_subsidy"]["status"] == "none"
    t = parse_target("premium")
    answer = minimal_change(s, t)
    adds, year = change_space(s, t)
    subsets = list(variants(PREMIUM_CASE, adds, year))
    results = engine.evaluate_batch([c for _, c in subsets])
    ok = [len(sub) for (sub, _), r in zip(subsets, results)
          if isinstance(r, dict) and r["premium_subsidy"]["status"] == "computed"]
    assert min(ok) == 1
    assert answer["found"] and answer["size"] == 1, answer
    ch = answer["changes"][0]
    assert ch["term"] == "add(tekun)"
    # tied to the premium clause 第六条 and the recipient clause 第四条(一), not an aid clause
    assert ch["rules"] == ["taiyuan/第六条", "taiyuan/第四条(一)"], ch["rules"]


def test_minimal_clauses_only_of_target_claim(engine):
    # c3 is a special-drug claim: adding tekun is tied to 第九条(一) (its ratio clause) and
    # 第四条(一), not to the inpatient 第八条(一) that would pay c1 and c2
    data = json.loads((Path(__file__).parent.parent / "examples/taiyuan-dibao-returned-poor.json").read_text())
    s = Session(data, engine=engine)
    answer = minimal_change(s, parse_target("claim:c3.category:tekun"))
    assert answer["size"] == 1
    assert answer["changes"][0]["rules"] == ["taiyuan/第九条(一)#special_drug", "taiyuan/第四条(一)"]


def test_no_change_helps(engine):
    # 第九条(一) names only tekun and dibao for special drugs: no change of returned_poor's
    # facts makes returned_poor pay it, and the engine says so
    data = json.loads((Path(__file__).parent.parent / "examples/taiyuan-dibao-returned-poor.json").read_text())
    s = Session(data, engine=engine)
    answer = minimal_change(s, parse_target("claim:c3.category:returned_poor"))
    assert answer["found"] is False


def test_minimal_on_amount_target_keeps_why_not():
    # a step is an amount question: --minimal cannot answer it, the why-not answer is printed
    # anyway with a note, exit 0
    import subprocess
    import sys
    ex = str(Path(__file__).parent.parent / "examples/taiyuan-dibao-returned-poor.json")
    p = subprocess.run([sys.executable, "-m", "medaid_logic.cli", "why-not", ex, "claim:c1.step:top_up", "--minimal"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    # the justification opens with the deciding step: paid 45200 of 50000 = 90.4%, not below 第八条(五)'s 90%
    assert p.stdout.startswith("c1 无需兜底救助：综合支付比例已达 90.4%，不低于目标 90%")
    assert "最小改变: 不适用" in p.stdout and "what-if" in p.stdout
