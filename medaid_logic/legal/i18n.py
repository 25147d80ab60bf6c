"""The legal answers' composite wordings — a case field, a KB parameter, a category, a reason —
put together from the catalogue's words (medaid_logic/words.py); no word lives here."""
from __future__ import annotations

import re

from ..render import reason_text
from ..wording import formula_text
from ..words import has, listed, word, word_of


def field_text(kb, path: str, value, claim_ids: list[str], lang: str) -> str:
    """A case field as a reader names it: 'c1 基本医保支付 30000', '身份 低保对象 2021-06-01..'."""
    m = re.fullmatch(r"claims\[(\d+)\]\.(\w+)", path)
    if m:
        k, f = int(m.group(1)), m.group(2)
        cid = claim_ids[k] if k < len(claim_ids) else path
        return f"{cid} {word_of('field', f, lang)} {value_word(value, lang)}"
    if re.fullmatch(r"claims\[(\d+)\]", path):
        return f"{word('legal.claim', lang)} {value_word(value, lang)}"
    if re.fullmatch(r"applicant\.identities\[\d+\]", path):
        cat, _, span = str(value).partition(" ")
        return f"{word('legal.identity_held', lang)} {category_label(kb, cat, lang)} {span}".rstrip()
    last = path.rsplit(".", 1)[-1]
    shown = value_word(value, lang)
    if lang == "zh":
        shown = word_of("bool", shown, lang) if shown in ("true", "false") else shown.replace(" (caller)", word("legal.by_caller", lang))
    return f"{word_of('field', last, lang)} {shown}"


def param_text(kb, pid: str, value, lang: str) -> str:
    """A KB parameter as the clause states it: '返贫致贫人口 救助比例 70%'."""
    p = kb.parameters.get(pid)
    if p is None:
        return str(pid)
    cats = [kb.categories[c] for c in p.categories if c in kb.categories]
    names = listed((c.label_zh if lang == "zh" else c.label_en for c in cats), lang)
    kind = word_of("param_kind", p.kind, lang)
    if value is None:
        shown = status_word(p.status, lang)
    elif p.unit == "ratio":
        from ..money import bp_to_percent, ratio_to_bp
        try:
            shown = bp_to_percent(ratio_to_bp(str(value).split(" ")[0]))
        except Exception:   # a caller's text is shown as given
            shown = str(value)
    elif p.unit == "flag":
        shown = ""
    else:
        shown = str(value)
    shown = shown.replace(" (caller)", word("legal.by_caller", lang))
    return " ".join(x for x in (names, kind, shown) if x)


def w(key: str, lang: str) -> str:
    """A word of the legal answers; `decision:STEP` names a deciding step."""
    if isinstance(key, str) and key.startswith("decision:"):
        return word_of("decision", key[len("decision:"):], lang)
    return word_of("legal", key, lang)


def category_label(kb, cid: str, lang: str) -> str:
    c = kb.categories.get(cid)
    if c is None:
        return cid
    return f"{c.label_zh}({cid})" if lang == "zh" else f"{c.label_en} ({cid})"


def source_word(src, lang: str) -> str:
    if src is None:
        return ""
    s = str(src)
    if s.startswith("kb "):
        return word("source.kb", lang) + " " + s[3:]
    return word_of("source", s, lang)


def status_word(st, lang: str) -> str:
    return word_of("status", st, lang)


def flag_word(kind: str, lang: str) -> str:
    return word_of("flag_kind", kind, lang)


def value_word(v, lang: str) -> str:
    """An input value as shown; a value the case does not give is said so, never Python's None."""
    if v is None or v == "None":
        return word("legal.not_given", lang)
    return str(v)


def claim_reason(kb, claim: dict, lang: str) -> str | None:
    """Why a claim is paid nothing, in the asked language (None when it is paid)."""
    if not claim.get("reason"):
        return None
    return reason_text(kb, claim, lang)


def formula_zh(t) -> str:
    """A step's formula term (step/7, premium/5) in Chinese words, with the solver's figures."""
    return formula_text(t, "zh")


def why_word(code, lang: str) -> str:
    """what-if: why an amount changed, in words (the code is kept beside as why_code)."""
    return word_of("whatif_why", code, lang, default="")


def target_words(kb, target: str, lang: str) -> str:
    """A target name (claim:c1.step:top_up) as words: 费用 c1 · 兜底救助至目标比例."""
    parts = []
    for piece in target.split("."):
        kind, _, name = piece.partition(":")
        if kind == "claim":
            parts.append(f"{w('claim', lang)} {name}")
        elif kind in ("step", "annual"):
            parts.append(w(name, lang))
        elif kind in ("category", "applied_category"):
            c = kb.categories.get(name)
            parts.append((c.label_zh if lang == "zh" else c.label_en) if c else name if name else w("applied_category", lang))
        elif kind == "flag":   # flag:KIND@ABOUT — about a claim, a category or a benefit
            name, _, about = name.partition("@")
            c = kb.categories.get(about)
            said = ((c.label_zh if lang == "zh" else c.label_en) if c
                    else word_of("flag_value", about, lang) if about and has("flag_value", about)
                    else w(about, lang) if about else "")
            parts.append(flag_word(name, lang) + (f" {said}" if said else ""))
        elif kind in ("total", "premium"):
            parts.append(w(kind, lang))
        elif kind == "param":
            parts.append(w("parameter", lang) + " " + name)
        else:
            parts.append(piece)
    return " · ".join(parts)
