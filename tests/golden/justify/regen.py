"""Regenerate the golden justifications in tests/golden/justify/: for each case below, in
Chinese and English, every claim's why-not justification (its first line is the sentence
that opens every answer about the claim). Review the diff before committing: each first
sentence must name the deciding clause, the fact and the date as the clause reads.

    .venv/bin/python tests/golden/justify/regen.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(ROOT))

from medaid_logic.legal.justify import why_not_claim, why_not_claim_text, year_headline  # noqa: E402
from medaid_logic.legal.answers import why_not_answer  # noqa: E402
from medaid_logic.legal.session import Session  # noqa: E402
from medaid_logic.legal.targets import parse_target  # noqa: E402

# name: the case file (an example, or a hand-computed case whose `case` is taken)
CASES = {
    "taiyuan-example": "examples/taiyuan-dibao-returned-poor.json",
    "shanxi-example": "examples/shanxi-monitored-edge.json",
    "wuhai-example": "examples/wuhai-illness-poor-derived.json",
    "wuxi-example": "examples/wuxi-orphan-and-edge.json",
    "taiyuan-exit-before-stay": "tests/cases/taiyuan/identity-ended-before-admission.json",
    "taiyuan-exit-during-stay": "tests/cases/taiyuan/identity-ends-during-stay.json",
    "taiyuan-exit-stay-past-year-end": "tests/cases/taiyuan/identity-ends-during-stay-settled-after-year-end.json",
    "wuxi-loss-next-month": "tests/cases/wuxi/identity-lost-may-next-month.json",
    "taiyuan-unreferred": "tests/cases/taiyuan/dibao-unreferred-not-covered.json",
    "taiyuan-out-of-province-no-top-up": "tests/cases/taiyuan/returned-poor-out-of-province-no-top-up.json",
    "taiyuan-cap-used-by-two-bills": "tests/cases/taiyuan/dibao-cap-used-by-two-bills.json",
    "taiyuan-no-category": "tests/cases/taiyuan/no-category-poverty-risk.json",
    "shanxi-admission-date-reading": "tests/cases/shanxi/dibao-gained-during-stay.json",
    "wuxi-tie": "tests/cases/wuxi/dibao-and-distressed-child-tie.json",
    "taiyuan-quota-unreferred": "tests/cases/taiyuan/tekun-quota-second-claim-not-referred.json",
    "taiyuan-cap-counts-top-up": "tests/cases/taiyuan/returned-poor-and-dibao-cap-counts-top-up.json",
    "shanxi-below-deductible": "tests/cases/shanxi/gap-dibao-below-deductible-one-stop.json",
    "wuhai-tilted-decides": "tests/cases/wuhai/tekun-and-dibao-tilted-aid-decides-highest.json",
}


# why-not for amounts (legal/amounts.py): a claim's steps, annual entries, flags, the total
AMOUNTS = {
    "taiyuan-example": ("examples/taiyuan-dibao-returned-poor.json",
                        ["total", "claim:c1.step:ordinary_aid", "claim:c1.step:top_up", "claim:c2.step:catalogue_cost_aid",
                         "annual:tilted_aid", "annual:chronic_quota_settlement", "flag:monitoring", "flag:no_deposit"]),
    "wuhai-example": ("examples/wuhai-illness-poor-derived.json",
                      ["total", "annual:tilted_aid", "annual:tilted_aid.step:annual_burden", "claim:w2.step:ordinary_aid"]),
    "taiyuan-cap-used-by-two-bills": ("tests/cases/taiyuan/dibao-cap-used-by-two-bills.json",
                                      ["claim:c3.step:annual_cap", "total"]),
    "shanxi-below-deductible": ("tests/cases/shanxi/gap-dibao-below-deductible-one-stop.json",
                                ["claim:c1.step:deductible", "claim:c1.step:ordinary_aid", "flag:one_stop_settlement"]),
}


def case_of(path: str) -> dict:
    data = json.loads((ROOT / path).read_text(encoding="utf-8"))
    return data.get("case", data)


def render(engine=None) -> dict[str, str]:
    out = {}
    for name, path in CASES.items():
        s = Session(case_of(path), engine)
        for lang in ("zh", "en"):
            parts = [f"# {path} --lang {lang}\n"]
            year = year_headline(s, lang)
            if year:
                parts.append(year["sentence"] + "\n")
            for k, cid in enumerate(s.claim_ids):
                ans = why_not_claim(s, k, None, lang)
                ans["jurisdiction"] = s.data["jurisdiction"]
                parts.append(f"## claim:{cid}\n" + why_not_claim_text(ans, lang))
            out[f"{name}-{lang}.txt"] = "".join(parts)
    for name, (path, targets) in AMOUNTS.items():
        s = Session(case_of(path), engine)
        for lang in ("zh", "en"):
            out[f"{name}-amounts-{lang}.txt"] = f"# {path} --lang {lang}\n" + "".join(
                f"## why-not {t}\n" + why_not_answer(s, parse_target(t), lang)[1] for t in targets)
    return out


if __name__ == "__main__":
    for name, text in render().items():
        path = HERE / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        path.write_text(text, encoding="utf-8")
        print(("unchanged " if old == text else "wrote ") + name)
