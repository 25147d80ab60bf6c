"""The one message catalogue (medaid_logic/locale/<lang>/LC_MESSAGES/medaid.po, read by
medaid_logic/words.py): both languages hold the same keys, every key the code or a template names
exists, no entry is unused, and no module but words.py keeps a table of words."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from medaid_logic.words import LANGS, catalogue

ROOT = Path(__file__).resolve().parent.parent
CODE = sorted((ROOT / "medaid_logic").rglob("*.py"))
TEMPLATES = sorted((ROOT / "medaid_logic" / "web" / "templates").glob("*.html"))
# modules exempt from the table-of-words check while their sentences move to the catalogue (none)
PENDING: set[str] = set()
LOOKUPS = {"word_of", "has", "family", "Family"}   # first argument: a family, read by code
SAYERS = {"say", "say1"}    # the audit Builder's sentences: first argument a code of audit_sentence.*


def _codes(node) -> tuple[set[str], set[str]]:
    """(codes, code prefixes) an argument can take: a string, either branch of `a if c else b`,
    the fixed start of `"prefix_" + x`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}, set()
    if isinstance(node, ast.IfExp):
        (a, pa), (b, pb) = _codes(node.body), _codes(node.orelse)
        return a | b, pa | pb
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
        return set(), {node.left.value}
    raise AssertionError(f"line {node.lineno}: a say/say1 code this test cannot read (write it as a string)")


def _uses() -> tuple[set[str], set[str]]:
    """(keys named whole, families read by code) over the package and the templates; a family
    ending in "_" is a prefix of codes (`say("provision_todo_" + kind)`)."""
    keys, families = set(), set()
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # say passes its code on to say1: the calls inside the sayers' own bodies name no code
        passing = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name in SAYERS for n in ast.walk(f)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in SAYERS and isinstance(node.func, ast.Attribute) and id(node) not in passing:
                codes, prefixes = _codes(first)
                keys.update("audit_sentence." + c for c in codes)
                families.update("audit_sentence." + p for p in prefixes)
            elif name == "word" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                keys.add(first.value)
            elif name == "word" and isinstance(first, ast.BinOp) and isinstance(first.left, ast.Constant):
                families.add(first.left.value.rstrip("."))     # word("note." + n, ...)
            elif name in LOOKUPS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                families.add(first.value)
            elif name == "code" and isinstance(first, ast.Constant):   # Words.code("hospital", v)
                families.add(first.value)
            elif name == "t" and isinstance(first, ast.Constant):      # Words.t("bill"): ui.bill
                keys.add("ui." + first.value)
    for path in TEMPLATES:
        keys.update("ui." + k for k in re.findall(r"""\bw\.t\(\s*['"]([a-z_]+)['"]\s*\)""", path.read_text(encoding="utf-8")))
    # the case form's facts loop names each fact (w.t(k)) and a set of codes by its field (w.code(k, t))
    from medaid_logic.web.forms import FACT_WIDGETS
    keys.update("ui." + k for k in FACT_WIDGETS)
    families.update(k for k, (kind, _) in FACT_WIDGETS.items() if kind == "codes")
    return keys, families


def test_both_languages_hold_the_same_keys_and_no_empty_word():
    zh, en = catalogue("zh"), catalogue("en")
    assert sorted(set(zh) ^ set(en)) == []
    for lang in LANGS:
        assert not [k for k, v in catalogue(lang).items() if not v.strip()], lang


def test_every_key_the_code_names_exists():
    keys, families = _uses()
    zh = catalogue("zh")
    assert sorted(k for k in keys if k not in zh) == []
    assert sorted(f for f in families if not any(k.startswith(f if f.endswith("_") else f + ".") for k in zh)) == []


def test_no_entry_is_unused():
    keys, families = _uses()
    unused = [k for k in catalogue("zh") if k not in keys and k.rsplit(".", 1)[0] not in families
              and k.split(".", 1)[0] not in families and not any(f.endswith("_") and k.startswith(f) for f in families)]
    assert unused == []


def test_no_other_module_keeps_a_table_of_words():
    """A dict literal whose values are (zh, en) pairs, or {"zh": {...}, "en": {...}}, is a second catalogue."""
    found = []
    for path in CODE:
        if path.relative_to(ROOT).as_posix() in PENDING:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Dict) or len(node.keys) < 3:
                continue
            pairs = [v for v in node.values if isinstance(v, ast.Tuple) and len(v.elts) == 2
                     and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)]
            langs = {k.value for k, v in zip(node.keys, node.values)
                     if isinstance(k, ast.Constant) and isinstance(v, ast.Dict)} >= {"zh", "en"}
            zh_values = [v for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
                         and re.search(r"[\u4e00-\u9fff]", v.value)]
            if len(pairs) >= 3 or langs or len(zh_values) >= 3:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_no_import_cycle_between_the_wording_modules():
    """render.py reads words only from words.py; legal/i18n.py may build on render, not the reverse."""
    for mod in ("render.py", "result.py", "words.py"):
        src = (ROOT / "medaid_logic" / mod).read_text(encoding="utf-8")
        assert "legal" not in " ".join(re.findall(r"^\s*(?:from|import) (\S+)", src, re.M)), mod
