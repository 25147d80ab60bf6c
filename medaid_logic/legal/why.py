"""why TARGET (the derivation tree behind one fact), the clause list, and graph exports."""
from __future__ import annotations


import networkx as nx

from ..render import rule_ref
from ..words import word
from .i18n import category_label, claim_reason, field_text, flag_word, param_text, source_word, status_word, w
from .session import Session
from .targets import Target, TargetError, check_target


def subtree(s: Session, roots: list[str]) -> nx.DiGraph:
    keep = set()
    for r in roots:
        keep |= {r} | nx.descendants(s.graph, r)
    return s.graph.subgraph(keep).copy()


def why(s: Session, target: Target, lang: str = "zh") -> dict:
    check_target(s, target)
    roots = s.nodes_for(target)
    if not roots:
        raise TargetError(f"{target} was not obtained in this decision; ask why-not {target}")
    g = subtree(s, roots)
    from .justify import claim_headline, year_headline
    headline = None
    if target.kind == "claim":
        headline = claim_headline(s, s.claim_index(target.claim), lang)["sentence"]
    elif target.kind == "applied_category":
        headline = (year_headline(s, lang) or {}).get("sentence")
    return {"target": str(target), "roots": roots, "headline": headline,
            "tree": [_tree(s, g, r, set(), lang) for r in roots],
            "clauses": clauses(s, g)}


def _tree(s: Session, g: nx.DiGraph, n: str, seen: set, lang: str, via: dict | None = None) -> dict:
    d = dict(g.nodes[n])
    out = {"node": n, **{k: v for k, v in d.items() if v not in (None, [], "")}}
    # a step without a rule of its own (self_pay) is shown without one: the rule on the edge
    # is the parent's, and the text tree would read it as the step's
    if via and via.get("rule") and via.get("rule") != d.get("rule") and d.get("kind") != "step":
        out["via_rule"] = via["rule"]
    if n in seen:
        out["see_above"] = True
        return out
    seen.add(n)
    kids = sorted(g.successors(n), key=lambda m: (g.nodes[m].get("order", 0), _kind_rank(g.nodes[m].get("kind")), m))
    if kids:
        out["used"] = [_tree(s, g, m, seen, lang, g.edges[n, m]) for m in kids]
    return out


def _kind_rank(k):
    return {"decision": -1, "step": 0, "claim": 1, "annual": 1, "alternative": 2, "category": 3, "parameter": 4, "input": 5}.get(k, 6)


def clauses(s: Session, g: nx.DiGraph | None = None) -> list[dict]:
    """Every clause the decision (or a subgraph) relied on, in document order, with text."""
    g = g if g is not None else s.graph
    rules = set()
    for _, d in g.nodes(data=True):
        if d.get("rule") and d.get("kind") != "alternative":
            rules.add(d["rule"])
        if d.get("analogy_rule"):      # take-the-highest applied by analogy with this clause
            rules.add(d["analogy_rule"])
        if d.get("reason_rule"):       # the clause that decided an amount of 0.00
            rules.add(d["reason_rule"])
    for a, b, d in g.edges(data=True):
        if d.get("rule") and d.get("rel") != "alternative" and "alternative" not in (g.nodes[a].get("kind"), g.nodes[b].get("kind")):
            rules.add(d["rule"])
    by_clause: dict[str, set] = {}
    for r in rules:
        by_clause.setdefault(r.split("#")[0], set()).add(r)
    out = []
    docs = sorted({s.kb.clauses[c].document for c in by_clause if c in s.kb.clauses},
                  key=lambda d: (d != s.kb.policy_document(s.data["jurisdiction"]).iri, d))
    for cid in sorted(by_clause, key=lambda c: (docs.index(s.kb.clauses[c].document) if c in s.kb.clauses else 99,
                                                 s.kb.clauses[c].order if c in s.kb.clauses else 0, c)):
        src = s.kb.clause_source(cid)
        cl = s.kb.clauses.get(cid)
        out.append({"clause": cid, "iri": f"https://w3id.org/medaid/kb/{cid}", "locator": src["clause"],
                    "document": src["document"], "order": cl.order if cl else None,
                    "rules": sorted(by_clause[cid]), "text": src["text"]})
    return out


