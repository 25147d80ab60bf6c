"""Minimal change for a why-not: clingo optimisation over the applicant's facts (identity held,
referral, in-province care), run with the engine's own programs (asp/legal/minimal_change.lp)."""
from __future__ import annotations

import re

import clingo
from clingo.ast import ProgramBuilder

from ..case import parse_case
from ..facts import case_facts, overrides_of
from ..resources import asp_program
from ..render import rule_ref
from ..words import word
from .session import Session
from .targets import Target, TargetError

LP = asp_program("legal", "minimal_change.lp")


PARTS = ("inputs.lp", "eligibility.lp", "parameters.lp", "year.lp")  # the engine's parts the goals need (year.lp: premium/5)


def goal_program(s: Session, t: Target) -> str:
    """The target as `mc_goal(A)`, on eligibility-level atoms (payable/3, premium_rule/3), and
    what its clauses are read from: the target's claims (`mc_focus/2`) or the premium."""
    if t.kind == "category":
        return (f"mc_goal(A) :- payable(A,_,{t.name}).\n"
                f"mc_focus(A,K) :- payable(A,K,{t.name}).")
    if t.kind == "claim_category":
        k = s.claim_index(t.claim)
        return f"mc_goal(A) :- payable(A,{k},{t.name}).\nmc_focus(A,{k}) :- case(A,_,_)."
    if t.kind == "claim":
        k = s.claim_index(t.claim)
        return f"mc_goal(A) :- payable(A,{k},_).\nmc_focus(A,{k}) :- case(A,_,_).\nmc_any_recipient(A) :- case(A,_,_)."
    if t.kind == "premium":
        return "mc_goal(A) :- premium_rule(A,_,_).\nmc_focus_premium(A) :- case(A,_,_).\nmc_any_recipient(A) :- case(A,_,_)."
    raise TargetError(f"minimal change answers eligibility questions (category, claim, claim category, premium), not {t}")


def change_space(s: Session, t: Target) -> tuple[list[str], int]:
    """The category a category target may add for the whole year (held or not: held for the
    whole year); for a claim or the premium the solver adds any recipient of the jurisdiction
    (mc_any_recipient/1 of the goal program)."""
    pool = [t.name] if t.kind in ("category", "claim_category") else []
    return pool, int(s.data["year"])


def minimal_change(s: Session, t: Target) -> dict:
    engine, kb = s.engine, s.kb
    goal = goal_program(s, t)
    case = parse_case(s.data, kb)
    params, interps = overrides_of(case, kb)
    facts = case_facts(0, case, kb)
    facts = re.sub(r"^identity\(", "orig_identity(", facts, flags=re.M)
    facts = re.sub(r"^claim_is\(", "orig_claim_is(", facts, flags=re.M)
    adds, year = change_space(s, t)
    ctl = clingo.Control(["--warn=none", "--opt-mode=opt"])
    for part in PARTS:
        ctl.load(str(asp_program(part)))
    ctl.add("base", [], "\n".join([engine.policy_facts(params, interps), facts,
                                    "\n".join(f"mc_category(0,{c},{year}0101)." for c in adds),
                                    goal, LP.read_text(encoding="utf-8")]))
    ctl.ground([("base", [])])
    best: list = []
    with ctl.solve(yield_=True) as h:
        for m in h:
            best = [str(x) for x in m.symbols(shown=True)]
        res = h.get()
    if not res.satisfiable:
        return {"target": str(t), "found": False,
                "message": "no change of identities held, referral or in-province care yields it"}
    changes, clauses = [], {}
    for a in best:
        term = clingo.parse_term(a)
        if term.name == "change":
            changes.append(term.arguments[1])
        elif term.name == "mc_clause":
            clauses.setdefault(str(term.arguments[1]), set()).add(term.arguments[2].string)
    out = []
    for ch in sorted(changes, key=str):
        rules = sorted({kb.parameters[p].rule for p in clauses.get(str(ch), ()) if p in kb.parameters})
        out.append({"change": describe(s, ch, "en"), "change_zh": describe(s, ch, "zh"), "term": str(ch), "rules": rules,
                    "clauses": [{"rule": r, **kb.clause_source(r)} for r in rules]})
    return {"target": str(t), "found": True, "size": len(out), "changes": out}


def describe(s: Session, ch: clingo.Symbol, lang: str = "en") -> str:
    """A change of the facts in words (the person's identities by their category's name)."""
    from .justify import category_name, condition_words
    a = ch.arguments
    ids = s.data["applicant"]["identities"]
    if ch.name == "add":
        name = category_name(s, a[0].name, lang)
        return word("minimal.add", lang, name)
    i = a[0].number if ch.name in ("drop", "held_on", "held_from_jan1") else None
    if i is not None:
        ident = ids[i]
        name = category_name(s, ident["category"], lang)
        if ch.name == "drop":
            return word("minimal.drop", lang, name)
        if ch.name == "held_on":
            return word("minimal.held_on", lang, name=name, until=ident["until"])
        return word("minimal.held_from_jan1", lang, name=name, year=s.data["year"], since=ident["since"])
    if ch.name == "set":
        claim = s.claim_ids[a[0].number]
        cond = condition_words(s, a[1].name, lang)
        if a[2].name == "true":
            return word("minimal.with", lang, claim=claim, cond=cond)
        return word("minimal.without", lang, claim=claim, cond=cond)
    return str(ch)


def minimal_text(ans: dict, lang: str) -> str:
    zh = lang == "zh"
    if ans.get("unsupported"):
        return word("minimal.unsupported", lang, message=ans["message"]) + "\n"
    if not ans["found"]:
        return word("minimal.none", lang, message=ans["message"]) + "\n"
    if not ans["size"]:   # the target already holds: what limits it is an amount, said above
        return word("minimal.none_needed", lang) + "\n"
    lines = [word("minimal.size", lang, ans["size"])]
    for c in ans["changes"]:
        change = c.get("change_zh", c["change"]) if zh else c["change"]
        lines.append(f"  {change}  " + ", ".join(f"〔{rule_ref(r)}〕" if zh else f"[{rule_ref(r)}]" for r in dict.fromkeys(c["rules"])))
    return "\n".join(lines) + "\n"
