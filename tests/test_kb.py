"""The KB: SHACL validation refuses a broken KB; a change of one triple changes the amount
and its explanation (no policy figure lives in Python)."""
import shutil
from pathlib import Path

import pytest

from medaid_logic.engine import Engine
from medaid_logic.errors import KBError
from medaid_logic.kb import KB, KB_DIR

CASE = {
    "case_id": "dibao-70", "jurisdiction": "taiyuan", "year": 2023,
    "applicant": {"identities": [{"category": "dibao", "since": "2020-01-01", "until": None}]},
    "claims": [{"claim_id": "c1", "kind": "inpatient", "admitted": "2023-03-01", "discharged": "2023-03-10",
                "in_province": True, "referred": True, "total_cost": 20000, "in_policy_cost": 20000,
                "basic_insurance_paid": 10000, "critical_illness_paid": 0, "other_paid": 0}],
    "parameters": {"income_base": 29178, "contribution": 380},
}


def copy_kb(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(KB_DIR, target)
    return target


def test_real_kb_is_valid(kb):
    assert len(kb.parameters) > 150 and len(kb.clauses) > 100
    # every parameter cites a clause that exists and has text
    for p in kb.parameters.values():
        assert kb.clauses[p.clause].text


def test_one_triple_changes_amount_and_explanation(tmp_path):
    # 第八条(二): dibao 70%. self-pay 20000 − 10000 = 10000; 70% → 7000.00; at 75% → 7500.00
    base = Engine(kb=KB(KB_DIR)).evaluate(CASE)
    assert base["claims"][0]["aid"] == "7000.00"
    d = copy_kb(tmp_path)
    rules = d / "rules" / "taiyuan.ttl"
    text = rules.read_text(encoding="utf-8")
    line = '<taiyuan/inpatient/dibao/ratio> a ma:Parameter ; ma:benefit b:inpatient ; ma:category cat:dibao ; ma:kind k:ratio ; ma:value 0.70 ;'
    assert line in text
    rules.write_text(text.replace(line, line.replace("0.70", "0.75")), encoding="utf-8")
    changed = Engine(kb=KB(d)).evaluate(CASE)
    claim = changed["claims"][0]
    assert claim["aid"] == "7500.00"
    step = next(s for s in claim["steps"] if s["what"] == "ordinary_aid")
    assert step["formula"] == "10000.00 × 75%" and step["rule"] == "taiyuan/第八条(二)"


def test_broken_kb_is_refused_with_the_shapes_message(tmp_path):
    d = copy_kb(tmp_path)
    rules = d / "rules" / "taiyuan.ttl"
    text = rules.read_text(encoding="utf-8")
    # a parameter citing a clause that does not exist
    rules.write_text(text.replace("ma:clause <taiyuan/第八条(二)> .", "ma:clause <taiyuan/第八十八条> .", 1), encoding="utf-8")
    with pytest.raises(KBError) as err:
        KB(d)
    assert "must exist in kb/texts" in str(err.value)


def test_parameter_without_value_or_status_is_refused(tmp_path):
    d = copy_kb(tmp_path)
    rules = d / "rules" / "wuhai.ttl"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("ma:kind k:ratio ; ma:value 0.75 ;", "ma:kind k:ratio ;"), encoding="utf-8")
    with pytest.raises(KBError) as err:
        KB(d)
    assert "either states a value or says why" in str(err.value)


def test_statistics_come_from_the_kb_with_their_source(engine):
    # Taiyuan 第八条(三): the deductible is 10% of the province's income base of the year before;
    # kb/statistics.ttl holds Shanxi 2022 = 29178 (统计公报). self-pay 10000 − 4000 = 6000;
    # deductible 2917.80; aid (6000.00 − 2917.80) × 60% = 3082.20 × 60% = 1849.32
    case = {"case_id": "s", "jurisdiction": "taiyuan", "year": 2023,
            "applicant": {"identities": [{"category": "dibao_edge", "since": "2020-01-01"}]},
            "claims": [{"claim_id": "h", "kind": "inpatient", "admitted": "2023-03-01", "discharged": "2023-03-05",
                        "in_province": True, "referred": True, "total_cost": 10000, "in_policy_cost": 10000,
                        "basic_insurance_paid": 4000}]}
    r = engine.evaluate(case)
    assert r["claims"][0]["aid"] == "1849.32"
    used = r["parameters_used"]["income_base"]
    assert used["value"] == "29178.00" and used["from"]["kb"] == "shanxi 2022" and "统计公报" in used["from"]["source"]
    # a year the KB has no figure for: refused, naming the field
    case["year"] = 2025
    case["claims"][0].update(admitted="2025-03-01", discharged="2025-03-05")
    with pytest.raises(Exception) as err:
        engine.evaluate(case)
    assert err.value.field == "parameters.income_base"


