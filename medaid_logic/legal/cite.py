"""Citations a decision letter can carry: the document's title and number (文号), a press report
marked as such, the clause locator, and the one sentence of the clause that decides — or, where
the text is silent, the engine's interpretation named as such. The words come from the KB
(kb/phrases.ttl, the documents' titles and numbers); nothing here is policy."""
from __future__ import annotations

import re
from rdflib import URIRef

from ..kb import BASE, KB, MA
from ..words import word

_SENTENCE_END = re.compile(r"(?<=[。；;！？])")


def citation(kb: KB, rule_id: str, lang: str) -> str:
    """《title》（文号）locator — a press report says what it reports and that it is a report."""
    clause = kb.clauses.get(rule_id.split("#")[0])
    if clause is None:
        return rule_id
    doc = kb.documents.get(clause.document)
    if doc is None:
        return clause.locator
    zh = lang == "zh"
    if doc.reports and doc.reports in kb.documents:
        rep = kb.documents[doc.reports]
        num = f"（{rep.number}）" if rep.number and zh else (f" ({rep.number})" if rep.number else "")
        title = rep.title_zh if zh else (rep.title_en or rep.title_zh)
        report = doc.title_zh if zh else (doc.title_en or doc.title_zh)
        return word("cite.press_report", lang, title=title, num=num, report=report, locator=clause.locator)
    title = doc.title_zh if zh else (doc.title_en or doc.title_zh)
    num = (f"（{doc.number}）" if zh else f" ({doc.number})") if doc.number else ""
    return f"《{title}》{num}{clause.locator}" if zh else f"“{title}”{num}, {clause.locator}"


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s.strip()]


def deciding_sentence(kb: KB, pid: str | None, decision: str | None = None) -> tuple[str, str] | None:
    """What a parameter's clause says that decides: ("quote", sentence) — the KB's sentence for
    this step, else its ma:says, else the clause sentence that states its figure — or
    ("reading", interpretation id) where the text is silent and the engine's reading decides."""
    p = kb.parameters.get(pid) if pid else None
    if p is None:
        return None
    g, node = kb.graph, URIRef(BASE + pid)
    for sent in g.objects(node, MA.sentence):
        if decision and str(g.value(sent, MA.decision)) == decision:
            reading = g.value(sent, MA.reading)
            if reading is not None:
                return ("reading", str(g.value(reading, MA.id)))
            return ("quote", str(g.value(sent, MA.says)))
    if p.status == "silent":
        return ("reading", p.interpretations[0]) if p.interpretations else ("silent", p.note or "")
    says = g.value(node, MA.says)
    if says is not None:
        return ("quote", str(says))
    src = kb.clause_source(p.rule)
    # "the clause does not name C": quote the sentence that names who it does
    return ("quote", _figure_sentence(kb, p, src.get("text") or "", names_first=decision == "category_not_named"))


def _figure_sentence(kb: KB, p, text: str, names_first: bool = False) -> str:
    """The sentence of the clause that states the parameter's figure (or names its category)."""
    parts = [x for x in (_strip_heading(t) for t in sentences(text)) if x]
    if not parts:
        return text
    needles = []
    for v in p.values:
        try:
            d = float(v)
        except (TypeError, ValueError):
            continue
        if p.unit == "ratio":
            needles.append(f"{d * 100:g}%")
        elif p.unit == "yuan":
            needles += [f"{d / 10000:g}万元", f"{d:g}元", f"{d / 10000:g}万"]
    if p.delegated_to and not names_first:   # a delegated figure: the sentence that names who sets it
        needles = [p.delegated_to] + needles
    labels = []
    for c in p.categories:
        if c in kb.categories:
            full = kb.categories[c].label_zh
            labels += [full, re.split(r"[（(]", full)[0]]
    flat = [s.replace(" ", "") for s in parts]
    # the sentence naming the category and its figure, else the figure, else the category
    tests = [lambda t: bool(p.delegated_to) and p.delegated_to in t and not names_first,
             lambda t: any(l in t for l in labels) and any(n in t for n in needles),
             lambda t: any(n in t for n in needles), lambda t: any(l in t for l in labels)]
    if names_first:   # the category's own sentence with its figure, else the one naming it
        tests = [tests[1], tests[3], tests[2]]
    for test in tests:
        hit = next((parts[i] for i, t in enumerate(flat) if test(t)), None)
        if hit:
            return hit
    return parts[0]


def _strip_heading(s: str) -> str:
    """A clause's first sentence carries its heading ((五)返贫致贫人口。): quote what follows."""
    s = re.sub(r"^[（(][一二三四五六七八九十]+[)）][^。]{0,20}。", "", s)
    return re.sub(r"^[（(][一二三四五六七八九十]+[)）]", "", s).strip().rstrip("。；;")


def basis(kb: KB, pid: str | None, decision: str | None, lang: str) -> str:
    """'依据《…》第十五条，“…”' — or the interpretation relied on where the text is silent."""
    p = kb.parameters.get(pid) if pid else None
    if p is None:
        return ""
    said = deciding_sentence(kb, pid, decision)
    cite = citation(kb, p.rule, lang)
    zh = lang == "zh"
    if said and said[0] == "reading":
        i = kb.interpretations.get(said[1])
        label = (i.label_zh if zh else i.comment) if i else said[1]
        return word("cite.reading", lang, cite=cite, label=label)
    if said and said[0] == "silent":
        return word("cite.silent", lang, cite=cite)
    quote = said[1] if said else ""
    return word("cite.quote", lang, cite=cite, quote=quote)
