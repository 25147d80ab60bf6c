"""Minimal change for a why-not: clingo optimisation over the applicant's facts (identity held,
referral, in-province care), run with the engine's own programs (asp/legal/minimal_change.lp)."""
from __future__ import annotations

import re

import clingo
from clingo.ast import ProgramBuilder

from ..atoms import split_by_applicant
from ..case import parse_case
from ..facts import case_facts, overrides_of
from ..resources import asp_program
from ..render import rule_ref
from ..words import word
from .probe import term
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
            best = m.symbols(shown=True)
        res = h.get()
    if not res.satisfiable:
        return {"target": str(t), "found": False,
                "message": "no change of identities held, referral or in-province care yields it"}
    at = split_by_applicant(best)[0]
    clauses: dict = {}
    for r in at["mc_clause"]:
        clauses.setdefault(r.change, set()).add(r.parameter)
    out = []
    for ch in sorted((r.change for r in at["change"]), key=term):
        rules = sorted({kb.parameters[p].rule for p in clauses.get(ch, ()) if p in kb.parameters})
        out.append({"change": describe(s, ch, "en"), "change_zh": describe(s, ch, "zh"), "term": term(ch), "rules": rules,
                    "clauses": [{"rule": r, **kb.clause_source(r)} for r in rules]})
    return {"target": str(t), "found": True, "size": len(out), "changes": out}


def describe(s: Session, ch: tuple, lang: str = "en") -> str:
    """A change of the facts (change/2's term, as atoms.parse_term gives it) in words (the
    person's identities by their category's name)."""
    from .justify import category_name, condition_words
    name_of, a = ch[0], ch[1:]
    ids = s.data["applicant"]["identities"]
    if name_of == "add":
        name = category_name(s, a[0], lang)
        return word("minimal.add", lang, name)
    i = a[0] if name_of in ("drop", "held_on", "held_from_jan1") else None
    if i is not None:
        ident = ids[i]
        name = category_name(s, ident["category"], lang)
        if name_of == "drop":
            return word("minimal.drop", lang, name)
        if name_of == "held_on":
            return word("minimal.held_on", lang, name=name, until=ident["until"])
        return word("minimal.held_from_jan1", lang, name=name, year=s.data["year"], since=ident["since"])
    if name_of == "set":
        claim = s.claim_ids[a[0]]
        cond = condition_words(s, a[1], lang)
        if a[2] == "true":
            return word("minimal.with", lang, claim=claim, cond=cond)
        return word("minimal.without", lang, claim=claim, cond=cond)
    return term(ch)


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
