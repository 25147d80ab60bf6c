"""Minimal change for a why-not: clingo optimisation over the applicant's facts (identity held,
referral, in-province care), run with the engine's own programs (asp/legal/minimal_change.lp)."""
from __future__ import annotations

import re
from pathlib import Path

import clingo
from clingo.ast import ProgramBuilder

from ..case import parse_case
from ..facts import case_facts, overrides_of
from .session import Session, Target, TargetError

LP = Path(__file__).resolve().parents[2] / "asp" / "legal" / "minimal_change.lp"


def goal_program(s: Session, t: Target) -> str:
    """The target as `mc_goal(A)`: the atoms of the answer that mean "obtained"."""
    r = s.result
    if t.kind == "category":
        return f"mc_goal(A) :- app_pays(A,_,{t.name})."
    if t.kind == "claim_category":
        return f"mc_goal(A) :- app_pays(A,{s.claim_index(t.claim)},{t.name})."
    if t.kind == "claim":
        k = s.claim_index(t.claim)
        cur = int(r["claims"][k]["aid"].replace(".", ""))
        return f"mc_goal(A) :- app_aid(A,{k},V), V > {cur}."
    if t.kind == "step":
        if not t.claim:
            return f"mc_goal(A) :- step(A,year,_,{t.what},V,_,_), V > 0."
        return f"mc_goal(A) :- step(A,{s.claim_index(t.claim)},_,{t.what},V,_,_), V > 0."
    if t.kind == "premium":
        cur = int((r["premium_subsidy"].get("amount") or "0").replace(".", ""))
        return f"mc_goal(A) :- premium(A,_,_,V,_), V > {cur}."
    if t.kind == "flag":
        return f"mc_goal(A) :- flag(A,{t.name},_,_)."
    if t.kind == "annual":
        return f"mc_goal(A) :- annual(A,{t.name},V,_), V > 0."
    raise TargetError(f"minimal change does not apply to {t}")


def minimal_change(s: Session, t: Target) -> dict:
    engine, kb = s.engine, s.kb
    case = parse_case(s.data, kb)
    params, interps = overrides_of(case, kb)
    facts = case_facts(0, case, kb)
    facts = re.sub(r"^identity\(", "orig_identity(", facts, flags=re.M)
    facts = re.sub(r"^claim_is\(", "orig_claim_is(", facts, flags=re.M)
    year = s.data["year"]
    held = {i["category"] for i in s.data["applicant"]["identities"]}
    if t.kind in ("category", "claim_category"):
        pool = [t.name]        # the target's own category is the identity that could yield it
    else:
        pool = [c.id for c in kb.categories_in(s.data["jurisdiction"])
                if f"{s.data['jurisdiction']}/eligibility/{c.id}/recipient" in kb.parameters]
    adds = "\n".join(f"mc_category(0,{c},{year}0101)." for c in pool if c not in held)
    ctl = clingo.Control(["--warn=none", "--opt-mode=opt", "--opt-strategy=usc"])
    with ProgramBuilder(ctl) as b:
        for st in engine.statements:
            if st.ast_type == clingo.ast.ASTType.ShowSignature or st.ast_type == clingo.ast.ASTType.ShowTerm:
                continue  # only this program's #show lines
            b.add(st)
    ctl.add("base", [], "\n".join([engine._policy(params, interps), facts, adds, goal_program(s, t),
                                    LP.read_text(encoding="utf-8")]))
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
        out.append({"change": describe(s, ch), "term": str(ch),
                    "rules": sorted({kb.parameters[p].rule for p in clauses.get(str(ch), ()) if p in kb.parameters}),
                    "clauses": [{"rule": r, **kb.clause_source(r)} for r in
                                sorted({kb.parameters[p].rule for p in clauses.get(str(ch), ()) if p in kb.parameters})]})
    return {"target": str(t), "found": True, "size": len(out), "changes": out}


def describe(s: Session, ch: clingo.Symbol) -> str:
    a = ch.arguments
    if ch.name == "add":
        return f"identity+={a[0]}"
    if ch.name == "drop":
        i = a[0].number
        return f"identity-={s.data['applicant']['identities'][i]['category']}"
    if ch.name == "set":
        return f"claim.{s.claim_ids[a[0].number]}.{a[1]}={a[2]}"
    return str(ch)


def minimal_text(ans: dict, lang: str) -> str:
    zh = lang == "zh"
    if not ans["found"]:
        return ("最小改变: 不存在\n" if zh else f"minimal change: none — {ans['message']}\n")
    lines = [(f"最小改变（{ans['size']} 项）:" if zh else f"minimal change ({ans['size']}):")]
    for c in ans["changes"]:
        lines.append(f"  {c['change']}  " + ", ".join(f"〔{r}〕" if zh else f"[{r}]" for r in c["rules"]))
    return "\n".join(lines) + "\n"
