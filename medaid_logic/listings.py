"""The KB listings of `medaid categories / parameters / provisions --format json`, as rows.

One builder per listing, shared by the CLI and the workbench's API so both answer the same rows; tests/test_web_api.py checks the API's rows against the CLI's JSON output.
"""
from __future__ import annotations

from .kb import KB


def unknown_jurisdiction(kb: KB, jurisdiction: str | None) -> str | None:
    """The error message for an unknown jurisdiction filter, or None."""
    if jurisdiction and jurisdiction not in kb.jurisdictions:
        return f"unknown jurisdiction {jurisdiction!r}; one of {', '.join(kb.jurisdictions)}"
    return None


def category_rows(kb: KB, jurisdiction: str | None = None) -> list[dict]:
    rows = []
    for c in sorted(kb.categories.values(), key=lambda c: c.rank):
        if jurisdiction and jurisdiction not in c.held_in:
            continue
        subtypes = [s for s in c.subtypes if not jurisdiction or jurisdiction in c.subtype_held_in.get(s, [])]
        rows.append({"id": c.id, "zh": c.label_zh, "en": c.label_en, "held_in": c.held_in, "subtypes": subtypes,
                     "treated_as": c.treated_as, "rule": c.treated_as_rule})
    return rows


def parameter_rows(kb: KB, jurisdiction: str | None = None, year: int | None = None) -> dict:
    rows = []
    # a jurisdiction's own parameters and those it inherits (ma:follows), each with its own clause
    shown = kb.parameters_of(jurisdiction) if jurisdiction else kb.parameters.values()
    for p in sorted(shown, key=lambda p: (p.jurisdiction, p.clause, p.id)):
        if year and not (p.valid_from <= year * 10000 + 1231 and p.valid_until >= year * 10000 + 101):
            continue
        rows.append({"jurisdiction": p.jurisdiction, "id": p.key, "benefit": p.benefits, "category": p.categories,
                     "kind": p.kind, "value": [str(v) for v in p.values] or None, "unit": p.unit, "status": p.status,
                     "valid_from": p.valid_from, "valid_until": p.valid_until, "rule": p.rule,
                     "clause_text": kb.clause_source(p.rule)["text"], "delegated_to": p.delegated_to,
                     "requires": p.requires, "note": p.note, "interpretations": p.interpretations})
    interps = [{"id": i.id, "default": i.default, "options": i.options, "applies_in": i.applies_in or None, "reason": i.comment}
               for i in kb.interpretations.values()]
    return {"parameters": rows, "interpretations": interps}


def provision_rows(kb: KB, jurisdiction: str | None = None, kind: str | None = None) -> list[dict]:
    return [{"id": p.id, "jurisdiction": p.jurisdiction, "kind": p.kind, "status": p.status,
             "statement": p.statement_zh, "label": p.label_en, "figure": p.figure, "delegated_to": p.delegated_to,
             "clauses": [{"rule": c, **kb.clause_source(c)} for c in p.clauses], "bears_on": p.bears_on}
            for p in kb.provisions
            if (not jurisdiction or p.jurisdiction == jurisdiction) and (not kind or p.kind == kind)]


def document_rows(kb: KB, jurisdiction: str | None = None) -> list[dict]:
    """Each document with its 文号, issuer, dates and the number of clauses the KB holds of it."""
    count: dict[str, int] = {}
    for c in kb.clauses.values():
        count[c.document] = count.get(c.document, 0) + 1
    return [{"id": d.iri, "jurisdiction": d.jurisdiction, "title_zh": d.title_zh, "title_en": d.title_en,
             "number": d.number, "issuer": d.issuer, "effective_from": d.effective_from,
             "effective_until": d.effective_until, "reports": d.reports, "clauses": count.get(d.iri, 0)}
            for d in sorted(kb.documents.values(), key=lambda d: (d.jurisdiction, d.iri))
            if not jurisdiction or d.jurisdiction == jurisdiction]


def clause_rows(kb: KB, jurisdiction: str | None = None, document: str | None = None,
                q: str | None = None) -> list[dict]:
    """Clauses in document order with their text and the parameters each states; `q` matches a
    locator (第八条(三)) exactly or as a prefix, else words of the text."""
    stated: dict[str, list[str]] = {}
    for p in kb.parameters.values():
        stated.setdefault(p.clause.split("#")[0], []).append(p.id)
    rows = []
    for c in sorted(kb.clauses.values(), key=lambda c: (c.jurisdiction, c.document, c.order)):
        if jurisdiction and c.jurisdiction != jurisdiction or document and c.document != document:
            continue
        if q and not matches(c, q):
            continue
        rows.append({"id": c.rule_id, "jurisdiction": c.jurisdiction, "document": c.document, "locator": c.locator,
                     "order": c.order, "text": c.text, "label_en": c.label_en,
                     "parameters": sorted(stated.get(c.rule_id, []))})
    return rows


def matches(c, q: str) -> bool:
    q = q.strip()
    norm = lambda s: s.replace("（", "(").replace("）", ")").replace(" ", "")
    if norm(c.locator).startswith(norm(q)) or norm(c.rule_id) == norm(q):
        return True
    return all(word in c.text or word.lower() in (c.label_en or "").lower() for word in q.split())
