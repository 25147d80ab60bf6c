"""Targets name only what exists: a nonsense category, flag, annual kind or step is refused
(exit 2) with a message naming the bad part, in why and why-not."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from medaid_logic.legal.session import Session, TargetError, parse_target
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
