"""The static checks: asp/audit/*.lp over the KB's policy facts alone.

The policy facts are the engine's own export (:meth:`KB.param_symbols`); this module adds the
few facts about the vocabulary the checks need (categories held per jurisdiction, claim kinds,
the clause each parameter cites, what the interpretations rest on, the audited years).
"""
from __future__ import annotations

import re
from collections import defaultdict

import clingo
from rdflib import Literal

from ..kb import FOREVER, KB, MA, rel
from ..resources import asp_program

AUDIT_ASP = asp_program("audit")


def audit_years(kb: KB) -> list[int]:
    """The years the audit covers: from the first document's start to the last stated end
    (or five years on when no document states one)."""
    starts, ends = [], []
    for j in kb.jurisdictions:
        try:
            d = kb.policy_document(j)
        except Exception:
            continue
        if d.effective_from:
            starts.append(d.effective_from // 10000)
        if d.effective_until and d.effective_until != FOREVER:
            ends.append(d.effective_until // 10000)
    lo = min(starts) if starts else 2023
    hi = max(ends) if ends else lo + 5
    return list(range(lo, max(hi, lo) + 1))


def audit_facts(kb: KB) -> list[clingo.Symbol]:
    F, S, N = clingo.Function, clingo.String, clingo.Number
    facts = list(kb.param_symbols())
    for j in kb.jurisdictions:
        facts.append(F("jurisdiction", [F(j)]))
    for c in kb.categories.values():
        for j in c.held_in:
            facts.append(F("held_in", [F(c.id), F(j)]))
        for s in c.subtypes:
            facts.append(F("subtype", [F(c.id), F(s)]))
    g = kb.graph
    for n, _, v in g.triples((None, MA.claimKind, None)):
        if isinstance(v, Literal) and v.toPython() is True:
            facts.append(F("claim_kind", [F(str(g.value(n, MA.id)))]))
    for p in kb.parameters.values():
        facts.append(F("param_clause", [S(p.id), S(p.clause)]))
    for cl in kb.clauses.values():
        facts.append(F("clause_of", [S(cl.rule_id), F(cl.jurisdiction)]))
    for i in kb.interpretations.values():
        for cl in i.based_on:
            facts.append(F("based_on", [F(i.id), S(cl)]))
    for y in audit_years(kb):
        facts.append(F("audit_year", [N(y)]))
    return facts


def _program() -> str:
    entry = (AUDIT_ASP / "main.lp").read_text(encoding="utf-8")
    parts = [(AUDIT_ASP / name).read_text(encoding="utf-8")
             for name in re.findall(r'#include\s+"([^"]+)"\s*\.', entry)]
    return "\n".join(parts)


def run_static(kb: KB) -> dict[str, list[tuple]]:
    """The shown atoms of the static checks, by predicate, as tuples of Python values."""
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], _program() + "\n" + "\n".join(f"{f}." for f in audit_facts(kb)))
    ctl.ground([("base", [])])
    out: dict[str, list[tuple]] = defaultdict(list)

    def on_model(m):
        for s in m.symbols(shown=True):
            out[s.name].append(tuple(_py(a) for a in s.arguments))

    ctl.solve(on_model=on_model)
    for k in out:
        out[k].sort(key=str)
    return out


def _py(s: clingo.Symbol):
    if s.type == clingo.SymbolType.Number:
        return s.number
    if s.type == clingo.SymbolType.String:
        return s.string
    if s.arguments:
        return (s.name,) + tuple(_py(a) for a in s.arguments)
    return s.name


def claim_kinds(kb: KB) -> list[str]:
    g = kb.graph
    return sorted(str(g.value(n, MA.id)) for n, _, v in g.triples((None, MA.claimKind, None))
                  if isinstance(v, Literal) and v.toPython() is True)
