"""why-not as every face asks it (CLI, HTTP API, pages): one dispatch, so the answers agree.

A claim (or a claim's category), a category and the premium subsidy are answered as a justification — the deciding step of each
category in words (justify.py); a claim's step, an annual entry or its step, a flag and the total
likewise (amounts.py); `applied_category`, `param:` and `trace` by the rules tried down to the
failed condition (whynot.py). Minimal change is added on request."""
from __future__ import annotations

from .minimal import minimal_change, minimal_text
from .session import Session
from .targets import Target, TargetError, check_target


def why_not_answer(s: Session, t: Target, lang: str, minimal: bool = False, across: bool = False,
                   trace: bool = False) -> tuple[dict, str]:
    """(the answer as JSON, the answer as text)."""
    if t.kind == "premium" and not trace:
        from .justify import why_not_claim_text, why_not_premium
        check_target(s, t)
        ans = why_not_premium(s, lang)
        text = lambda a: why_not_claim_text(a, lang)
    elif t.kind == "category" and not trace:
        from .justify import why_not_category, why_not_claim_text
        check_target(s, t)
        ans = why_not_category(s, t.name, lang, across)
        ans["jurisdiction"] = s.data["jurisdiction"]
        text = lambda a: why_not_claim_text(a, lang)
    elif t.kind in ("claim", "claim_category") and not trace:
        from .justify import why_not_claim, why_not_claim_text
        check_target(s, t)
        ans = why_not_claim(s, s.claim_index(t.claim), t.name if t.kind == "claim_category" else None, lang, across)
        ans["jurisdiction"] = s.data["jurisdiction"]
        text = lambda a: why_not_claim_text(a, lang)
    elif t.kind in ("step", "annual", "flag", "total") and not trace:
        from . import amounts
        check_target(s, t)
        if t.kind == "step" and t.claim:
            ans = amounts.why_not_step(s, s.claim_index(t.claim), t.what, lang)
        elif t.kind in ("step", "annual"):
            ans = amounts.why_not_annual(s, t.name, t.what if t.kind == "step" else None, lang)
        elif t.kind == "flag":
            ans = amounts.why_not_flag(s, t.name, lang)
        else:
            ans = amounts.why_not_total(s, lang)
        text = lambda a: amounts.amount_text(a, lang)
    else:
        from .whynot import why_not, why_not_text
        ans = why_not(s, t, lang)
        text = lambda a: why_not_text(s, a, lang)
    if minimal:
        try:
            ans["minimal_change"] = minimal_change(s, t)
        except TargetError as exc:   # an amount question: the why-not answer stands, with a note
            ans["minimal_change"] = {"target": str(t), "found": False, "unsupported": True, "message": str(exc)}
    return ans, text(ans) + (minimal_text(ans["minimal_change"], lang) if minimal else "")


def why_not_dot_answer(s: Session, t: Target, lang: str) -> str:
    """The solver's trace as a graph (the justification is text, not a graph)."""
    from .dot import why_not_dot
    from .whynot import why_not
    return why_not_dot(why_not(s, t, lang))
