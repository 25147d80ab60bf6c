"""A new city is a KB change: a fixture jurisdiction (tests/fixtures/follower, not the real KB)
follows Shanxi and states only its three differences. Its amounts are hand-computed (the
arithmetic is in the case files); inherited figures cite Shanxi's clauses; a change of Shanxi
reaches it; a chain without a structural parameter is refused at load, naming the shape."""
import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from medaid_logic.engine import Engine
from medaid_logic.errors import KBError
from medaid_logic.kb import KB, KB_DIR
from medaid_logic.legal.session import Session
from medaid_logic.legal.targets import parse_target
from medaid_logic.legal.why import why
from test_cases import check

FIXTURE = Path(__file__).parent / "fixtures" / "follower"
CASES = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((FIXTURE / "cases").glob("*.json"))}
CITY_FILES = [FIXTURE / "texts" / "newcity.ttl", FIXTURE / "rules" / "newcity.ttl"]


def city_kb(tmp: Path, edit=None) -> Path:
    """The real KB with the city's two files added, optionally edited (file → text → text)."""
    d = tmp / "kb"
    shutil.copytree(KB_DIR, d, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    for f in CITY_FILES:
        shutil.copy(f, d / f.parent.name / f.name)
    if edit:
        for rel, change in edit.items():
            path = d / rel
            text = path.read_text(encoding="utf-8")
            new = change(text)
            assert new != text, f"the edit of {rel} changed nothing"
            path.write_text(new, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return Engine(kb=KB(city_kb(tmp_path_factory.mktemp("city"))))


def test_the_city_states_only_its_differences():
    g = Graph()
    for f in CITY_FILES:
        g.parse(f, format="turtle")
    params = {str(s) for s, o in g.subject_objects() if str(o).endswith("ontology#Parameter")}
    assert len(params) == 6  # dibao ratio and cap, the new category's recipient, ratio and cap, the exit rule
    assert len(g) < 100, len(g)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hand_computed_year(city, name):
    spec = CASES[name]
    assert spec["arithmetic"]
    r = city.evaluate(spec["case"])
    check(r, spec["expect"])
    if "premium" in spec["expect"]:
        assert r["premium_subsidy"]["amount"] == spec["expect"]["premium"]
        assert r["premium_subsidy"]["rule"] == "shanxi/001/确保困难群众应保尽保"  # inherited, Shanxi's clause


def test_the_citys_rules_not_the_provinces(engine):
    # the same case under Shanxi itself (real KB): 70%, and aid ends on the exit date
    spec = CASES["dibao-lost-may"]
    contrast = spec["contrast"]
    r = engine.evaluate({**spec["case"], "jurisdiction": contrast["jurisdiction"]})
    check(r, contrast)


def test_a_stated_exit_rule_is_not_vague(city):
    # 第四条 states 次月 plainly: no vague flag (year.lp reads param_status, not the rule's kind)
    r = city.evaluate(CASES["dibao-lost-may"]["case"])
    assert not [f for f in r["flags"] if f["kind"] == "vague"]


def test_why_cites_the_clause_that_states_an_inherited_figure(city):
    s = Session(CASES["dibao-lost-may"]["case"], city)
    root = why(s, parse_target("claim:c0"))["tree"][0]
    assert root["rule"] == "shanxi/001/完善门诊医疗救助政策#chronic"
    ratio = next(u for u in root["used"] if u["kind"] == "parameter")
    assert ratio["node"] == "param:shanxi/outpatient_chronic/dibao/ratio" and ratio["value"] == "0.30"
    assert "低保对象和返贫致贫人口按30%" in next(c["text"] for c in why(s, parse_target("claim:c0"))["clauses"])


def test_a_change_of_shanxi_reaches_the_city(tmp_path):
    spec = CASES["dibao-lost-may"]
    line = re.compile(r"(<shanxi/outpatient_chronic/dibao/ratio> .*?ma:value )0\.30")
    d = city_kb(tmp_path, {"rules/shanxi.ttl": lambda t: line.sub(r"\g<1>0.40", t)})
    r = Engine(kb=KB(d)).evaluate(spec["case"])
    check(r, spec["shanxi_change"])


def test_categories_follow_unless_the_city_says_otherwise(city, tmp_path):
    held = {c.id for c in city.kb.categories_in("newcity")}
    assert {"dibao", "tekun", "returned_poor", "hardship_worker"} <= held
    assert "hardship_worker" not in {c.id for c in city.kb.categories_in("shanxi")}
    d = city_kb(tmp_path, {"rules/newcity.ttl": lambda t: t + '<category/tekun> ma:notHeldIn "newcity" .\n'})
    assert "tekun" not in {c.id for c in KB(d).categories_in("newcity")}


def _refused(tmp_path, edit) -> str:
    with pytest.raises(KBError) as err:
        KB(city_kb(tmp_path, edit))
    return str(err.value)


def test_no_stay_rule_in_the_chain_is_refused(tmp_path):
    drop = re.compile(r"<shanxi/identity/stay_rule> .*?\n.*?\n")
    msg = _refused(tmp_path, {"rules/shanxi.ttl": lambda t: drop.sub("", t, count=1)})
    assert "StructuralParameterShape" in msg
    assert "newcity's policy states no stay_rule for identity" in msg


def test_no_cap_pool_in_the_chain_is_refused(tmp_path):
    # a cap with no pool would be silently ignored: the KB is refused instead
    msg = _refused(tmp_path, {"rules/shanxi.ttl": lambda t: t.replace(
        "<shanxi/inpatient/cap_pool> a ma:Parameter ; ma:benefit b:inpatient, ", "<shanxi/inpatient/cap_pool> a ma:Parameter ; ma:benefit ")})
    assert "newcity has a cap for inpatient but its policy states no cap_pool for it" in msg


def test_a_copy_filed_under_the_city_citing_shanxi_is_refused(tmp_path):
    copy = ('<newcity/inpatient/tekun/ratio> a ma:Parameter ; ma:benefit b:inpatient ; ma:category cat:tekun ; '
            'ma:kind k:ratio ; ma:value 1.00 ; ma:clause <shanxi/001/合理确定住院救助水平> .\n')
    msg = _refused(tmp_path, {"rules/newcity.ttl": lambda t: t + copy})
    assert "FiledUnderClauseShape" in msg and "newcity/inpatient/tekun/ratio cites a clause of shanxi" in msg


@pytest.mark.parametrize("key", ["outpatient_chronic/dibao/ratio", "shanxi/outpatient_chronic/dibao/ratio"])
def test_a_case_overrides_an_inherited_parameter(city, key):
    """A caller's figure for a parameter the city inherits, by its key or by the id `medaid
    parameters` lists: c0's chronic outpatient self-pay 2000.00 × 40% = 800.00 (was 30%: 600.00);
    c2 then gets the cap's remainder 70000.00 − 60000.00 − 800.00 = 9200.00."""
    case = json.loads(json.dumps(CASES["dibao-lost-may"]["case"]))
    case["parameters"][key] = 0.40
    r = city.evaluate(case)
    aid = {c["claim_id"]: c["aid"] for c in r["claims"]}
    assert (aid["c0"], aid["c2"]) == ("800.00", "9200.00")
    assert r["parameters_used"]["outpatient_chronic/dibao/ratio"]["from"] == "caller"


def test_the_citys_case_form_asks_for_what_its_inherited_rules_read(city):
    """The city states no statistic and no derivation of its own: its case form asks for what
    Shanxi's rules read (the statistics of Shanxi's parameters; Shanxi derives no category from
    household or disability facts, so no facts), not for nothing."""
    from medaid_logic.web.forms import blank, fields_read
    city_reads, shanxi_reads = (fields_read(city.kb, j, blank(j, 2023)) for j in ("newcity", "shanxi"))
    assert city_reads["stats"] and city_reads["stats"] == shanxi_reads["stats"]
    assert city_reads["facts"] == shanxi_reads["facts"] == []
