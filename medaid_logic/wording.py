"""The result's text fields in the catalogue's words: a step's formula, a claim's reason for
nothing, a note. result.py builds the result from the atoms; this module only words it."""
from __future__ import annotations

from .kb import KB
from .money import bp_to_percent, fen_to_str as y
from .words import has, listed, word, word_of


def formula_text(t, lang: str = "en") -> str:
    """A step's formula term, with its figures filled in, in English or Chinese words."""
    pc = bp_to_percent
    n, a = t[0], t[1:]
    if n == "minus":
        return " − ".join(y(x) for x in a)
    if n in ("times", "share"):
        return f"{y(a[0])} × {pc(a[1])}"
    if n == "deductible":
        dt, met, sp = a
        return f"{word('formula.min', lang)}({word('formula.self_pay', lang)} {y(sp)}, {word('formula.deductible', lang)} {y(dt)} − {word('formula.met', lang)} {y(met)})"
    if n == "cap":
        raw, cap, used, rem = a
        return f"{word('formula.min', lang)}({y(raw)}, {word('formula.cap', lang)} {y(cap)} − {word('formula.used', lang)} {y(used)} = {y(rem)})"
    if n == "top_up":
        target, tq, ip, paid = a
        share = word("formula.share", lang, paid * 100 / ip) if ip else ""
        return f"{word('formula.max', lang)}(0, {pc(tq)} × {y(ip)} = {y(target)} − {word('formula.paid', lang)} {y(paid)}){share}"
    if n == "catalogue":
        out, total, cr, lim, q = a
        return f"{word('formula.min', lang)}({word('formula.out', lang)} {y(out)}, {pc(cr)} × {y(total)} = {y(lim)}) × {pc(q)}"
    if n == "tilted":
        burden, ded, ratio = a
        return f"{word('formula.max', lang)}(0, {y(burden)} − {y(ded)}) × {pc(ratio)}"
    if n == "burden":
        return word("formula.burden", lang, y(a[0]), y(a[1]))
    if n == "full":
        return f"{y(a[0])} × 100%"
    if n == "minimum":
        return f"{word('formula.max', lang)}({formula_text(a[0], lang)} = {y(a[1])}, {word('formula.minimum', lang)} {y(a[2])})"
    if n == "fixed":
        return word("formula.fixed", lang, y(a[0]))
    return str(t)


def reasons_text(why, kb: KB) -> str:
    """Why a claim got nothing, in English (the result's `reason`; the readers' words are in legal/):
    each (reason, detail) the solver gave, or that nothing was payable."""
    return "; ".join(_reason_text(w, d, kb) for w, d in why) or word("reason.none_payable", "en")


def _reason_text(why: str, d, kb: KB) -> str:
    p = kb.parameters.get(d) if isinstance(d, str) else None
    said = p.rule if p else kb.label(d, "en") if why == "not_regulated" else d   # a benefit by its name
    return word_of("reason", why, "en").format(d=said, who=p.delegated_to if p else "")


def age_unknown_text() -> str:
    """The reason of an amount an age condition leaves undetermined (the result's `reason`)."""
    return word("reason.birth_date_needed", "en")


def _who(c, kb: KB, lang: str) -> str:
    cat = kb.categories.get(c)
    if cat:
        return cat.label_zh if lang == "zh" else cat.label_en
    return word_of("who", c, lang)


def note_text(d, kb: KB, lang: str) -> str:
    """A note atom in words (the catalogue's note.* sentences); Chinese names the categories."""
    zh = lang == "zh"
    n = d[0] if isinstance(d, tuple) else d
    a = d[1:] if isinstance(d, tuple) else ()
    if zh:
        a = tuple(_who(x, kb, lang) if isinstance(x, str) and x in kb.categories else x for x in a)
    if n == "interpretation":
        i = kb.interpretations.get(a[0])
        said = {"id": a[0], "label": i.label_zh if i else "", "comment": i.comment if i else ""}
        if len(a) > 1:
            return word("note.interpretation_chosen", lang, value=a[1], default=i.default, **said)
        return word("note.interpretation", lang, **said)
    if n == "param":
        p = kb.parameters.get(a[0])
        if p is None:
            return str(d)
        return word("note.param", lang, rule=p.rule, benefit=kb.label(p.benefits[0], lang) if p.benefits else "",
                    names=listed((_who(c, kb, lang) for c in p.categories), lang),
                    kind=word_of("note_kind", p.kind, lang) if zh else p.kind.replace("_", " "),
                    status=word_of("note_status", p.status, lang) if zh else p.status,
                    who=word("note.set_by", lang, p.delegated_to) if p.delegated_to else "",
                    extra=f" — {p.note}" if p.note else "")
    if n == "precondition":
        p = kb.parameters.get(a[1])
        return word("note.precondition", lang, word_of("field", a[0], lang), p.rule if p else "")
    if n == "premium_floor":
        return word("note.premium_floor", lang, a[0], y(a[2]))
    if has("note", n):
        return word("note." + n, lang, *a)
    return str(d)
