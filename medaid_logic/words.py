"""The one way code gets a word, in Chinese (zh) or English (en).

Two sources, one reader:
- the catalogue, medaid_logic/locale/<lang>/LC_MESSAGES/medaid.po (gettext, read with Babel when
  first asked; no compile step): labels, headings, the fixed sentences of the verbs, the web pages'
  words, the audit report's words. A key is FAMILY.CODE (`text.case`, `claim_kind.inpatient`).
- the KB, kb/phrases.ttl: the words of a condition or a deciding step, kept with their clause.

A word the catalogue lacks is an error for a fixed key (`word`) and the code itself for a code
read from a result (`word_of`), so the output lint sees it; tests/test_words.py checks that every
key the code names is in both languages and that no entry is unused.
"""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from babel.messages.pofile import read_po

LANGS = ("zh", "en")


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """key → text of one language's catalogue, in the file's order."""
    if lang not in LANGS:
        raise ValueError(f"no catalogue for language {lang!r}")
    with files("medaid_logic").joinpath("locale", lang, "LC_MESSAGES", "medaid.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f, locale=lang) if m.id}


def word(key: str, lang: str, *args, **values) -> str:
    """The catalogue's text for `key`, its placeholders filled from args/values if any are given."""
    text = catalogue(lang)[key]
    return text.format(*args, **values) if args or values else text


def word_of(family: str, code, lang: str, default: str | None = None) -> str:
    """The word for a code of a family (`word_of("claim_kind", "inpatient", "zh")` → 住院); a code
    the family lacks reads as `default`, else as itself (None as nothing)."""
    text = catalogue(lang).get(f"{family}.{code}")
    if text is not None:
        return text
    if default is not None:
        return default
    return "" if code is None else str(code)


def listed(items, lang: str) -> str:
    """Items joined as a list is written in the language (、 in Chinese, a comma in English)."""
    return word("join.list", lang).join(items)


def has(family: str, code) -> bool:
    return f"{family}.{code}" in catalogue("zh")


def family(name: str, lang: str) -> dict[str, str]:
    """code → word of one family, in the catalogue's order (a table a page iterates)."""
    pre = name + "."
    return {k[len(pre):]: v for k, v in catalogue(lang).items() if k.startswith(pre)}


def phrase(kb, pid: str, lang: str, **values) -> str:
    """The KB's phrase `pid` (kb/phrases.ttl) in `lang`, its placeholders filled; a placeholder
    the step has no figure for reads as nothing."""
    text = _phrases(kb).get((pid, lang)) or _phrases(kb).get((pid, "zh"))
    if text is None:
        raise KeyError(f"kb/phrases.ttl has no phrase {pid!r}")
    return text.format_map(_Missing(values))


class _Missing(dict):
    def __missing__(self, key):
        return ""


def _phrases(kb) -> dict:
    """(phrase id, language) → text, read once per KB."""
    if not hasattr(kb, "_phrases"):
        from rdflib import RDFS, Literal
        from .kb import MA
        g = kb.graph
        kb._phrases = {(str(g.value(n, MA.id)), o.language): str(o)
                       for n in g.subjects(None, MA.Phrase) for o in g.objects(n, RDFS.label)
                       if isinstance(o, Literal) and o.language}
    return kb._phrases


class Family:
    """One family of codes (`Family("claim_kind")`): `code in f`, iteration over its codes, `f.word(code, lang)`."""

    def __init__(self, name: str):
        self.name = name

    def __contains__(self, code) -> bool:
        return has(self.name, code)

    def __iter__(self):
        return iter(family(self.name, "zh"))

    def word(self, code, lang: str) -> str:
        return word_of(self.name, code, lang)
