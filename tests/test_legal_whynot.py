"""why-not on each rule kind: the clause locator cited and the condition that failed (read from
the ASP rule bodies), and where another identity would have paid, the amount; a what-if that
flips the applied category."""
import copy
import json
from pathlib import Path

import pytest

from medaid_logic.legal.session import Session
from medaid_logic.legal.targets import parse_target
from medaid_logic.legal.whatif import what_if, what_if_text
from medaid_logic.legal.whynot import why_not

ROOT = Path(__file__).resolve().parent.parent


def load(name):
    return json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))


TY = load("taiyuan-dibao-returned-poor.json")
WH = load("wuhai-illness-poor-derived.json")


@pytest.fixture(scope="module")
def ty(engine):
    return Session(TY, engine)


def rules_for(ans, **kw):
    return [r for r in ans["rules"] if all(r.get(k) == v for k, v in kw.items())]


def test_category_not_derived(engine):
    """Wuhai illness_poor from facts: household income above the income base fails the first test."""
    d = copy.deepcopy(WH)
    d["applicant"]["facts"]["household_income_per_capita"] = 60000
    s = Session(d, engine)
    ans = why_not(s, parse_target("category:illness_poor"), "en")
    assert not ans["held"] and ans["obtained"] == []
    derived = [r for r in ans["rules"] if r.get("goal", "").startswith("interval(0,derived,illness_poor")][0]
    assert derived["clause"] == "三(一)" and derived["rule"] == "wuhai/三(一)"
    goals = [c["goal"] for c in derived["chain"]]
    # the generic derivation (asp/eligibility.lp) followed to the KB's first test that failed
    assert "derived(0,illness_poor)" in goals and "el_derivation_ok(0,illness_poor,income_below_base)" in goals
    assert derived["chain"][-1]["failed"] == "6000000 < 5000000"   # income 60,000 not below base 50,000 (fen)
    # with the identity held, Wuhai would have paid w1 at 三(三)
    wp = [w for c in ans["claims"] if c["claim"] == "w1" for w in c["would_pay"] if w.get("jurisdiction") == "wuhai"][0]
    assert wp["aid"] == "11550.00" and wp["rule"] == "wuhai/三(三)"


def test_claim_category_not_named(ty):
    """Taiyuan 第九条(一) names only 特困人员 and 低保对象: returned_poor gets nothing on the special drug."""
    ans = why_not(ty, parse_target("claim:c3.category:returned_poor"), "en")
    assert ans["obtained"] == [] and ans["applied_category"] == "dibao" and ans["claim_aid"] == "280.00"
    named = rules_for(ans, parameter="taiyuan/outpatient_special_drug/dibao/ratio")[0]
    assert named["clause"] == "第九条(一)"
    assert named["chain"][-1]["failed"] == ('param("taiyuan/outpatient_special_drug/dibao/ratio",taiyuan,'
                                            'outpatient_special_drug,returned_poor,F,T)')
    assert "names only minimum-living-allowance recipients (dibao)" in named["explanation"]
    assert "returned_poor" in named["explanation"]
    tekun = rules_for(ans, parameter="taiyuan/outpatient_special_drug/tekun/ratio")[0]
    assert "names only persons in extreme poverty (tekun)" in tekun["explanation"]
    zh = why_not(ty, parse_target("claim:c3.category:returned_poor"), "zh")
    assert "只列明 低保对象(dibao)" in rules_for(zh, parameter="taiyuan/outpatient_special_drug/dibao/ratio")[0]["explanation"]


def test_unreferred_claim(engine):
    """Taiyuan 第二十条: 未按规定转诊 … 原则上不纳入医疗救助范围."""
    d = copy.deepcopy(TY)
    d["claims"][1]["referred"] = False
    s = Session(d, engine)
    ans = why_not(s, parse_target("claim:c2"), "en")
    assert ans["claim_aid"] == "0.00"
    for c in ("dibao", "returned_poor"):
        el = [r for r in ans["rules"] if r.get("category") == c and r.get("parameter") is None][0]
        assert el["chain"][-1]["failed"] == "not excluded(0,1,_,_)"
        assert el["explanation"].startswith("excluded by taiyuan/第二十条 (not_referred)")
    # the ratio rule itself still holds: only the referral stops the claim
    assert rules_for(ans, category="returned_poor", parameter="taiyuan/inpatient/returned_poor/ratio")[0]["chain"][-1]["holds"]


