"""The refusals of issue 12 that no case file can hold (bytes, JSON-level), and place strings as
any text. Field-level refusals are tests/cases/errors/*.json."""
import copy
import json
from pathlib import Path

import pytest

from medaid_logic import limits
from medaid_logic.case import loads
from medaid_logic.errors import CaseError

ROOT = Path(__file__).resolve().parent.parent
APPLY_AT = loads((ROOT / "tests/cases/taiyuan/gap-apply-at-hukou-under-one-year.json").read_bytes())["case"]


def refused(raw) -> CaseError:
    with pytest.raises(CaseError) as err:
        loads(raw)
    return err.value


def test_json_level_refusals_name_where():
    assert "not UTF-8: byte 0xff at offset 14" in refused(b'{"case_id": "a\xff"}').message
    assert "not UTF-8" in refused(b'{"case_id": "\xed\xa0\x80"}').message  # an encoded surrogate
    err = refused('{"applicant": {"facts": {"employed": true, "employed": false}}}')
    assert err.field == "applicant.facts.employed" and "duplicate" in err.message
    assert refused('{"claims": [{}, {"kind": 1, "kind": 2}]}').field == "claims[1].kind"
    err = refused('{"case_id": "r\\ud800"}')
    assert err.field == "case_id" and "surrogate" in err.message
    # the walk that names a refusal runs only where the text may hold one (strict_json.loads):
    # an escape in capitals, a lone surrogate in a text given as str, one deep in a claim
    assert refused('{"case_id": "r\\uDC00"}').field == "case_id"
    assert refused('{"case_id": "r\ud800"}').field == "case_id"
    assert refused('{"claims": [{}, {"claim_id": "\\ud83d"}]}').field == "claims[1].claim_id"
    assert loads('{"case_id": "\\ud83d\\ude00 \\\\ud800"}')["case_id"] == "\U0001F600 \\ud800"  # a pair; an escaped backslash
    err = refused('{"claims": ' + "[" * 1000 + "]" * 1000 + "}")  # the parser's own limit, named
    assert err.field.startswith("claims[0][0]") and "nesting deeper than 32" in err.message
    err = refused('{"a": ' + '{"b": ' * 40 + "1" + "}" * 41)
    assert err.field.startswith("a.b.b") and "nesting" in err.message
    assert "not valid JSON" in refused('{"a": 1').message


def test_size_limit_is_configurable():
    text = json.dumps({"case_id": "x" * 5000})
    limits.configure(max_case_bytes=4000)
    try:
        assert "above the limit of 4000" in refused(text).message
    finally:
        limits.reset()
    assert loads(text)["case_id"] == "x" * 5000


def test_numbers_beyond_any_figure_reach_their_field(engine):
    case = copy.deepcopy(APPLY_AT)
    case["claims"][0]["total_cost"] = "__N__"
    for number in ("1e999999", "1" + "0" * 5000, "NaN", "-Infinity", "1e99999999999999999999"):
        raw = json.dumps(case).replace('"__N__"', number)
        try:
            data = loads(raw)
        except CaseError as exc:  # only an exponent no Decimal can hold stops at the reader
            assert number == "1e99999999999999999999" and "out of range" in exc.message
            continue
        with pytest.raises(CaseError) as err:
            engine.evaluate(data)
        assert err.value.field == "claims[0].total_cost", number


def test_claims_limit_names_claims(engine):
    case = copy.deepcopy(APPLY_AT)
    case["claims"] = [dict(case["claims"][0], claim_id=f"c{k}") for k in range(5)]
    limits.configure(max_claims=4)
    try:
        with pytest.raises(CaseError) as err:
            engine.evaluate(case)
    finally:
        limits.reset()
    assert err.value.field == "claims" and "limit of 4" in err.value.message


@pytest.mark.parametrize("hukou", ["shenzhen\t/南山", "shen\0zhen/x", "a,b/c,d", 'q"uo\\te/\r\x0c\x07',
                                   "x)).\n:- case(A,B,C).", "\ue000\ue0000/\ue0001"])
def test_a_place_is_any_text(engine, hukou):
    # a hukou outside the four, residence in Taiyuan under one year: 第十二条 sends the person to
    # the hukou's place, which must come back exactly as written
    case = copy.deepcopy(APPLY_AT)
    case["applicant"]["hukou"] = hukou
    case["applicant"]["insured_in"] = hukou
    r = engine.evaluate(case)
    assert r["total_aid"] == "7000.00"  # the case file's arithmetic: 10000.00 × 70%
    assert [f["place"] for f in r["flags"] if f["kind"] == "apply_at"] == [hukou]