# POLICY_INVENTORY.md "Further provisions": each row's clause, as (jurisdiction, clause, kind).
# (Shanxi's information flow is in 001 实施医疗救助对象信息动态管理, where the text puts it.)
FURTHER_PROVISIONS = [
    ("shanxi", "shanxi/001/统一明确起付线以下费用纳入救助", "scope"),
    ("shanxi", "shanxi/001/省政府办公厅印发实施意见", "time"),
    ("shanxi", "shanxi/001/实施医疗救助对象信息动态管理", "procedure"),
    ("taiyuan", "taiyuan/第四条(四)", "delegation"),
    ("taiyuan", "taiyuan/第七条", "procedure"),
    ("taiyuan", "taiyuan/第十三条", "precedence"),
    ("taiyuan", "taiyuan/第十五条", "deadline"),
    ("taiyuan", "taiyuan/第十五条", "procedure"),
    ("taiyuan", "taiyuan/第十九条", "conflict"),
    ("taiyuan", "taiyuan/第二十四条", "deadline"),
    ("taiyuan", "taiyuan/第二十九条", "sanction"),
    ("taiyuan", "taiyuan/第三十条", "time"),
    ("wuhai", "wuhai/三(一)", "delegation"),
    ("wuhai", "wuhai/三(一)", "vague"),
    ("wuhai", "wuhai/三(三)", "delegation"),
    ("wuhai", "wuhai/三(二)", "procedure"),
    ("wuhai", "wuhai/三(五)", "scope"),
    ("wuhai", "wuhai/三(七)", "scope"),
    ("wuhai", "wuhai/六(二)", "procedure"),
    ("wuhai", "wuhai/三(三)", "silence"),
    ("wuxi", "wuxi/四(五)", "scope"),
    ("wuxi", "wuxi/五(九)", "delegation"),
    ("wuxi", "wuxi/五(十)", "vague"),
    ("wuxi", "wuxi/七(十四)", "procedure"),
    ("wuxi", "wuxi/二(一)", "precedence"),
    ("wuxi", "wuxi/四(六)", "silence"),
    ("wuxi", "wuxi/末段", "delegation"),
]


@pytest.mark.parametrize("jurisdiction,clause,kind", FURTHER_PROVISIONS)
def test_every_further_provision_is_in_the_kb(kb, jurisdiction, clause, kind):
    assert any(p.jurisdiction == jurisdiction and clause in p.clauses and p.kind == kind and p.statement_zh and p.label_en
               for p in kb.provisions), (jurisdiction, clause, kind)


def test_a_provision_without_a_clause_is_refused(tmp_path):
    d = copy_kb(tmp_path)
    path = d / "provisions.ttl"
    text = path.read_text(encoding="utf-8")
    line = "    ma:clause <taiyuan/第二十九条> ;\n"
    assert line in text
    path.write_text(text.replace(line, ""), encoding="utf-8")
    with pytest.raises(KBError, match="A provision cites the clause"):
        KB(d)


def test_interpretation_ids_say_what_not_where(kb):
    """An interpretation's id names the reading, not a place: the jurisdictions whose texts it
    reads are a statement of the KB (ma:appliesIn), and they are jurisdictions of the KB."""
    places = set(kb.jurisdictions)
    for i in kb.interpretations.values():
        assert not places & set(i.id.split("_")), f"{i.id} names a jurisdiction"
        assert set(i.applies_in) <= places, i.id
    assert kb.interpretations["before_effective_date"].applies_in == ["taiyuan"]
    assert kb.interpretations["undated_document_start"].applies_in == ["shanxi"]
    assert kb.interpretations["rounding"].applies_in == []


def test_an_interpretation_applying_in_no_jurisdiction_is_refused(tmp_path):
    d = copy_kb(tmp_path)
    f = d / "interpretations.ttl"
    f.write_text(f.read_text(encoding="utf-8").replace("ma:appliesIn <jurisdiction/wuxi>", "ma:appliesIn <jurisdiction/atlantis>", 1),
                 encoding="utf-8")
    with pytest.raises(KBError) as err:
        KB(d)
    assert "applies in jurisdictions of the KB" in str(err.value)


def test_an_old_interpretation_id_is_an_unknown_parameter(kb):
    """Renamed ids are not accepted under their old names: the error names the field."""
    from medaid_logic.case import parse_case
    from medaid_logic.errors import CaseError
    case = {**CASE, "parameters": {**CASE["parameters"], "taiyuan_tilted_fallback": "off"}}
    with pytest.raises(CaseError) as err:
        parse_case(case, kb)
    assert err.value.field == "parameters.taiyuan_tilted_fallback"
    ok = {**CASE, "parameters": {**CASE["parameters"], "tilted_standard_fallback": "off"}}
    assert parse_case(ok, kb).parameters["tilted_standard_fallback"] == "off"