def test_premium_outside_window(engine):
    """Taiyuan 第六条: 2022—2025年，返贫致贫人口按个人缴费标准90% — not in 2026."""
    d = copy.deepcopy(TY)
    d["year"] = 2026
    for c in d["claims"]:
        for k in ("admitted", "discharged", "date"):
            if k in c:
                c[k] = c[k].replace("2023", "2026")
    s = Session(d, engine)
    assert s.result["premium_subsidy"]["category"] == "dibao"
    ans = why_not(s, parse_target("premium"), "en")
    rp = rules_for(ans, category="returned_poor", parameter="taiyuan/premium/returned_poor/premium_share")[0]
    assert rp["clause"] == "第六条"
    assert rp["chain"][-1]["goal"] == 'prem_cand0(0,returned_poor,"taiyuan/premium/returned_poor/premium_share")'
    assert rp["chain"][-1]["failed"] == "20251231 >= 20260101"
    assert "2025-12-31 >= 2026-01-01" in rp["explanation"]


def test_flag_not_raised(engine):
    """Taiyuan 第十三条: a burden of 2,520 is not over 0.6万元."""
    d = copy.deepcopy(TY)
    d["claims"] = [d["claims"][2]]
    s = Session(d, engine)
    ans = why_not(s, parse_target("flag:monitoring"), "en")
    assert ans["obtained"] == []
    it = ans["rules"][0]
    assert it["rule"] == "taiyuan/第十三条" and it["clause"] == "第十三条"
    assert it["parameter"] == "taiyuan/monitoring/return_risk_amount"
    assert it["chain"][-1]["failed"] == "252000 > 600000"


def test_annual_delegated(ty):
    """Taiyuan 第十一条(二): 具体救助标准由县级人民政府 … 科学确定 — no tilted aid figure."""
    ans = why_not(ty, parse_target("annual:tilted_aid"), "en")
    assert ans["obtained"] == []
    dele = [r for r in ans["rules"] if r.get("delegated_to")][0]
    assert dele["rule"] == "taiyuan/第十一条(二)" and dele["clause"] == "第十一条(二)"
    assert dele["delegated_to"] == "县级人民政府"
    assert "县级人民政府" in dele["explanation"]
    assert ans["rules"][0]["chain"][0]["failed"] == "ctx_tilted(0,sc(returned_poor),V)"


def test_step_zero_top_up(ty):
    """Taiyuan 第八条(五): 综合支付比例达不到90%的，救助到90% — c1 already at 90.4%."""
    ans = why_not(ty, parse_target("claim:c1.step:top_up"), "en")
    assert [o["node"] for o in ans["obtained"]] == ["claim:c1.step:top_up"]
    assert ans["obtained"][0]["amount"] == "0.00"
    z = ans["rules"][0]
    assert z["rule"] == "taiyuan/第八条(五)" and z["clause"] == "第八条(五)" and z["step"] == "top_up"
    assert "paid 45200.00" in z["formula"]
    assert "the paid share 90.4% already reaches the target 90%" in z["explanation"]
    # the target parameter applies for returned_poor; dibao's clause has no top-up
    assert rules_for(ans, category="returned_poor", parameter="taiyuan/inpatient/returned_poor/top_up_target")[0]["chain"][-1]["holds"]
    assert "names only people fallen (back) into poverty" in \
        rules_for(ans, category="dibao", parameter="taiyuan/inpatient/returned_poor/top_up_target")[0]["explanation"]


def test_another_identity_amount_from_alternatives(ty):
    ans = why_not(ty, parse_target("claim:c1.category:dibao"), "en")
    assert ans["applied_category"] == "returned_poor" and ans["claim_aid"] == "21400.00"
    assert ans["would_pay"] == [{"category": "dibao", "aid": "11200.00", "how_code": "alternative",
                                 "how": "alternative (take the highest chose another)"}]
    alt = {a["category"]: a["aid"] for a in ty.result["claims"][0]["alternatives"]}
    assert alt["dibao"] == "11200.00"
    assert rules_for(ans, parameter="taiyuan/inpatient/dibao/ratio")[0]["chain"][-1]["holds"]


def test_delegated_claim_ratio(engine):
    """Wuhai 三(三): 门诊 具体待遇标准由市医疗保障局 … 测算确定."""
    s = Session(WH, engine)
    ans = why_not(s, parse_target("claim:w2"), "en")
    el = [r for r in ans["rules"] if r["chain"] and r["chain"][0]["goal"] == "eligible(0,1,illness_poor)"][0]
    assert el["rule"] == "wuhai/三(三)" and el["chain"][-1]["failed"] == "none != none"
    assert el["explanation"] == "wuhai/三(三) states no ratio: delegated to 市医疗保障局"


