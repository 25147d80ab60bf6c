"""The legal explanations of one representative case per jurisdiction still read as reviewed
(tests/golden/legal/). On a mismatch: run tests/golden/legal/regen.py and review the diff."""
import importlib.util
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "legal"
_spec = importlib.util.spec_from_file_location("legal_regen", GOLDEN / "regen.py")
regen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regen)


@pytest.fixture(scope="module")
def fresh(engine):
    return regen.render(engine)


def test_golden_set_is_complete(fresh):
    on_disk = {p.name for p in GOLDEN.iterdir() if p.suffix in (".txt", ".json")}
    assert on_disk == set(fresh), ("golden files differ from what regen.py writes; run "
                                   "`.venv/bin/python tests/golden/legal/regen.py` and review `git status tests/golden/legal/`")


def test_regen_reports_changed_figures():
    gone, came = regen.figures_changed("救助 21400.00 元; 11200.00", "救助 21400.00 元; 11300.00; 5.00")
    assert gone == ["11200.00"] and came == ["11300.00", "5.00"]


@pytest.mark.parametrize("name", sorted(f"{j}-{w}" for j in regen.CASES
                                        for w in ("evaluate-zh.txt", "why-zh.txt", "why-en.txt", "whynot.txt", "clauses.txt",
                                                  "graph.json", "letter-zh.txt", "letter-en.txt")))
def test_golden(fresh, name):
    want = (GOLDEN / name).read_text(encoding="utf-8")
    assert fresh[name] == want, (f"{name} changed: if the change is intended, run "
                                 f"`.venv/bin/python tests/golden/legal/regen.py` and review `git diff tests/golden/legal/{name}`")
