"""A cap pool has one cap per category: an override that gives one claim two caps is refused
(exit 2 naming the override), and the KB itself has none. Before, Wuxi's aid/cap_pool_general:
shared alone held every claim of the shared pool to 300000.00 and 10000.00 at once."""
import copy
import json
from pathlib import Path

import clingo
import pytest

from medaid_logic.errors import CaseError
from medaid_logic.kb import load_kb

CASES = Path(__file__).parent / "cases" / "wuxi"
ERRORS = Path(__file__).parent / "cases" / "errors"   # the refused cases, as wuxi-NAME


def test_the_kb_has_no_pool_with_two_caps():
    kb = load_kb()
    assert all(kb.pool_cap_clashes(j) == [] for j in kb.jurisdictions)


def test_which_pool_overrides_clash():
    """Every jurisdiction's pool parameter set to every pool code: only Wuxi's two moves that join
    its 300000 and 10000 caps clash (Shanxi, Taiyuan and Wuhai state caps for inpatient care only,
    so moving their one pool keeps one cap; Wuxi's two pools swapped keep one cap each)."""
    kb = load_kb()
    codes = sorted({v for p in kb.parameters.values() if p.kind == "cap_pool" for v in p.values})
    clashing = set()
    for j in kb.jurisdictions:
        pools = [p for p in kb.parameters_of(j) if p.kind == "cap_pool"]
        for p in pools:
            for code in codes:
                if kb.pool_cap_clashes(j, {p.id: [clingo.Function(code)]}):
                    clashing.add((p.id, code))
        if len(pools) == 2:   # swapped
            a, b = pools
            assert kb.pool_cap_clashes(j, {a.id: [clingo.Function(str(b.values[0]))], b.id: [clingo.Function(str(a.values[0]))]}) == []
    assert clashing == {("wuxi/aid/cap_pool_general", "shared"), ("wuxi/aid/cap_pool_shared", "general_outpatient")}


def _case(name):
    path = CASES / f"{name}.json"
    if not path.exists():
        path = ERRORS / f"wuxi-{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))["case"]


def test_refusal_names_the_override_and_both_caps(engine):
    with pytest.raises(CaseError) as err:
        engine.evaluate(_case("cap-pool-override-alone-refused"))
    assert err.value.field == "parameters.aid/cap_pool_general"
    for part in ("'shared'", "300000.00 (wuxi/aid/cap", "10000.00 (wuxi/aid/general_outpatient_cap", "aid/general_outpatient_cap: 300000.00"):
        assert part in err.value.message


def test_refusal_names_the_field_as_written(engine):
    case = _case("cap-pool-override-alone-refused")
    case["parameters"] = {"contribution": 420, "wuxi/aid/cap_pool_general": "shared"}
    with pytest.raises(CaseError) as err:
        engine.evaluate(case)
    assert err.value.field == "parameters.wuxi/aid/cap_pool_general"


def test_a_cap_changed_in_a_joined_pool_is_refused_by_its_own_field(engine):
    # the pools joined with equal caps (the audit's other reading), then the inpatient cap changed
    case = _case("general-outpatient-in-shared-cap")
    case["parameters"]["aid/cap"] = 200000
    with pytest.raises(CaseError) as err:
        engine.evaluate(case)
    assert err.value.field == "parameters.aid/cap_pool_general"   # the move is named before a cap
    case = _case("general-outpatient-in-shared-cap")
    case["parameters"]["aid/general_outpatient_cap"] = 300000.01
    with pytest.raises(CaseError):
        engine.evaluate(case)


def test_one_cap_step_when_two_parameters_state_one_cap(engine):
    """Joined with equal caps, each claim shows one annual_cap step citing its own kind's cap
    (before: two identical steps, each citing both)."""
    r = engine.evaluate(_case("general-outpatient-in-shared-cap"))
    c1, c2 = r["claims"]
    assert [s["what"] for s in c2["steps"]].count("annual_cap") == 1
    step = next(s for s in c2["steps"] if s["what"] == "annual_cap")
    assert "kb:wuxi/aid/general_outpatient_cap" in step["inputs"] and "kb:wuxi/aid/cap" not in step["inputs"]
    big = copy.deepcopy(_case("general-outpatient-in-shared-cap"))
    big["claims"][0].update(in_policy_cost=460000, total_cost=460000)   # 450000.00 × 85% = 382500.00 > 300000.00
    c1 = engine.evaluate(big)["claims"][0]
    caps = [s for s in c1["steps"] if s["what"] == "annual_cap"]
    assert len(caps) == 1 and caps[0]["amount"] == "300000.00" and "kb:wuxi/aid/cap" in caps[0]["inputs"]


def test_an_item_paid_but_not_settled_fails_the_case_not_pays_nothing(tmp_path, kb):
    """claims.lp's guard: were the chain to lack an account for an item's cap pool (the KB cannot
    give a pool no account), the case is an engine failure, never an aid of 0.00."""
    import json
    import shutil
    from pathlib import Path
    from medaid_logic.engine import Engine
    from medaid_logic.errors import EngineFailure
    from medaid_logic.resources import asp_dir
    programs = tmp_path / "asp"
    shutil.copytree(asp_dir(), programs)
    claims = programs / "claims.lp"
    account_rule = "cl_account(A,sc(C),P,P) :- ctx(A,sc(C)), cl_apool(A,P).\n"
    text = claims.read_text("utf-8")
    assert account_rule in text
    claims.write_text(text.replace(account_rule, ""), "utf-8")
    case = json.loads((Path(__file__).resolve().parent / "cases/taiyuan/dibao-inpatient-cap.json").read_text("utf-8"))["case"]
    assert not isinstance(Engine(kb).evaluate_batch([case])[0], Exception)
    got = Engine(kb, asp_dir=programs).evaluate_batch([case])[0]
    assert isinstance(got, EngineFailure) and "not settled" in str(got)
