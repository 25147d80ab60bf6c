"""Justifications a legal officer can sign (issue 9): the deciding clause first, in plain words.

- golden justifications (zh and en) for the cases of tests/golden/justify/regen.py;
- the first sentence of several, checked by hand against the clause (the expected strings were
  written from the texts, not copied from the engine);
- a lint over what a person reads: no solver atom, no snake_case id, no English in Chinese;
- no why-not answer for one claim over 40 lines."""
import importlib.util
import json
import re
from pathlib import Path

import pytest

from medaid_logic.kb import load_kb
from medaid_logic.legal.justify import claim_headline, why_not_claim, why_not_claim_text, year_headline
from medaid_logic.legal.session import Session
from medaid_logic.legal.targets import parse_target
from medaid_logic.legal.why import clauses, clauses_text, tree_text, why
from medaid_logic.render import render_text

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "justify"
_spec = importlib.util.spec_from_file_location("justify_regen", GOLDEN / "regen.py")
regen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regen)


@pytest.fixture(scope="module")
def fresh(engine):
    return regen.render(engine)


def test_golden_set_is_complete(fresh):
    on_disk = {p.name for p in GOLDEN.glob("*.txt")}
    assert on_disk == set(fresh), "run `.venv/bin/python tests/golden/justify/regen.py` and review the diff"
    assert len(regen.CASES) >= 16


@pytest.mark.parametrize("name", sorted([f"{c}-{lang}.txt" for c in regen.CASES for lang in ("zh", "en")]
                                        + [f"{c}-amounts-{lang}.txt" for c in regen.AMOUNTS for lang in ("zh", "en")]))
def test_golden(fresh, name):
    want = (GOLDEN / name).read_text(encoding="utf-8")
    assert fresh[name] == want, f"{name} changed: run tests/golden/justify/regen.py and review `git diff {GOLDEN / name}`"


def _session(engine, name):
    return Session(regen.case_of(regen.CASES[name]), engine)


# (case, claim index, the opening of the first sentence, the clause it must cite, the words quoted)
HAND = [
    ("taiyuan-exit-before-stay", 0, "c1 未获救助：低保对象身份已于 2023-05-10 退出，住院开始于 2023-05-15",
     "第十五条", "自退出之日起不再享受医疗救助政策"),
    ("taiyuan-exit-during-stay", 0, "c1 仍按低保对象获救助 7000.00 元：身份于 2023-05-10 退出时尚在住院",
     "第十五条", "退出之日未出院继续治疗的，仍按入院时救助对象身份及相关政策给予救助"),
    ("taiyuan-exit-stay-past-year-end", 0, "c1 未获救助：低保对象身份于 2023-12-25 退出时仍在住院，按入院时身份最长救助至 2023-12-31",
     "第十五条", "救助最长时限到当年 12 月 31 日"),
    ("wuxi-loss-next-month", 1, "c2 未获救助：低保对象身份于 2023-05-15 丧失，自次月 2023-06-01 起不再享受救助",
     "锡政办发〔2022〕98号）四(八)", "原则上次月起不再享受医疗救助待遇"),
    ("taiyuan-unreferred", 0, "c1 未获救助：未按规定转诊", "第二十条", "所发生的医疗费用原则上不纳入医疗救助范围"),
    ("taiyuan-cap-used-by-two-bills", 2, "c3 未获救助：年度救助限额 60000.00 元已用完（c1 使用 35000.00 元；c2 使用 25000.00 元）",
     "第八条(二)", "年度最高救助限额6万元"),
    ("taiyuan-no-category", 0, "c1 未获救助：申请人在本地不持有任何救助对象身份", None, None),
    ("shanxi-admission-date-reading", 0, "c1 未获救助：低保对象身份自 2023-03-05 起才取得，住院开始于 2023-03-01",
     "晋政办发〔2022〕74号", "以入院当日身份确定住院救助"),
    ("taiyuan-quota-unreferred", 0, "c1 属限额管理，不按次救助：纳入 12 月 31 日的年终一次性救助", "第九条(一)", "限额管理的年底一次性救助"),
]