def test_what_if_drop_returned_poor_flips_category(ty):
    ans = what_if(ty, ["identity-=returned_poor"], "en")
    ch = {e["target"]: e for e in ans["changed"]}
    assert ch["applied_category"]["before"]["category"] == "returned_poor"
    assert ch["applied_category"]["after"]["category"] == "dibao"
    c1 = ch["claim:c1"]
    assert (c1["before"]["amount"], c1["after"]["amount"]) == ("21400.00", "11200.00")
    assert c1["rule_that_made_the_difference"] == "taiyuan/第八条(二)"
    assert c1["category"] == {"before": "returned_poor", "after": "dibao"}
    assert ch["total"]["after"]["amount"] == "14980.00"
    assert ch["premium"]["after"]["amount"] == "304.00"
    # same ordinary aid (70% either way) under another clause: not reported as a change of amount
    oa = ch["claim:c1.step:ordinary_aid"]
    assert oa["same_amount"] and oa["why"] == "same amount, different rule" and oa["why_code"] == "same_amount_other_rule"
    assert (oa["before"]["rule"], oa["after"]["rule"]) == ("taiyuan/第八条(五)", "taiyuan/第八条(二)")
    text = what_if_text(ans, "en")
    assert "claim:c1.step:ordinary_aid: 11200.00 (same amount, different rule: taiyuan/第八条(五) → taiyuan/第八条(二))" in text
    assert "claim:c1: 21400.00 → 11200.00" in text


def test_self_pay_shows_no_parent_rule(ty):
    from medaid_logic.legal.why import tree_text, why
    text = tree_text(ty, why(ty, parse_target("claim:c1"), "en"), "en")
    sp = [line for line in text.splitlines() if "self-pay (in-policy)" in line]
    assert sp and all("[" not in line.split("=", 1)[1] for line in sp), sp


def test_negated_condition_named_with_value_and_clause(engine):
    # c1 out of province: 第八条(五)'s 90% top-up requires in-province care
    # (param_requires(top_up_target, in_province)); the claim says in_province = false, so the
    # cand_fails rule holds and the top-up is not derived
    d = copy.deepcopy(TY)
    d["claims"][0]["in_province"] = False
    s = Session(d, engine)
    ans = why_not(s, parse_target("claim:c1.step:top_up"), "en")
    it = rules_for(ans, parameter="taiyuan/inpatient/returned_poor/top_up_target")[0]
    assert it["explanation"].startswith("taiyuan/第八条(五) requires in_province; here claims[0].in_province = false")
    assert it["chain"][-1]["goal"] == "cond_ok(0,0,in_province)"


def test_negated_age_condition_with_values(engine):
    # Taiyuan low_income born 1990-01-01: 33 on 2023-01-01; 第六条 subsidises low_income aged 60
    # or more (age_at_least(60)) or under 18 (age_below(18)): 33 < 60 and 33 >= 18 both fail
    d = {"case_id": "li", "jurisdiction": "taiyuan", "year": 2023,
         "applicant": {"identities": [{"category": "low_income", "since": "2020-01-01", "until": None}],
                       "birth_date": "1990-01-01"}, "claims": [], "parameters": {"contribution": 380}}
    s = Session(d, engine)
    ans = why_not(s, parse_target("premium"), "en")
    ex = {r["parameter"]: r["explanation"] for r in ans["rules"]}
    assert ex["taiyuan/premium/low_income_elderly/premium_share"] == \
        "taiyuan/第六条 requires age_at_least(60); here year_start(0,2023-01-01), age_on(0,2023-01-01,33), 33 < 60"
    assert ex["taiyuan/premium/low_income_minor/premium_share"].endswith("age_on(0,2023-01-01,33), 33 >= 18")


def test_what_if_compares_the_paying_parameter(engine):
    # Shanxi h1/h2 with dibao added: take-the-highest pays both under dibao; the clause
    # (合理确定住院救助水平) is the same, the paying parameter is not (…/monitored/ratio → …/dibao/ratio)
    s = Session(load("shanxi-monitored-edge.json"), engine)
    ch = {e["target"]: e for e in what_if(s, ["identity+=dibao"], "en")["changed"]}
    h1 = ch["claim:h1"]
    assert h1["why_code"] == "other_parameter"
    assert h1["parameter"] == {"before": "shanxi/inpatient/monitored/ratio", "after": "shanxi/inpatient/dibao/ratio"}
    assert ch["claim:h2"]["same_amount"] and ch["claim:h2"]["why_code"] == "other_parameter"