# ---- renderings -----------------------------------------------------------------------
def node_line(s: Session, n: dict, lang: str) -> str:
    kind, label = n.get("kind"), n.get("label", n.get("node"))
    zh = lang == "zh"
    formula = (n.get("formula_zh") or n.get("formula")) if zh else n.get("formula")
    if kind == "step":
        head = f"{w(label, lang)} {n.get('amount')} = {formula}"
    elif kind == "claim":
        cat = n.get("category")
        head = f"{w('claim', lang)} {label}: {w('aid', lang)} {n.get('amount')}"
        if cat:
            head += f" [{category_label(s.kb, cat, lang)}]"
        reason = claim_reason(s.kb, next((c for c in s.result["claims"] if c["claim_id"] == label), {}), lang) \
            if n.get("reason") else None
        if reason:
            head += f" — {reason}"
    elif kind == "annual":
        head = f"{w(label, lang)} {n.get('amount')}"
    elif kind == "alternative":
        head = f"{w('alternative', lang)} {category_label(s.kb, label, lang)}: {n.get('amount')}"
    elif kind == "premium":
        head = f"{w('premium', lang)} {n.get('amount') or status_word(n.get('status'), lang)}"
        if formula:
            head += f" = {formula}"
        if n.get("category"):
            head += f" [{category_label(s.kb, n['category'], lang)}]"
        if n.get("unnamed"):
            names = ", ".join(category_label(s.kb, c, lang) for c in n["unnamed"])
            head += word("why.premium_unnamed", lang, names)
    elif kind == "total":
        head = f"{w('total', lang)} {n.get('amount')}"
    elif kind == "category":
        sub = n.get("subtype")
        sub = word("why.subtype", lang, sub) if sub else ""
        head = (f"{w('category', lang)} {category_label(s.kb, label, lang)}{sub} {n.get('since')}..{n.get('until') or ''}"
                f" ({source_word(n.get('source'), lang)})")
    elif kind == "applied_category":
        head = f"{w('applied_category', lang)}: {category_label(s.kb, label, lang) if n.get('value') else w('none', lang)}"
        if n.get("year_totals"):
            head += f" — {w('year_totals', lang)} {n['year_totals']}"
        if n.get("year_tilted"):
            head += f"（{w('of_which_tilted', lang)} {n['year_tilted']}）" if zh else f" ({w('of_which_tilted', lang)} {n['year_tilted']})"
        if n.get("tie_with"):
            head += f"；{w('tie_order', lang)}" if zh else f"; {w('tie_order', lang)}"
        if n.get("analogy_rule"):
            head += word("why.analogy", lang, n["analogy_rule"])
    elif kind == "decision":
        head = f"{w('decided_by', lang)}: {w('decision:' + str(label), lang)}"
        if n.get("category"):
            head += f" [{category_label(s.kb, n['category'], lang)}]"
    elif kind == "flag":
        head = f"{w('flag', lang)} {flag_word(label, lang)} ({n.get('detail')})"
        if n.get("burden"):
            head += word("why.burden_over", lang, burden=n["burden"], threshold=n["threshold"])
    elif kind == "parameter":
        head = f"{w('parameter', lang)}：{param_text(s.kb, label, n.get('value'), lang)}" if zh else \
            f"{w('parameter', lang)}: {param_text(s.kb, label, n.get('value'), lang)}"
    elif kind == "input":
        text = field_text(s.kb, label, n.get("value"), s.claim_ids, lang)
        head = (f"{w('input', lang)}：{text}" if zh else f"{w('input', lang)}: {text}") + \
            (f" ({source_word(n['source'], lang)})" if n.get("source") else "")
    else:
        head = str(label)
    if n.get("rule"):
        head += f"  〔{rule_ref(n['rule'])}〕" if lang == "zh" else f"  [{rule_ref(n['rule'])}]"
    elif n.get("reason_rule"):
        head += f"  〔{rule_ref(n['reason_rule'])}〕" if lang == "zh" else f"  [{rule_ref(n['reason_rule'])}]"
    elif n.get("via_rule"):
        head += f"  〔{rule_ref(n['via_rule'])}〕" if lang == "zh" else f"  [{rule_ref(n['via_rule'])}]"
    return head


def tree_text(s: Session, answer: dict, lang: str) -> str:
    lines: list[str] = []
    shown: set = set()

    def walk(t, depth):
        lines.append("  " * depth + ("└ " if depth else "") + node_line(s, t, lang) + (" …" if t.get("see_above") else ""))
        rule = t.get("rule")
        if rule and rule.split("#")[0] not in shown and t.get("kind") in ("claim", "step", "premium", "annual", "flag", "alternative", "category", "applied_category", "decision"):
            shown.add(rule.split("#")[0])
            text = s.kb.clause_source(rule)["text"]
            if text:
                lines.append("  " * (depth + 1) + f"  «{text}»")
        an = t.get("analogy_rule") or (t.get("reason_rule") if not rule else None)
        if an and an.split("#")[0] not in shown:
            shown.add(an.split("#")[0])
            text = s.kb.clause_source(an)["text"]
            if text:
                lines.append("  " * (depth + 1) + f"  «{text}»")
        for c in t.get("used", []):
            walk(c, depth + 1)

    if answer.get("headline"):
        lines.append(answer["headline"])
    for t in answer["tree"]:
        walk(t, 0)
    return "\n".join(lines) + "\n"


def clauses_text(items: list[dict], lang: str) -> str:
    out = [w("clauses", lang) + ":"]
    for c in items:
        out.append(f"- {c['document']} {c['locator']}  ({', '.join(dict.fromkeys(rule_ref(r) for r in c['rules']))})")
        out.append(f"    {c['text']}")
    return "\n".join(out) + "\n"


def graph_json(g: nx.DiGraph) -> dict:
    return {"nodes": [{"id": n, **{k: v for k, v in d.items() if v is not None}} for n, d in sorted(g.nodes(data=True))],
            "edges": [{"from": a, "to": b, **{k: v for k, v in d.items() if v is not None}}
                      for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1]))]}


def graph_dot(s: Session, g: nx.DiGraph, lang: str) -> str:
    from .dot import ROUNDED, digraph
    shapes = {"parameter": "note", "input": "box", "category": "ellipse", "flag": "hexagon"}
    nodes = [(n, node_line(s, {"node": n, **d}, lang), shapes.get(d.get("kind"), ROUNDED)) for n, d in sorted(g.nodes(data=True))]
    edges = [(a, b, d.get("clause") or d.get("rel") or "") for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1]))]
    return digraph("derivation", nodes, edges)
