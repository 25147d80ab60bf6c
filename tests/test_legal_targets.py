"""Targets name only what exists: a nonsense category, flag, annual kind or step is refused
(exit 2) with a message naming the bad part, in why and why-not."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from medaid_logic.legal.session import Session
from medaid_logic.legal.targets import TargetError, parse_target
from medaid_logic.legal.why import why
from medaid_logic.legal.whynot import why_not

ROOT = Path(__file__).resolve().parent.parent
TY = json.loads((ROOT / "examples/taiyuan-dibao-returned-poor.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ty(engine):
    return Session(TY, engine)


@pytest.mark.parametrize("target,bad", [
    ("claim:c1.category:nonsense", "unknown category 'nonsense'"),
    ("category:nonsense", "unknown category 'nonsense'"),
    ("flag:nonsense", "unknown flag kind 'nonsense'"),
    ("annual:nonsense", "unknown annual kind 'nonsense'"),
    ("annual:nonsense.step:tilted_aid", "unknown annual kind 'nonsense'"),
    ("annual:tilted_aid.step:nonsense", "unknown step 'nonsense'"),
    ("claim:c1.step:nonsense", "unknown step 'nonsense'"),
    ("claim:c9", "no claim 'c9'"),
])
def test_bad_target_named(ty, target, bad):
    for fn in (why_not, why):
        with pytest.raises(TargetError, match=bad.replace("(", r"\(")):
            fn(ty, parse_target(target))


def test_bad_target_exit_2():
    p = subprocess.run([sys.executable, "-m", "medaid_logic.cli", "why-not", str(ROOT / "examples/taiyuan-dibao-returned-poor.json"),
                        "flag:nonsense", "--format", "json"], capture_output=True, text=True)
    assert p.returncode == 2
    assert json.loads(p.stdout)["error"]["message"].startswith("flag:nonsense: unknown flag kind 'nonsense'")
    assert "unknown flag kind" in p.stderr


EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_amount_can_be_asked(engine, path):
    # every amount the engine returns (whatif.amounts: total, premium, claims, their steps,
    # annual entries and their steps) is a target of why and why-not
    from medaid_logic.legal.whatif import amounts
    s = Session(json.loads(path.read_text(encoding="utf-8")), engine)
    keys = [k for k, v in amounts(s).items() if not k.startswith(("flag:", "applied_category")) and v.get("amount") is not None]
    assert any(".step:" in k for k in keys)
    for key in keys:
        t = parse_target(key)
        assert why(s, t)["roots"], key
        ans = why_not(s, t)
        assert ans["rules"] or ans.get("parts"), key


def test_why_not_annual_steps(engine):
    s = Session(json.loads((ROOT / "examples/wuhai-illness-poor-derived.json").read_text(encoding="utf-8")), engine)
    # w1: in-policy self-pay 29000.00 less its aid 11550.00 = 17450.00 (三(四) 政策范围内个人负担);
    # tilted aid max(0, 17450.00 − 7000.00) × 60% = 6270.00
    a = why_not(s, parse_target("annual:tilted_aid.step:annual_burden"))
    assert a["obtained"][0]["amount"] == "17450.00"
    b = why_not(s, parse_target("annual:tilted_aid.step:tilted_aid"))
    assert b["obtained"][0]["amount"] == "6270.00" and b["obtained"][0]["rule"] == "wuhai/三(四)"
    # the year's total 11550.00 + 0.00 + 6270.00 = 17820.00, w2 (paid nothing) explained
    t = why_not(s, parse_target("total"))
    assert t["obtained"][0]["amount"] == "17820.00"
    assert [c["claim"] for c in t["claims"]] == ["w2"]
    # w2 was paid under no category: its self-pay step is not derived, the read-out rule says
    # why (app_paid fails) and the claim's own rules follow (三(三) leaves the ratio to 市医疗保障局)
    n = why_not(s, parse_target("claim:w2.step:self_pay"))
    assert n["obtained"] == [] and n["rules"][0]["chain"][0]["failed"] == "app_paid(0,1)"
    assert any("delegated" in (r.get("explanation") or "") for r in n["rules"])


ENGLISH = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|claim aid|year total|take the highest|re-evaluated|paid share|"
                     r"out-of-catalogue|self-pay|over qualifying|fixed amount|\(certified\)|\(derived\)|\(caller\)|"
                     r"same rule|different rule|no longer applies|now applies|not given")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_zh_output_has_no_none_or_english_words(engine, path):
    # every why / why-not of the example's amounts, why-not of each held category and one
    # what-if, in Chinese: the words that have a Chinese form are in Chinese; Python's None never shows
    from medaid_logic.legal.whatif import amounts, what_if, what_if_text
    from medaid_logic.legal.why import tree_text
    from medaid_logic.legal.whynot import why_not_text
    s = Session(json.loads(path.read_text(encoding="utf-8")), engine)
    texts = []
    for key in amounts(s):
        t = parse_target(key.split("@")[0])
        texts.append(tree_text(s, why(s, t, "zh"), "zh"))
        texts.append(why_not_text(s, why_not(s, t, "zh"), "zh"))
    for c in sorted({c for c, *_ in s.atoms["category_out"]}):
        texts.append(why_not_text(s, why_not(s, parse_target(f"claim:{s.claim_ids[0]}.category:{c}"), "zh"), "zh"))
    texts.append(what_if_text(what_if(s, ["identity+=tekun"], "zh"), "zh"))
    lines = [l for tx in texts for l in tx.splitlines() if not l.strip().startswith("«")]
    bad = [l for l in lines if ENGLISH.search(re.sub(r'"[^"]*"', "", l))]
    assert not bad, bad[:5]