def test_what_if_lists_only_changed_amounts(ty):
    # ratio 0.70 → 0.80: the top-ups stay 0.00 with the same rule and parameter (c1 pays
    # 30000 + 4000 + 12800 = 46800 ≥ 45000 either way): not listed; the changed ones name the value
    ch = {e["target"]: e for e in what_if(ty, ["param.inpatient/returned_poor/ratio=0.8"], "en")["changed"]}
    assert "claim:c1.step:top_up" not in ch and "claim:c2.step:top_up" not in ch
    assert all(e["before"]["amount"] != e["after"]["amount"] for e in ch.values())
    assert ch["claim:c1"]["parameter_value"] == {"parameter": "taiyuan/inpatient/returned_poor/ratio",
                                                 "before": "0.70", "after": "0.8"}


def test_what_if_exclusion_cites_its_clause(ty):
    # c2 without referral: 第二十条 excludes it (excluded/4 not_referred), aid 4775.00 → 0.00,
    # total 26455.00 − 4775.00 = 21680.00
    ans = what_if(ty, ["claim.c2.referred=false"], "zh")
    ch = {e["target"]: e for e in ans["changed"]}
    assert ch["claim:c2"]["after"]["amount"] == "0.00" and ch["total"]["after"]["amount"] == "21680.00"
    assert ch["claim:c2"]["rule_that_made_the_difference"] == "taiyuan/第二十条"
    assert ch["claim:c2"]["why_code"] == "excluded" and ch["claim:c2"]["exclusion"] == "not_referred"
    text = what_if_text(ans, "zh")
    assert "None" not in text and "rule" not in text


def test_why_not_identity_dates_against_claim_dates(engine):
    # Shanxi h1 (admitted 2023-02-10) and dibao_edge held from 2023-04-01 (applicant.identities[1]):
    # covers_by is followed with the category known; the failed test is F <= Ad, 2023-04-01 <= 2023-02-10,
    # each side named with the fact it came from; the parameters failing the same way are said once
    s = Session(load("shanxi-monitored-edge.json"), engine)
    assert s.data["applicant"]["identities"][1]["since"] == "2023-04-01"
    assert s.data["claims"][0]["admitted"] == "2023-02-10"
    ans = why_not(s, parse_target("claim:h1.category:dibao_edge"), "en")
    it = [r for r in ans["rules"] if r.get("parameter")][0]
    assert it["chain"][-1]["goal"] == "covers_by(0,0,dibao_edge,_)"
    assert it["chain"][-1]["failed"] == "20230401 <= 20230210"
    assert "F = 2023-04-01 (holds(0,certified(1),dibao_edge,_,F,_) = applicant.identities[1])" in it["explanation"]
    assert "Ad = 2023-02-10 (admitted(0,0,Ad))" in it["explanation"]
    assert len([r for r in ans["rules"] if r.get("parameter")]) == 1 and len(it["same_failure"]) == 5


def test_the_rules_asked_about_are_the_solvers(ty):
    """The parameters why-not asks about come from the solver (asp/legal/whynot_candidates.lp):
    for a claim's ratio, every ratio of its benefit in the jurisdiction that governs it, whichever
    category it names; for the premium, the jurisdiction's premium rules."""
    kb = ty.kb
    k = ty.claim_index("c3")   # a special-drug claim of 2023, under Taiyuan's rules
    asked = {pid for kk, w, pid in ty.atoms["wn_claim_rule"] if kk == k and w == "ordinary_aid"}
    assert asked == {p.id for p in kb.parameters.values() if p.jurisdiction == "taiyuan" and p.kind == "ratio"
                     and "outpatient_special_drug" in p.benefits}
    ans = why_not(ty, parse_target("claim:c3.category:returned_poor"), "en")
    assert {r["parameter"] for r in ans["rules"] if r.get("parameter")} <= asked
    premium = {pid for (pid,) in ty.atoms["wn_premium_rule"]}
    assert premium and all(kb.parameters[pid].jurisdiction == "taiyuan" and "premium" in kb.parameters[pid].benefits
                           for pid in premium)
    assert {r["parameter"] for r in why_not(ty, parse_target("premium"), "en")["rules"]} == premium