@pytest.mark.parametrize("name,k,opening,clause,quoted", HAND, ids=[h[0] for h in HAND])
def test_first_sentence_checked_by_hand(engine, name, k, opening, clause, quoted):
    s = _session(engine, name)
    text = claim_headline(s, k, "zh")["sentence"]
    assert text.startswith(opening), text
    if clause:
        assert clause in text and quoted in text, text


def test_tie_is_disclosed_with_the_tie_rule(engine):
    s = _session(engine, "wuxi-tie")
    text = year_headline(s, "zh")["sentence"]
    assert text.startswith("低保对象与困境儿童全年救助合计相同，按类别表顺序适用低保对象") and "解释口径" in text, text


def test_press_reports_are_marked(engine):
    s = _session(engine, "shanxi-example")
    text = claim_headline(s, 0, "zh")["sentence"]
    assert "晋政办发〔2022〕74号" in text and "据新闻发布会报道" in text, text
    assert "taiyuan" not in text


# ---- lint over what a person reads ------------------------------------------------------------------
ATOM = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*\(\s*[A-Z0-9_\"]")
SNAKE = re.compile(r"(?<![\w/#.])[a-z]+(?:_[a-z0-9]+)+(?![\w/])")
ENGLISH = re.compile(r"[A-Za-z]{3,}")
CASE_FILES = sorted(p for p in (ROOT / "tests" / "cases").rglob("*.json") if "errors" not in p.parts)
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def _read(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("case", data)


def _outputs(engine, path, lang):
    """Every reader-facing text of the justification layer for one case."""
    s = Session(_read(path), engine)
    out = {}
    for k, cid in enumerate(s.claim_ids):
        ans = why_not_claim(s, k, None, lang)
        ans["jurisdiction"] = s.data["jurisdiction"]
        out[f"why-not claim:{cid}"] = why_not_claim_text(ans, lang)
        out[f"why claim:{cid} (headline)"] = why(s, parse_target(f"claim:{cid}"), lang)["headline"]
    return s, out


def _strip_allowed(text: str) -> str:
    """What a reader may legitimately see in Latin letters: claim ids the case gave, rule ids
    (jurisdiction/locator), ISO dates and figures; the clause quotes are Chinese already."""
    text = re.sub(r"\b(?:" + "|".join(load_kb().jurisdictions) + r")/\S+", "", text)
    return text


@pytest.mark.parametrize("path", EXAMPLES + CASE_FILES[::6], ids=lambda p: p.stem)
def test_no_atom_no_id_no_english_in_chinese(engine, path):
    s, outs = _outputs(engine, path, "zh")
    ids = set(s.claim_ids) | {s.data.get("case_id") or ""}
    for name, text in outs.items():
        assert not ATOM.search(text), f"{name}: a solver atom in {text!r}"
        bare = _strip_allowed(text)
        for word in ENGLISH.findall(bare):
            assert word in ids, f"{name}: English word {word!r} in Chinese output: {text!r}"
    for name, text in _outputs(engine, path, "en")[1].items():
        assert not ATOM.search(text), f"{name}: a solver atom in {text!r}"
        bare = _strip_allowed(text)
        assert not SNAKE.search(bare), f"{name}: an internal id {SNAKE.search(bare).group(0)!r} in {text!r}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_evaluate_text_and_clauses_are_wholly_chinese(engine, path):
    s = Session(_read(path), engine)
    ids = set(s.claim_ids) | {s.data.get("case_id") or ""}
    text = render_text(s.result, s.kb, "zh") + clauses_text(clauses(s), "zh")
    assert not ATOM.search(text)
    # category and statistic ids appear in parentheses beside their Chinese names, as the case gives them
    allowed = ids | set(s.kb.categories) | set(s.kb.statistic_kinds)
    bare = re.sub(r"\b(?:" + "|".join(s.kb.jurisdictions) + r")(?:/\S*)?", "", text)
    words = {w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", bare) if w not in allowed}
    subs = {sub for c in s.kb.categories.values() for sub in c.subtypes}
    assert words <= subs, f"English in Chinese output: {sorted(words - subs)}"


@pytest.mark.parametrize("path", EXAMPLES + CASE_FILES[::4], ids=lambda p: p.stem)
def test_why_not_answer_is_short(engine, path):
    for name, text in _outputs(engine, path, "zh")[1].items():
        assert text.count("\n") <= 40, f"{name}: {text.count(chr(10))} lines"


# ---- why-not premium as a justification ------------------------------------------------------------
PREMIUM_HAND = [
    # 第六条: 低收入家庭(含低保边缘家庭)六十周岁以上的老年人和未成年人 — aged 40 on 1 January
    ("tests/cases/taiyuan/premium-low-income-aged-40-none.json",
     "未获低收入家庭成员的参保资助：该规定要求年满 60 周岁，申请人 1 月 1 日为 40 周岁", "第六条"),
    # 三(二) names 特困人员, 低保对象 and 返贫致贫人口 only
    ("examples/wuhai-illness-poor-derived.json",
     "未获参保资助：参保资助的规定未将因病致贫重病患者列入资助范围", "低保对象、返贫致贫人口由医疗救助基金给予定额资助"),
    # 第六条: 2022—2025年，返贫致贫人口按个人缴费标准90%的比例 — 380.00 × 90% = 342.00
    ("examples/taiyuan-dibao-returned-poor.json", "参保资助 342.00 元，按返贫致贫人口资助", "返贫致贫人口按个人缴费标准90%"),
]


@pytest.mark.parametrize("path,opening,quoted", PREMIUM_HAND, ids=[Path(p).stem for p, _, _ in PREMIUM_HAND])
def test_why_not_premium_first_sentence_checked_by_hand(engine, path, opening, quoted):
    from medaid_logic.legal.answers import why_not_answer
    s = Session(_read(ROOT / path), engine)
    ans, text = why_not_answer(s, parse_target("premium"), "zh")
    assert ans["headline"].startswith(opening) and quoted in ans["headline"], ans["headline"]
    assert not ATOM.search(text)
    for word in ENGLISH.findall(_strip_allowed(text)):
        raise AssertionError(f"English word {word!r} in {text!r}")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_why_not_category_is_a_justification(engine, path):
    """Every category of the jurisdiction, held or not: a sentence, no atom, no English in Chinese."""
    from medaid_logic.legal.answers import why_not_answer
    s = Session(_read(path), engine)
    ids = set(s.claim_ids)
    for cat in s.kb.categories_in(s.data["jurisdiction"]):
        ans, text = why_not_answer(s, parse_target(f"category:{cat.id}"), "zh")
        assert not ATOM.search(text), text
        for word in ENGLISH.findall(_strip_allowed(text)):
            assert word in ids, f"category:{cat.id}: English word {word!r} in {text!r}"
        held = any(c["category"] == cat.id for c in s.result["categories"])
        assert ans["headline"].startswith(("申请人持有", "就高不就低适用") if held else "申请人不持有"), ans["headline"]


def test_why_not_category_not_held_says_the_clause_and_the_year(engine):
    """Taiyuan example, tekun not held: 第四条(一) names 特困人员; held all year the engine's year
    total is the re-evaluated case's (the figure itself is the engine's, asserted only to be given)."""
    from medaid_logic.legal.answers import why_not_answer
    s = Session(_read(ROOT / "examples/taiyuan-dibao-returned-poor.json"), engine)
    ans, text = why_not_answer(s, parse_target("category:tekun"), "zh")
    assert ans["headline"].startswith("申请人不持有特困人员身份；依据《太原市健全重特大疾病医疗保险和救助制度实施细则》第四条(一)")
    assert "若全年持有该身份：全年合计" in text


# ---- why-not for an amount (a claim's step, an annual entry, a flag, the total) ----------------------
def _atom(text: str):
    """A solver atom in text; a formula's min(…) and max(…) are arithmetic, not atoms."""
    return ATOM.search(re.sub(r"\b(?:min|max)\(", "", text))


AMOUNT_HAND = [
    # 第八条(五): 返贫致贫人口 由医疗救助基金按70%比例 — self-pay 50000 − 30000 − 4000 − 0 = 16000; × 70% = 11200.00
    ("examples/taiyuan-dibao-returned-poor.json", "claim:c1.step:ordinary_aid",
     "c1（住院开始于 2023-03-01）的按比例救助为 11200.00 元：16000.00 × 70%", "第八条(五)", "按70%比例给予救助"),
    # 第八条(五): 综合支付比例达不到90%的，救助到90% — paid 30000 + 4000 + 0 + 11200 = 45200 of 50000 = 90.4% ≥ 90%
    ("examples/taiyuan-dibao-returned-poor.json", "claim:c1.step:top_up",
     "c1 无需兜底救助：综合支付比例已达 90.4%，不低于目标 90%", "第八条(五)", "救助到90%"),
    # 第十一条(二): the tilted-aid standard is left to 县级人民政府 — no figure, so no tilted aid
    ("examples/taiyuan-dibao-returned-poor.json", "annual:tilted_aid",
     "倾斜救助的标准由县级人民政府另行确定，尚未确定", "第十一条(二)", ""),
    # 三(四): 起付线为7000元，救助比例为60% — w1 burden 86000 − 48000 − 9000 − 0 − aid 11550 = 17450;
    # (17450 − 7000) × 60% = 6270.00 (w2 is outpatient care, not a stay: 对在自治区内住院的救助对象)
    ("examples/wuhai-illness-poor-derived.json", "annual:tilted_aid",
     "倾斜救助为 6270.00 元：取大(0, 17450.00 − 7000.00) × 60%", "三(四)", "起付线为7000元"),
    # 四(七): 年度个人负担6000元以上部分给予倾斜救助 — burden 5000 − 3000 − 1700 = 300 (c1, aided; c2 after the
    # loss is no recipient's cost); 300 ≤ 6000 → 0.00: the threshold's sentence decides, not the reading that tilted aid is outside the cap
    ("tests/cases/wuxi/identity-lost-may-next-month.json", "annual:tilted_aid",
     "倾斜救助为 0.00 元：取大(0, 300.00 − 6000.00) × 60%", "四(七)", "年度个人负担6000元以上部分给予倾斜救助"),
    # the year's total is the sum of the claims: 21400.00 + 4775.00 + 280.00 = 26455.00
    ("examples/taiyuan-dibao-returned-poor.json", "total",
     "2023 年度救助合计 26455.00 元：c1 21400.00 元 + c2 4775.00 元 + c3 280.00 元", "", ""),
]


@pytest.mark.parametrize("path,target,opening,clause,quoted", AMOUNT_HAND, ids=[t for _, t, *_ in AMOUNT_HAND])
def test_why_not_amount_first_sentence_checked_by_hand(engine, path, target, opening, clause, quoted):
    from medaid_logic.legal.answers import why_not_answer
    s = Session(_read(ROOT / path), engine)
    ans, text = why_not_answer(s, parse_target(target), "zh")
    head = ans["headline"]
    assert head.startswith(opening) and clause in head and quoted in head, head
    assert text.count("\n") <= 40 and not _atom(text)
    for word in ENGLISH.findall(_strip_allowed(text)):
        assert word in s.claim_ids, f"English word {word!r} in {text!r}"
    en = why_not_answer(s, parse_target(target), "en")[1]
    assert not _atom(en) and not SNAKE.search(_strip_allowed(en)), en


@pytest.mark.parametrize("path", EXAMPLES + CASE_FILES[::6], ids=lambda p: p.stem)
def test_why_not_every_amount_target_is_a_justification(engine, path):
    """Each claim's steps, each annual kind, each flag raised and the total: words only, ≤ 40 lines."""
    from medaid_logic.legal.answers import why_not_answer
    s = Session(_read(path), engine)
    targets = ["total", "annual:tilted_aid", "annual:chronic_quota_settlement"]
    targets += [f"flag:{f['kind']}" for f in s.result["flags"]]
    targets += [f"claim:{c['claim_id']}.step:{st['what']}" for c in s.result["claims"] for st in c["steps"]]
    ids = set(s.claim_ids) | {s.data.get("case_id") or ""}
    for t in dict.fromkeys(targets):
        for lang in ("zh", "en"):
            text = why_not_answer(s, parse_target(t), lang)[1]
            assert text.count("\n") <= 40, f"{t}: {text.count(chr(10))} lines"
            assert not _atom(text), f"{t}: {text}"
            bare = _strip_allowed(text)
            if lang == "zh":
                for word in ENGLISH.findall(bare):
                    assert word in ids, f"{t}: English word {word!r} in {text!r}"
            else:
                assert not SNAKE.search(bare), f"{t}: {SNAKE.search(bare).group(0)!r} in {text!r}"
