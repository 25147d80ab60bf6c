"""Graphviz DOT for the legal answers: one writer for every answer shape.

`why` and `export` draw the derivation graph; why-not draws each rule tried down the chain of
goals to the condition that failed; what-if draws each changed amount from before to after;
clauses draws each document with the clauses the decision used, in document order.
"""
from __future__ import annotations

import json


ROUNDED = "box, style=rounded"


def q(x) -> str:
    return json.dumps(str(x), ensure_ascii=False)


def digraph(name: str, nodes: list[tuple[str, str, str]], edges: list[tuple[str, str, str]]) -> str:
    """nodes: (id, label, shape) — a shape may carry a style: "box, style=rounded"; edges: (from, to, label)."""
    out = [f"digraph {name} {{", "  rankdir=LR;", "  node [fontname=\"Noto Sans CJK SC\"];"]
    for n, label, shape in nodes:
        out.append(f"  {q(n)} [label={q(label)}, shape={shape}];")
    out.extend(f"  {q(a)} -> {q(b)} [label={q(lab)}];" for a, b, lab in edges)
    out.append("}")
    return "\n".join(out) + "\n"


def why_not_dot(ans: dict) -> str:
    nodes = [("target", ans["target"], "doubleoctagon")]
    edges = []
    for i, r in enumerate(ans.get("rules", [])):
        rid = f"rule{i}"
        nodes.append((rid, f"{r.get('rule')} [{r.get('category')}]", "note"))
        edges.append(("target", rid, "tried"))
        prev = rid
        for j, step in enumerate(r.get("chain", [])):
            gid = f"rule{i}.goal{j}"
            nodes.append((gid, step["goal"], ROUNDED if step.get("holds") else "octagon"))
            edges.append((prev, gid, "needs"))
            prev = gid
        last = (r.get("chain") or [{}])[-1].get("failed")
        if last:
            fid = f"rule{i}.failed"
            nodes.append((fid, last, "octagon"))
            edges.append((prev, fid, "failed"))
    return digraph("why_not", nodes, edges)


def what_if_dot(ans: dict) -> str:
    nodes, edges = [], []
    for i, c in enumerate(ans.get("changed", [])):
        def label(side):
            d = c.get(side) or {}
            return " ".join(str(x) for x in (c["target"], d.get("amount"), d.get("category")) if x is not None)
        nodes += [(f"before{i}", label("before"), ROUNDED), (f"after{i}", label("after"), ROUNDED)]
        edges.append((f"before{i}", f"after{i}", c.get("rule_that_made_the_difference") or c.get("why") or ""))
    return digraph("what_if", nodes, edges)


def clauses_dot(items: list[dict]) -> str:
    nodes, edges, docs = [], [], {}
    for c in items:
        if c["document"] not in docs:
            docs[c["document"]] = f"doc{len(docs)}"
            nodes.append((docs[c["document"]], c["document"], "folder"))
        doc = docs[c["document"]]
        nodes.append((c["clause"], c["locator"], "note"))
        edges.append((doc, c["clause"], ""))
    return digraph("clauses", nodes, edges)
