"""The engine's programs keep asp/README.md's naming convention: a predicate that only one engine
file reads and writes carries that file's prefix, and a prefixed predicate never leaves its file
(no other program, no Python reads it). A predicate without a prefix crosses files."""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from medaid_logic.resources import asp_dir

ROOT = Path(__file__).resolve().parent.parent
PREFIX = {"eligibility.lp": "el_", "parameters.lp": "pa_", "claims.lp": "cl_", "precedence.lp": "pr_",
          "year.lp": "yr_", "explain.lp": "ex_", "decisions.lp": "de_"}


def _code(text: str) -> str:
    """A program without its comments and string constants."""
    text = re.sub(r"%\*.*?\*%", "", text, flags=re.S)
    text = re.sub(r"%.*", "", text)
    return re.sub(r'"(\\.|[^"\\])*"', '""', text)


def _mentions(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text) is not None


def _engine_predicates() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for file in PREFIX:
        for name in re.findall(r"(?<![#\w])([a-z][A-Za-z0-9_]*)\s*\(", _code((asp_dir() / file).read_text("utf-8"))):
            found[name].add(file)
    return found


def _elsewhere() -> dict[str, str]:
    """Every other program, Python module, template, catalogue and KB file, by path: where a crossing
    name is read (a term such as a note's reason is read by its catalogue key)."""
    paths = [p for p in asp_dir().rglob("*.lp") if p.name not in PREFIX or p.parent != asp_dir()]
    paths += [p for p in (ROOT / "medaid_logic").rglob("*") if p.suffix in (".py", ".po", ".html")]
    paths += list((ROOT / "kb").glob("*.ttl"))
    return {str(p): p.read_text("utf-8") for p in paths}


def test_internal_predicates_carry_their_files_prefix():
    engine = {f: _code((asp_dir() / f).read_text("utf-8")) for f in PREFIX}
    others = _elsewhere()
    unprefixed = []
    for name in _engine_predicates():
        files = [f for f, text in engine.items() if _mentions(name, text)]
        if len(files) == 1 and not any(_mentions(name, t) for t in others.values()):
            if not name.startswith(PREFIX[files[0]]):
                unprefixed.append(f"{files[0]}: {name}")
    assert not unprefixed, unprefixed


def test_prefixed_predicates_stay_in_their_file():
    engine = {f: _code((asp_dir() / f).read_text("utf-8")) for f in PREFIX}
    everywhere = {**engine, **_elsewhere()}
    leaks = []
    for name in _engine_predicates():
        home = [f for f, p in PREFIX.items() if name.startswith(p)]
        if home:
            readers = [path for path, text in everywhere.items() if path != home[0] and _mentions(name, text)]
            leaks += [f"{name} in {r}" for r in readers]
    assert not leaks, leaks
