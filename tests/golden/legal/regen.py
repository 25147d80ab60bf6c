"""Regenerate the golden explanations in tests/golden/legal/: for one representative case of
each jurisdiction, `evaluate --format text` (zh: the words a caseworker reads), `why` on one
claim (zh and en), `why-not` on one target, `clauses`, the derivation graph as JSON and the decision letter (zh and en). Review
the diff before committing (`git diff tests/golden/legal/`): every amount must match the result,
every clause cited must be the right one with its text. Regeneration prints, per file, the
money figures that appear or vanish, so a change of amount cannot pass unseen.

    .venv/bin/python tests/golden/legal/regen.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(ROOT))

import re  # noqa: E402
from collections import Counter  # noqa: E402

from medaid_logic.legal.session import Session  # noqa: E402
from medaid_logic.legal.targets import parse_target  # noqa: E402
from medaid_logic.letter import letter_text  # noqa: E402
from medaid_logic.render import render_text  # noqa: E402
from medaid_logic.legal.why import clauses, clauses_text, graph_json, tree_text, why  # noqa: E402
from medaid_logic.legal.whynot import why_not, why_not_text  # noqa: E402

# jurisdiction: (example, claim for why, target for why-not)
CASES = {
    "shanxi": ("examples/shanxi-monitored-edge.json", "claim:h1", "claim:h2.category:dibao_edge"),
    "taiyuan": ("examples/taiyuan-dibao-returned-poor.json", "claim:c1", "claim:c1.category:dibao"),
    "wuhai": ("examples/wuhai-illness-poor-derived.json", "claim:w1", "claim:w2"),
    "wuxi": ("examples/wuxi-orphan-and-edge.json", "claim:x1", "claim:x1.category:dibao_edge"),
}


def render(engine=None) -> dict[str, str]:
    """File name -> content, for every golden file."""
    out = {}
    for jur, (case, claim, wn) in CASES.items():
        s = Session(json.loads((ROOT / case).read_text(encoding="utf-8")), engine)
        out[f"{jur}-evaluate-zh.txt"] = f"# medaid evaluate {case} --format text\n" + render_text(s.result, s.kb, "zh")
        for lang in ("zh", "en"):
            out[f"{jur}-why-{lang}.txt"] = f"# medaid why {case} {claim} --lang {lang}\n" + \
                tree_text(s, why(s, parse_target(claim), lang), lang)
        out[f"{jur}-whynot.txt"] = f"# medaid why-not {case} {wn} --lang zh\n" + \
            why_not_text(s, why_not(s, parse_target(wn), "zh"), "zh")
        out[f"{jur}-clauses.txt"] = f"# medaid clauses {case} --lang zh\n" + clauses_text(clauses(s), "zh")
        out[f"{jur}-graph.json"] = json.dumps(graph_json(s.graph), ensure_ascii=False, indent=1, default=str) + "\n"
        for lang in ("zh", "en"):
            out[f"{jur}-letter-{lang}.txt"] = f"# medaid letter {case} --lang {lang}\n" + \
                letter_text(json.loads((ROOT / case).read_text(encoding="utf-8")), lang)
    return out


MONEY = re.compile(r"-?\d+\.\d\d(?!\d)")


def figures_changed(old: str, new: str) -> tuple[list[str], list[str]]:
    """The money figures (with multiplicity) that vanish from old and appear in new."""
    a, b = Counter(MONEY.findall(old)), Counter(MONEY.findall(new))
    return sorted((a - b).elements()), sorted((b - a).elements())


if __name__ == "__main__":
    for name, text in render().items():
        path = HERE / name
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(text, encoding="utf-8")
        gone, came = figures_changed(old, text)
        if old == text:
            print(f"unchanged {name}")
        else:
            print(f"wrote {name}" + (f": figures gone {gone}, new {came}" if gone or came else ": wording only, no figure changed"))
