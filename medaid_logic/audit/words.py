"""The audit's word families in the one catalogue (medaid_logic/words.py): finding kinds, what a
parameter sets, the values the texts' codes stand for, relations, checks, properties, the
categories that stand for everyone. A statement is built from these and from the KB's labels
only, so no id reaches a reader."""
from __future__ import annotations

from ..words import Family
from .. import words as catalogue

KIND_NAMES, SETS, VALUES, RELATIONS = Family("audit_kind"), Family("sets"), Family("value"), Family("relation")
CHECKS, PROPERTIES, EVERYONE = Family("check"), Family("property"), Family("everyone")


def word(family: Family, key, lang: str, default: str | None = None) -> str:
    """The family's word for key; a key it lacks reads as `default`, else as "the rule"."""
    if key in family:
        return family.word(key, lang)
    return default if default is not None else catalogue.word("audit_sentence.the_rule", lang)
