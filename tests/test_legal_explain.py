"""The legal layer: why, why-not, what-if, clauses, and the RDF decision record."""
import json
from pathlib import Path

import pytest
from rdflib import Graph

from medaid_logic.legal.session import Session
from medaid_logic.legal.targets import parse_target
from medaid_logic.legal.why import clauses, why
from medaid_logic.legal.whynot import why_not
from medaid_logic.legal.whatif import what_if

ROOT = Path(__file__).resolve().parent.parent
TY = json.loads((ROOT / "examples/taiyuan-dibao-returned-poor.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ty(engine):
    return Session(TY, engine)


def test_why_claim_cites_clause_and_parameter(ty):
    ans = why(ty, parse_target("claim:c1"))
    root = ans["tree"][0]
    assert root["amount"] == "21400.00" and root["rule"] == "taiyuan/第八条(五)"
    assert "param:taiyuan/inpatient/returned_poor/ratio" in {c["node"] for c in root["used"]}
    assert any(c["locator"] == "第八条(五)" and "返贫致贫人口" in c["text"] for c in ans["clauses"])


def test_clauses_in_document_order(ty):
    orders = [c["order"] for c in clauses(ty)]
    assert orders == sorted(orders)


def test_why_not_category_not_named(ty):
    ans = why_not(ty, parse_target("claim:c3.category:returned_poor"), "en")
    named = [r for r in ans["rules"] if r.get("parameter") == "taiyuan/outpatient_special_drug/dibao/ratio"][0]
    assert named["chain"][-1]["failed"].startswith('param("taiyuan/outpatient_special_drug/dibao/ratio"')
    assert "names only" in named["explanation"]


def test_why_not_alternative_amount(ty):
    ans = why_not(ty, parse_target("claim:c1.category:dibao"))
    assert {"category": "dibao", "aid": "11200.00"}.items() <= ans["would_pay"][0].items()


def test_what_if_flips_applied_category(ty):
    ans = what_if(ty, ["identity.returned_poor.until=2023-02-01"])
    changed = {e["target"]: e for e in ans["changed"]}
    assert changed["applied_category"]["after"]["category"] == "dibao"
    assert changed["claim:c1"]["after"]["amount"] == "11200.00"
    assert changed["claim:c1"]["rule_that_made_the_difference"] == "taiyuan/第八条(二)"


def test_rdf_conforms_and_sparql(ty):
    from pyshacl import validate
    g = ty and __import__("medaid_logic.legal.rdf", fromlist=["x"]).decision_graph(ty)
    shapes = Graph().parse(ROOT / "medaid_logic/legal/decision_shapes.ttl")
    conforms, _, text = validate(g, shacl_graph=shapes)
    assert conforms, text
    q = """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX ma: <https://w3id.org/medaid/ontology#>
    SELECT DISTINCT ?case WHERE { ?a a prov:Activity ; ma:caseId ?case ; ma:year 2023 .
      ?e prov:wasGeneratedBy ?a ; ma:rule <https://w3id.org/medaid/kb/taiyuan/第八条(五)> . }"""
    assert [str(r[0]) for r in g.query(q)] == ["ty-2023-0117"]


def test_rdf_alternative_not_relied_on(ty):
    # c1 is paid as returned_poor (21400.00); 第八条(二) only gives the dibao alternative
    # (self-pay 50000 − 30000 − 4000 = 16000.00; × 70% = 11200.00), and likewise for c2
    # (16500 − 11000 − 500 = 5000.00; × 70% = 3500.00); compared, not chosen: nothing relied on it
    from pyshacl import validate
    from medaid_logic.legal.rdf import decision_graph
    g = decision_graph(ty)
    shapes = Graph().parse(ROOT / "medaid_logic/legal/decision_shapes.ttl")
    conforms, _, text = validate(g, shacl_graph=shapes)
    assert conforms, text
    pre = "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX ma: <https://w3id.org/medaid/ontology#> "
    relied = pre + """SELECT DISTINCT ?case WHERE { ?a a prov:Activity ; ma:caseId ?case .
      { ?e prov:wasGeneratedBy ?a ; ma:rule <https://w3id.org/medaid/kb/taiyuan/第八条(二)> . }
      UNION { ?a prov:used <https://w3id.org/medaid/kb/taiyuan/第八条(二)> . } }"""
    assert list(g.query(relied)) == []
    compared = pre + """SELECT ?node ?amount WHERE { ?x a ma:Alternative ; ma:node ?node ; ma:amount ?amount ;
      ma:comparedRule <https://w3id.org/medaid/kb/taiyuan/第八条(二)> . } ORDER BY ?node"""
    assert [(str(a), str(b)) for a, b in g.query(compared)] == [("claim:c1.alternative:dibao", "11200.00"),
                                                                 ("claim:c2.alternative:dibao", "3500.00")]
    # the clauses the activity used are exactly those `medaid clauses` lists
    used = {str(o) for o in g.objects(predicate=__import__("rdflib").URIRef("http://www.w3.org/ns/prov#used"))
            if str(o).startswith("https://w3id.org/medaid/kb/") and "/" in str(o)[len("https://w3id.org/medaid/kb/"):]
            and str(o)[len("https://w3id.org/medaid/kb/"):] in ty.kb.clauses}
    assert used == {c["iri"] for c in clauses(ty)}


def test_what_if_full_parameter_id(ty):
    # `medaid parameters` lists taiyuan/inpatient/returned_poor/ratio (0.70, 第八条(五)); at 0.80:
    # c1 16000.00 × 80% = 12800.00 (top-up 0: 30000 + 4000 + 12800 = 46800 ≥ 90% × 50000 = 45000)
    # + catalogue aid 10200.00 = 23000.00; c2 5000.00 × 80% = 4000.00 + 1275.00 = 5275.00;
    # total 26455.00 + 1600.00 + 500.00 = 28555.00 — the same as the case's own key
    full = {e["target"]: e for e in what_if(ty, ["param.taiyuan/inpatient/returned_poor/ratio=0.8"])["changed"]}
    short = {e["target"]: e for e in what_if(ty, ["param.inpatient/returned_poor/ratio=0.8"])["changed"]}
    assert full["claim:c1"]["after"]["amount"] == "23000.00"
    assert full["claim:c2"]["after"]["amount"] == "5275.00"
    assert full["total"]["after"]["amount"] == "28555.00"
    assert {k: e["after"] for k, e in full.items()} == {k: e["after"] for k, e in short.items()}


def test_what_if_other_jurisdiction_parameter_refused(ty):
    from medaid_logic.legal.targets import TargetError
    with pytest.raises(TargetError, match="parameter of shanxi"):
        what_if(ty, ["param.shanxi/inpatient/dibao/ratio=0.8"])


def test_why_applied_category_carries_rule_and_totals(ty):
    # take-the-highest over the year, each category's total with every claim:
    #   returned_poor: c1 21400.00 + c2 4775.00 + c3 280.00 (第九条(一) names only dibao: paid as dibao) = 26455.00
    #   dibao:         c1 11200.00 + c2 3500.00 + c3 280.00 = 14980.00
    # the node carries the precedence rule 第八条 (applied by analogy with 第六条's 就高不就低) and both totals
    ans = why(ty, parse_target("applied_category"))
    root = ans["tree"][0]
    assert root["rule"] == "taiyuan/第八条" and root["analogy_rule"] == "taiyuan/第六条"
    assert root["year_totals"] == "returned_poor 26455.00; dibao 14980.00"
    assert {"taiyuan/第八条", "taiyuan/第六条"} <= {c["clause"] for c in ans["clauses"]}
    assert "taiyuan/第八条" in {c["clause"] for c in clauses(ty)}


def test_why_zero_amounts_cite_their_clause(engine):
    # Wuhai w2 (outpatient chronic): 三(三) leaves the standard to 市医疗保障局 → 0.00, citing 三(三);
    # the premium is 0.00: 三(二) names tekun, dibao and returned_poor, not illness_poor (held on 1 January)
    from medaid_logic.legal.why import tree_text
    wh = Session(json.loads((ROOT / "examples/wuhai-illness-poor-derived.json").read_text(encoding="utf-8")), engine)
    w2 = why(wh, parse_target("claim:w2"))
    assert w2["tree"][0]["amount"] == "0.00" and w2["tree"][0]["reason_rule"] == "wuhai/三(三)"
    assert "具体待遇标准由市医疗保障局" in tree_text(wh, w2, "zh")
    pr = why(wh, parse_target("premium"))["tree"][0]
    assert pr["amount"] == "0.00" and pr["unnamed"] == ["illness_poor"] and pr["reason_rule"] == "wuhai/三(二)"
    assert "wuhai/三(二)" in {c["clause"] for c in clauses(wh)}
    # Wuxi tilted aid 0.00: burden 0.00 (distressed_child paid in full), max(0, 0.00 − 6000.00) × 60% = 0.00
    wx = Session(json.loads((ROOT / "examples/wuxi-orphan-and-edge.json").read_text(encoding="utf-8")), engine)
    ans = why_not(wx, parse_target("annual:tilted_aid"), "en")
    ex = [r["explanation"] for r in ans["rules"]]
    assert any("max(0, 0.00 − 6000.00) × 60%" in e and "does not exceed the deductible 6000" in e for e in ex), ex


def test_certified_category_cites_recipient_clause(ty, engine):
    # 第四条(二) names 低保对象 and 第四条(五) 返贫致贫人口 as recipients: the certified categories
    # cite them, and the decision's clauses list them
    d = why(ty, parse_target("category:dibao"))["tree"][0]
    assert d["rule"] == "taiyuan/第四条(二)"
    assert "param:taiyuan/eligibility/dibao/recipient" in {c["node"] for c in d["used"]}
    assert {"taiyuan/第四条(二)", "taiyuan/第四条(五)"} <= {c["clause"] for c in clauses(ty)}
    # Wuxi: the orphan subtype of 困境儿童 (the key of its 100% aid) is shown
    from medaid_logic.legal.why import tree_text
    wx = Session(json.loads((ROOT / "examples/wuxi-orphan-and-edge.json").read_text(encoding="utf-8")), engine)
    ans = why(wx, parse_target("category:distressed_child"))
    assert ans["tree"][0]["subtype"] == "orphan" and ans["tree"][0]["rule"] == "wuxi/二(一)"
    assert "（子类 orphan）" in tree_text(wx, ans, "zh")


def test_graph_carries_earlier_claims_and_flag_figures(engine):
    sx = Session(json.loads((ROOT / "examples/shanxi-monitored-edge.json").read_text(encoding="utf-8")), engine)
    g = sx.graph
    # h2's deductible: min(11000.00, 2917.80 − met 2917.80) = 0.00; the 2917.80 (29178.00 × 10%) was met by h1
    assert g.nodes["claim:h2.step:deductible"]["amount"] == "0.00"
    assert g.edges["claim:h2.step:deductible", "claim:h1.step:deductible"]["rel"] == "deductible_met_by"
    assert g.nodes["claim:h1.step:deductible"]["amount"] == "2917.80"
    # the monitoring flag carries the solver's burden and the threshold (return_risk_amount 6000)
    f = g.nodes["flag:monitoring"]
    assert f["threshold"] == "6000.00" and float(f["burden"]) > 6000
    wh = Session(json.loads((ROOT / "examples/wuhai-illness-poor-derived.json").read_text(encoding="utf-8")), engine)
    h = wh.graph
    # illness_poor derived: the tests read income_base and dibao_standard (三(一): 1.5 × 低保标准) and the hukou
    kids = set(h.successors("category:illness_poor"))
    assert {"input:parameters.income_base", "input:parameters.dibao_standard", "input:applicant.hukou"} <= kids
    # the tilted aid's burden 17450.00 = w1 self-pay 29000.00 − its aid 11550.00: an edge to w1's aid
    assert h.has_edge("annual:tilted_aid.step:annual_burden", "claim:w1")
