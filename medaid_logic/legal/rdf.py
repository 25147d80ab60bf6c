"""The decision record as linked data (PROV-O); rule and clause nodes are the KB's own IRIs."""
from __future__ import annotations

from urllib.parse import quote

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

PROV = Namespace("http://www.w3.org/ns/prov#")
MA = Namespace("https://w3id.org/medaid/ontology#")
KB = "https://w3id.org/medaid/kb/"
DEC = "https://w3id.org/medaid/decision/"


def decision_graph(s) -> Graph:
    g = Graph()
    g.bind("prov", PROV); g.bind("ma", MA)
    base = DEC + quote(str(s.data["case_id"]), safe="") + "/"
    act = URIRef(base + "evaluation")
    g.add((act, RDF.type, PROV.Activity))
    g.add((act, MA.caseId, Literal(str(s.data["case_id"]))))
    g.add((act, MA.jurisdiction, Literal(s.data["jurisdiction"])))
    g.add((act, MA.year, Literal(s.data["year"], datatype=XSD.integer)))

    def node(n):
        d = s.graph.nodes[n]
        if d.get("kind") == "parameter":
            return URIRef(KB + n[len("param:"):])
        return URIRef(base + quote(n, safe=":.@"))

    for n, d in s.graph.nodes(data=True):
        u = node(n)
        if d.get("kind") == "parameter":
            g.add((act, PROV.used, u))
            continue
        g.add((u, RDF.type, PROV.Entity))
        g.add((u, MA.node, Literal(n)))
        if d.get("amount") is not None:
            g.add((u, RDF.type, MA.Amount))
            g.add((u, MA.amount, Literal(d["amount"])))
            g.add((u, PROV.wasGeneratedBy, act))
        if d.get("kind") == "input":
            g.add((act, PROV.used, u))
        if d.get("rule"):
            g.add((u, MA.rule, URIRef(KB + d["rule"].split("#")[0])))
            g.add((act, PROV.used, URIRef(KB + d["rule"].split("#")[0])))
    for a, b, d in s.graph.edges(data=True):
        g.add((node(a), PROV.wasDerivedFrom, node(b)))
    return g
