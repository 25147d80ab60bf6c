"""The knowledge base: Turtle files in kb/, validated with SHACL, exported as ASP facts.

Loaded once per process (:func:`load_kb`); everything the engine knows about the law comes
from here. Python holds no policy figure: it reads them, converts units, and passes them on.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import clingo
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from .atoms import symbol as fact
from .errors import KBError
from .money import check_money, ratio_to_bp, to_decimal, yuan_to_fen
from . import kb_cache
from .resources import kb_dir

BASE = "https://w3id.org/medaid/kb/"
MA = Namespace("https://w3id.org/medaid/ontology#")
FOREVER = 99991231

KB_DIR = kb_dir()


def rel(iri) -> str:
    s = str(iri)
    return s[len(BASE):] if s.startswith(BASE) else s


def ymd(d) -> int:
    if isinstance(d, Literal):
        d = d.toPython()
    if isinstance(d, str):
        d = date.fromisoformat(d)
    return d.year * 10000 + d.month * 100 + d.day


def lang(g: Graph, node, prop, language: str) -> str | None:
    fallback = None
    for o in g.objects(node, prop):
        if isinstance(o, Literal) and o.language == language:
            return str(o)
        fallback = fallback or str(o)
    return fallback


@dataclass
class Document:
    iri: str
    jurisdiction: str
    title_zh: str
    title_en: str | None
    number: str | None
    issuer: str | None
    effective_from: int | None
    effective_until: int | None
    date_stated: bool
    reports: str | None
    follows: str | None = None    # the document whose rules apply where this one is silent
    dated_by: str | None = None   # the interpretation that dates it when the text states no date


@dataclass
class Clause:
    rule_id: str          # jurisdiction/locator, the path of its IRI
    jurisdiction: str
    document: str         # the document IRI path
    locator: str
    text: str
    order: int
    label_en: str | None


@dataclass
class Parameter:
    id: str               # full path: taiyuan/inpatient/dibao/ratio
    key: str              # what a caller overrides: inpatient/dibao/ratio
    jurisdiction: str
    benefits: list[str]
    categories: list[str]  # category ids, "orphan@distressed_child" style kept as (cat, sub)
    keys: list            # clingo key symbols
    kind: str
    unit: str
    values: list          # Decimal | str
    status: str           # stated | vague | delegated | silent
    clause: str           # rule id of the clause
    rule: str             # clause + "#part"
    valid_from: int
    valid_until: int
    requires: list[str]
    delegated_to: str | None
    note: str | None
    interpretations: list[str]
    fund: str | None
    exception_to: str | None
    borrowed_from: str | None = None  # where the text is silent: the clause applied by analogy


@dataclass
class Category:
    id: str
    label_zh: str
    label_en: str
    rank: int
    held_in: list[str]
    treated_as: str | None
    treated_as_rule: str | None
    subtypes: list[str] = field(default_factory=list)
    subtype_held_in: dict[str, list[str]] = field(default_factory=dict)  # subtype → jurisdictions


@dataclass
class FactGroup:
    """The case facts a derived category rests on (kb/case_fields.ttl)."""
    tried_with: list[str]   # giving one of these asks for the derivation
    rests_on: list[str]     # ... and then every one of these is required
    wording: str            # how an error names the group
    kind: str = ""          # the parameter kind by which a jurisdiction states the derivation
    tests: list[tuple[str, int, str]] = field(default_factory=list)   # (test, order, form) in order

    def reads(self) -> tuple[set, set, set, bool]:
        """The parameter kinds, facts and statistics its tests read, and whether they read the hukou."""
        kinds, facts, stats, hukou = {self.kind}, set(), set(), False
        for _, _, form in self.tests:
            term = clingo.parse_term(form)
            for role, arg in zip(FORM_ROLES[term.name], term.arguments):
                {"f": facts, "s": stats, "k": kinds}.get(role, set()).add(str(arg))
            hukou = hukou or term.name == "hukou_if"
        return kinds, facts, stats, hukou


# the forms of a derivation test asp/eligibility.lp reads, by argument: f a fact, s a statistic,
# k a parameter kind, v a value
FORM_ROLES = {"below_statistic": "fs", "net_below_statistic_times": "ffsk", "fact_is": "fv", "at_most_param": "fk",
              "one_of_param": "fk", "fact_is_if": "fvk", "hukou_if": "k"}


@dataclass
class Interpretation:
    id: str
    default: str
    options: list[str]
    comment: str
    based_on: list[str]
    label_zh: str = ""
    applies_in: list[str] = field(default_factory=list)   # the jurisdictions whose texts it reads; [] = all


@dataclass
class Provision:
    """A provision that computes nothing but matters (kb/provisions.ttl)."""
    id: str
    jurisdiction: str
    kind: str
    clauses: list[str]
    statement_zh: str
    label_en: str
    status: str | None = None
    figure: str | None = None
    delegated_to: str | None = None
    bears_on: list[str] = field(default_factory=list)


@dataclass
class Statistic:
    place: str
    statistic: str
    year: int
    value: Decimal
    source: str


@dataclass
class StatisticUse:
    jurisdiction: str
    statistic: str
    place: str
    year_offset: int
    rule: str


class KB:
    """The parsed, validated KB and its export to ASP facts."""

    def __init__(self, directory: Path = KB_DIR, validate: bool = True, fresh: bool = False,
                 sources: dict[str, bytes] | None = None):
        """validate: check the shapes (fresh: even if these very files passed them before);
        sources: the directory's files as read_sources read them."""
        self.directory = Path(directory)
        self.graph = Graph()
        # each file read once: the bytes parsed and validated are the bytes kb_cache names
        self.sources = read_sources(self.directory) if sources is None else sources
        for name, raw in self.sources.items():
            if name == "shapes.ttl":
                continue
            try:  # with the base a parse of the path has
                self.graph.parse(data=raw, format="turtle", publicID=(self.directory / name).absolute().as_uri())
            except Exception as exc:  # rdflib raises several kinds
                raise KBError(f"{Path(name).name}: {exc}") from exc
        if validate:
            self.validate(fresh)
        self._read()
        self._check_references()
        for j in self.jurisdictions:
            for clash in self.pool_cap_clashes(j):
                raise KBError(f"{j}: the cap pool {clash.pool!r} has two caps: {clash.first.id} and {clash.second.id}")

    # ---- validation ---------------------------------------------------------------
    def validate(self, fresh: bool = False) -> None:
        """SHACL validation, unless these very files passed it before (kb_cache)."""
        if not fresh and kb_cache.passed(self.sources):
            return
        report = self.shapes_report()
        if report:
            raise KBError("the KB breaks its shapes:\n" + report)
        kb_cache.remember_passed(self.sources)

    def shapes_report(self) -> str | None:
        """pySHACL's report where the KB breaks a shape of its shapes.ttl; None if it conforms."""
        if "shapes.ttl" not in self.sources:
            raise KBError(f"no shapes.ttl in {self.directory}")
        return validate_graph(self.graph, self.sources["shapes.ttl"])

    # ---- reading --------------------------------------------------------------------
    def _read(self) -> None:
        g = self.graph
        self.interpretations: dict[str, Interpretation] = {}
        for n in g.subjects(RDF.type, MA.Interpretation):
            i = Interpretation(str(g.value(n, MA.id)), str(g.value(n, MA.default)),
                               sorted(str(o) for o in g.objects(n, MA.options)),
                               lang(g, n, RDFS.comment, "en") or "",
                               sorted(rel(o) for o in g.objects(n, MA.basedOn)), lang(g, n, RDFS.label, "zh") or "",
                               sorted(str(g.value(o, MA.id)) for o in g.objects(n, MA.appliesIn)))
            self.interpretations[i.id] = i

        self.documents: dict[str, Document] = {}
        for n in g.subjects(RDF.type, MA.Document):
            f, u = g.value(n, MA.effectiveFrom), g.value(n, MA.effectiveUntil)
            stated = g.value(n, MA.effectiveDateStated)
            reports, follows, dated_by = g.value(n, MA.reports), g.value(n, MA.follows), g.value(n, MA.datedBy)
            self.documents[rel(n)] = Document(
                rel(n), str(g.value(n, MA.jurisdiction)), lang(g, n, DCTERMS.title, "zh") or rel(n),
                lang(g, n, DCTERMS.title, "en"), _str(g.value(n, DCTERMS.identifier)), _str(g.value(n, MA.issuer)),
                ymd(f) if f is not None else None, ymd(u) if u is not None else None,
                stated is None or bool(stated.toPython()), rel(reports) if reports is not None else None,
                rel(follows) if follows is not None else None,
                str(g.value(dated_by, MA.id)) if dated_by is not None else None)
        for d in self.documents.values():  # an undated text: the start date the KB's interpretation reads into it
            if d.effective_from is None and not d.date_stated and d.dated_by:
                d.effective_from = ymd(self.interpretations[d.dated_by].default)
        # a jurisdiction whose policy follows another's: where its text is silent, the other's rules apply
        self.follows: dict[str, str] = {}
        for d in self.documents.values():
            if d.follows and d.reports is None:
                if d.follows not in self.documents:
                    raise KBError(f"{d.iri}: ma:follows {d.follows}, which is not a document of the KB")
                self.follows[d.jurisdiction] = self.documents[d.follows].jurisdiction

        self.clauses: dict[str, Clause] = {}
        for n in g.subjects(RDF.type, MA.Clause):
            doc = rel(g.value(n, MA.document))
            self.clauses[rel(n)] = Clause(rel(n), self.documents[doc].jurisdiction if doc in self.documents else doc.split("/")[0],
                                          doc, str(g.value(n, MA.locator)), str(g.value(n, MA.text)),
                                          int(g.value(n, MA.order) or 0), lang(g, n, RDFS.label, "en"))

        self.categories: dict[str, Category] = {}
        subtypes: dict[str, list[str]] = {}
        for n in g.subjects(RDF.type, SKOS.Concept):
            broader = g.value(n, SKOS.broader)
            cid = str(g.value(n, MA.id))
            if broader is not None:
                subtypes.setdefault(str(g.value(broader, MA.id)), []).append((cid, sorted(str(o) for o in g.objects(n, MA.heldIn))))
                continue
            treated = g.value(n, MA.treatedAs)
            self.categories[cid] = Category(
                cid, lang(g, n, SKOS.prefLabel, "zh"), lang(g, n, SKOS.prefLabel, "en"), int(g.value(n, MA.rank)),
                sorted(str(o) for o in g.objects(n, MA.heldIn)),
                str(g.value(treated, MA.id)) if treated is not None else None,
                rel(g.value(n, MA.treatedAsClause)) if treated is not None else None)
        for cid, subs in subtypes.items():
            self.categories[cid].subtypes = sorted(sid for sid, _ in subs)
            self.categories[cid].subtype_held_in = dict(subs)
        # a category held by the followed jurisdiction is held by its follower, unless the follower
        # says otherwise (ma:notHeldIn on the category or subtype)
        not_held = {(str(g.value(n, MA.id)), str(o)) for n, o in g.subject_objects(MA.notHeldIn)}
        for j in self._follow_order():
            p = self.follows[j]
            for c in self.categories.values():
                if p in c.held_in and j not in c.held_in and (c.id, j) not in not_held:
                    c.held_in = sorted(c.held_in + [j])
                for sid, where in c.subtype_held_in.items():
                    if p in where and j not in where and (sid, j) not in not_held:
                        c.subtype_held_in[sid] = sorted(where + [j])

        self._read_case_fields()

        self.units = {rel(n): str(g.value(n, MA.unit)) for n in g.subjects(RDF.type, MA.ParameterKind)}
        self.same_slot = {rel(n).split("/", 1)[1]: rel(o).split("/", 1)[1] for n, o in g.subject_objects(MA.sameSlotAs)}
        self.parameters: dict[str, Parameter] = {}
        for n in g.subjects(RDF.type, MA.Parameter):
            p = self._parameter(n)
            self.parameters[p.id] = p

        self.statistics = [Statistic(str(g.value(n, MA.place)), str(g.value(n, MA.statistic)), int(g.value(n, MA.year)),
                                     Decimal(str(g.value(n, MA.value))), str(g.value(n, MA.source)))
                           for n in g.subjects(RDF.type, MA.Statistic)]
        self.statistic_uses = [StatisticUse(rel(n).split("/")[0], str(g.value(n, MA.statistic)), str(g.value(n, MA.place)),
                                            int(g.value(n, MA.yearOffset)), rel(g.value(n, MA.clause)))
                               for n in g.subjects(RDF.type, MA.StatisticUse)]
        for j in self._follow_order():  # a statistic the follower's text does not name: its parent's use
            named = {u.statistic for u in self.statistic_uses if u.jurisdiction == j}
            self.statistic_uses += [StatisticUse(j, u.statistic, u.place, u.year_offset, u.rule)
                                    for u in self.statistic_uses if u.jurisdiction == self.follows[j] and u.statistic not in named]
        self.slots = self._slots()
        self.parents = {str(g.value(n, MA.id)): str(g.value(g.value(n, MA.parent), MA.id))
                        for n in g.subjects(RDF.type, MA.Jurisdiction) if g.value(n, MA.parent) is not None}
        self.parent_readings = {str(g.value(n, MA.id)): str(g.value(r, MA.id)) for n, r in g.subject_objects(MA.parentReading)}
        self.jurisdictions = sorted(str(g.value(n, MA.id)) for n in g.subjects(RDF.type, MA.Jurisdiction))
        self.provisions: list[Provision] = []
        for n in g.subjects(RDF.type, MA.Provision):
            pid = rel(n).removeprefix("provision/")
            j = pid.split("/")[0]  # provision/<jurisdiction>/<name>, like parameters; its own clauses first
            clauses = sorted((rel(o) for o in g.objects(n, MA.clause)),
                             key=lambda c: (self.clauses[c].jurisdiction != j, self.clauses[c].jurisdiction, self.clauses[c].order))
            status = g.value(n, MA.status)
            self.provisions.append(Provision(
                pid, j,
                str(g.value(g.value(n, MA.provisionKind), MA.id)), clauses,
                lang(g, n, MA.statement, "zh"), lang(g, n, RDFS.label, "en"),
                str(g.value(status, MA.id)) if status is not None else None,
                _str(lang(g, n, MA.figure, "zh")), _str(lang(g, n, MA.delegatedTo, "zh")),
                sorted(rel(o) for o in g.objects(n, MA.bearsOn))))
        self.provisions.sort(key=lambda p: (p.jurisdiction, self.clauses[p.clauses[0]].order, p.id))

    def _parameter(self, n) -> Parameter:
        g = self.graph
        pid = rel(n)
        clause_iri = g.value(n, MA.clause)
        clause = rel(clause_iri)
        doc = rel(g.value(clause_iri, MA.document)) if g.value(clause_iri, MA.document) is not None else None
        jur = self.documents[doc].jurisdiction if doc in self.documents else pid.split("/")[0]
        policy = self.policy_document(jur)
        part = g.value(n, MA.part)
        kind_iri = g.value(n, MA.kind)
        kind = rel(kind_iri).split("/", 1)[1]
        status = g.value(n, MA.status)
        vf, vu = g.value(n, MA.validFrom), g.value(n, MA.validUntil)
        cats, keys = [], []
        for c in sorted(g.objects(n, MA.category), key=str):
            if c == MA.everyone:
                cats.append("everyone"); keys.append(clingo.Function("everyone"))
            elif c == MA.anyRecipient:
                cats.append("any_recipient"); keys.append(clingo.Function("any_recipient"))
            else:
                parts = rel(c).split("/")[1:]
                cats.append("/".join(parts))
                keys.append(clingo.Function(parts[0]) if len(parts) == 1 else
                            clingo.Function("sub", [clingo.Function(parts[0]), clingo.Function(parts[1])]))
        requires = sorted(str(o) for o in g.objects(n, MA.requires))
        if g.value(n, MA.ageAtLeast) is not None:
            requires.append(f"age_at_least({int(g.value(n, MA.ageAtLeast))})")
        if g.value(n, MA.ageBelow) is not None:
            requires.append(f"age_below({int(g.value(n, MA.ageBelow))})")
        for hc in g.objects(n, MA.hospitalClass):
            requires.append(f"hospital_class({hc})")
        for d in g.objects(n, MA.disease):
            requires.append(f"disease({d})")
        values = []
        for v in g.objects(n, MA.value):
            py = v.toPython()
            values.append(Decimal(str(py)) if isinstance(py, (int, float, Decimal)) and not isinstance(py, bool) else str(py))
        exc = g.value(n, MA.exceptionTo)
        borrowed = g.value(n, MA.borrowedFrom)
        return Parameter(
            id=pid, key=pid.split("/", 1)[1], jurisdiction=jur,
            benefits=sorted(rel(b).split("/", 1)[1] for b in g.objects(n, MA.benefit)),
            categories=cats, keys=keys, kind=kind, unit=self.units.get(rel(kind_iri), "none"),
            values=sorted(values, key=str), status=rel(status).split("#")[-1] if status is not None else "stated",
            clause=clause, rule=clause + (f"#{part}" if part is not None else ""),
            valid_from=ymd(vf) if vf is not None else (policy.effective_from or 0),
            valid_until=ymd(vu) if vu is not None else (policy.effective_until or FOREVER),
            requires=requires, delegated_to=_str(g.value(n, MA.delegatedTo)) or _str(g.value(n, MA.adjustableBy)),
            note=lang(g, n, MA.note, "en"),
            interpretations=sorted(rel(o).split("/", 1)[1] for o in g.objects(n, MA.interpretation)),
            fund=_str(g.value(n, MA.fund)), exception_to=rel(exc) if exc is not None else None,
            borrowed_from=rel(borrowed) if borrowed is not None else None)

    def policy_document(self, jurisdiction: str) -> Document:
        """The jurisdiction's policy (not a press report of it), with its effective period;
        an unstated start date is the one its ma:datedBy interpretation reads into it."""
        for d in self.documents.values():
            if d.jurisdiction == jurisdiction and d.reports is None:
                return d
        raise KBError(f"no policy document for jurisdiction {jurisdiction}")

    def year_in_force(self, jurisdiction: str, today) -> int:
        """The year a new case of the jurisdiction is most likely about: today's, held within the
        years its policy is in force (a document no longer in force: its last year)."""
        doc = self.policy_document(jurisdiction)
        year = today.year
        if doc.effective_until is not None and doc.effective_until // 10000 < year:
            year = doc.effective_until // 10000
        if doc.effective_from is not None and doc.effective_from // 10000 > year:
            year = doc.effective_from // 10000
        return year

    # ---- inheritance: a follower's effective parameters -----------------------------
    def _follow_order(self) -> list[str]:
        """Followers, each after the jurisdiction it follows; a cycle is refused."""
        order: list[str] = []

        def visit(j, path):
            if j in path:
                raise KBError(f"documents follow each other in a cycle: {' → '.join(path + [j])}")
            if j in order or j not in self.follows:
                return
            visit(self.follows[j], path + [j])
            order.append(j)
        for j in sorted(self.follows):
            visit(j, [])
        return order

    def _slots(self) -> dict[str, list[tuple[Parameter, str, int]]]:
        """Per jurisdiction, each (parameter, benefit, category index) it applies: its own
        parameters, then for a follower every slot of its parent's it does not state itself. A
        slot is a benefit, a category key, a kind (cap and no_cap are one, ma:sameSlotAs) and the
        conditions; an inherited slot keeps the parent's parameter, so its clause is the one that
        states the figure and a change of the parent reaches the follower."""
        out: dict[str, list] = {}
        for p in self.parameters.values():
            out.setdefault(p.jurisdiction, []).extend((p, b, i) for b in p.benefits for i in range(len(p.keys)))
        for j in self._follow_order():
            own = {self._slot(p, b, i) for p, b, i in out.get(j, [])}
            out.setdefault(j, []).extend(e for e in out.get(self.follows[j], []) if self._slot(*e) not in own)
        return out

    def _slot(self, p: Parameter, benefit: str, i: int) -> tuple:
        return (benefit, p.categories[i], self.same_slot.get(p.kind, p.kind), tuple(sorted(p.requires)))

    def parameters_of(self, jurisdiction: str) -> list[Parameter]:
        """The parameters that apply in a jurisdiction, its own and those it inherits."""
        cache = self.__dict__.setdefault("_parameters_of", {})  # asked for every case validated
        if jurisdiction not in cache:
            seen: dict[str, Parameter] = {}
            for p, _, _ in self.slots.get(jurisdiction, []):
                seen.setdefault(p.id, p)
            cache[jurisdiction] = list(seen.values())
        return list(cache[jurisdiction])

    def parameter_for(self, jurisdiction: str, key: str) -> Parameter | None:
        """The parameter a case of the jurisdiction overrides with `parameters.<key>`: its own
        `<jurisdiction>/<key>`, else the inherited one of that key."""
        own = self.parameters.get(f"{jurisdiction}/{key}")
        return own or next((p for p in self.parameters_of(jurisdiction) if p.key == key), None)

    def pool_cap_clashes(self, jurisdiction: str, overrides: dict[str, list] | None = None) -> list[PoolCapClash]:
        """Pairs of caps that would both bind one claim: stated for kinds in one cap pool, for
        categories one applicant can hold at once, in overlapping periods, with different values
        (asp/claims.lp gives an item the cap of every kind in its pool: a pool has one cap per
        category). `overrides` are a case's values (param id → clingo symbols), as param_symbols
        takes them; a silent cap with no value binds nothing."""
        overrides = overrides or {}

        def values(p):
            return overrides.get(p.id) or [self.asp_value(p, v) for v in p.values]

        pools = [(p, b, v) for p, b, _ in self.slots.get(jurisdiction, []) if p.kind == "cap_pool" for v in values(p)]
        caps = [(p, b, p.categories[i], v) for p, b, i in self.slots.get(jurisdiction, []) if p.kind == "cap" for v in values(p)]
        placed = [(pool_p, pool, cap, cat, v) for pool_p, b, pool in pools for cap, cb, cat, v in caps if cb == b]
        clashes = []
        for n, (pp1, pool, c1, cat1, v1) in enumerate(placed):
            for pp2, pool2, c2, cat2, v2 in placed[n + 1:]:
                if (pool == pool2 and v1 != v2 and _may_hold_both(cat1, cat2)
                        and max(pp1.valid_from, pp2.valid_from, c1.valid_from, c2.valid_from)
                        <= min(pp1.valid_until, pp2.valid_until, c1.valid_until, c2.valid_until)):
                    clashes.append(PoolCapClash(str(pool), c1, c2, (pp1, pp2)))
        return clashes

    def _check_references(self) -> None:
        missing = sorted({p.clause for p in self.parameters.values() if p.clause not in self.clauses})
        missing += sorted({u.rule for u in self.statistic_uses if u.rule not in self.clauses})
        missing += sorted({p.borrowed_from for p in self.parameters.values() if p.borrowed_from and p.borrowed_from not in self.clauses})
        missing += sorted({c.treated_as_rule for c in self.categories.values()
                           if c.treated_as_rule and c.treated_as_rule not in self.clauses})
        if missing:
            raise KBError("clauses cited but not in kb/texts: " + ", ".join(missing))
        for p in self.parameters.values():
            if p.exception_to and p.exception_to not in self.parameters:
                raise KBError(f"{p.id}: exceptionTo {p.exception_to} is not a parameter")
            for i in p.interpretations:
                if i not in self.interpretations:
                    raise KBError(f"{p.id}: interpretation {i} is not in kb/interpretations.ttl")

    # ---- lookups used by the result builder and the CLI -----------------------------
    def clause_source(self, rule_id: str) -> dict:
        clause = self.clauses.get(rule_id.split("#")[0])
        if clause is None:
            return {"document": None, "clause": rule_id, "text": None}
        doc = self.documents.get(clause.document)
        title = doc.title_zh if doc else clause.document
        if doc and doc.reports and doc.reports in self.documents:
            title = f"{self.documents[doc.reports].title_zh}（{title}）"
        return {"document": title, "clause": clause.locator, "text": clause.text}

    def locator(self, rule_id: str) -> str:
        """A rule as a reader cites it: its clause's locator (四(六)), never its id (wuxi/四(六)#full_group)."""
        return self.clause_source(rule_id)["clause"]

    def codes(self, field: str) -> list[str]:
        """The codes a case field may hold, from the KB: claim kinds are its claim benefits; hospital
        classes, diseases and disability types are listed in kb/codes.ttl, localities and the
        management of chronic outpatient care in kb/case_fields.ttl."""
        cache = self.__dict__.setdefault("_code_lists", {})  # asked for every claim validated
        if field not in cache:
            cache[field] = self._codes(field)
        return list(cache[field])

    def _codes(self, field: str) -> list[str]:
        g = self.graph
        if field == "kind":
            return sorted(str(g.value(n, MA.id)) for n in g.subjects(MA.claimKind, Literal(True)))
        cls = {"hospital_class": MA.HospitalClass, "disease": MA.Disease, "disability_types": MA.DisabilityType,
               "local": MA.Locality, "chronic_management": MA.ChronicManagement}[field]
        return sorted(str(g.value(n, MA.id)) for n in g.subjects(RDF.type, cls))

    def _read_case_fields(self) -> None:
        """What kb/case_fields.ttl says about a case's fields (CASE_FORMAT.md names them)."""
        g = self.graph
        self.statistic_kinds: list[str] = [str(g.value(n, MA.id)) for n in sorted(
            g.subjects(RDF.type, MA.StatisticKind), key=lambda n: (int(g.value(n, MA.order) or 0), str(n)))]
        # parameter kind → the applicant field it makes required; parameter kind or claim kind →
        # the claim field it makes required
        self.applicant_field_required = {str(g.value(n, MA.id)): str(o) for n, o in g.subject_objects(MA.requiresApplicantField)}
        self.claim_field_required = {str(g.value(n, MA.id)): str(o) for n, o in g.subject_objects(MA.requiresClaimField)}
        self.fact_groups: dict[str, FactGroup] = {}
        for n, fg in g.subject_objects(MA.derivedFromFacts):
            if g.value(n, MA.id) is None:   # a category this KB does not define (a partial KB)
                continue
            kind = g.value(fg, MA.derivationKind)
            self.fact_groups[str(g.value(n, MA.id))] = FactGroup(
                sorted(str(o) for o in g.objects(fg, MA.triedWith)), sorted(str(o) for o in g.objects(fg, MA.restsOn)),
                lang(g, fg, RDFS.comment, "en") or "", str(g.value(kind, MA.id)) if kind is not None else "",
                sorted(((str(g.value(x, MA.id)), int(g.value(x, MA.order)), str(g.value(x, MA.form)))
                        for x in g.objects(fg, MA.test)), key=lambda x: x[1]))
        self.pool_year_to_date = {str(g.value(n, MA.id)): str(g.value(n, MA.yearToDateField))
                                  for n in g.subjects(RDF.type, MA.CapPool) if g.value(n, MA.yearToDateField) is not None}

    def recipient_parameter(self, jurisdiction: str, category: str) -> Parameter | None:
        """The parameter (kind recipient) by which a jurisdiction's text makes a category a
        recipient of medical aid, the first by id; None where it names none."""
        return next((p for p in sorted(self.parameters.values(), key=lambda q: q.id)
                     if p.kind == "recipient" and p.jurisdiction == jurisdiction and category in p.categories), None)

    def label(self, vocab_id: str, language: str) -> str:
        """The label of a vocabulary term by its ma:id (a benefit, a kind), in a language."""
        cache = self.__dict__.setdefault("_labels", {})  # asked for by every result's notes
        if (vocab_id, language) not in cache:
            cache[vocab_id, language] = next((found for n in self.graph.subjects(MA.id, Literal(vocab_id))
                                              if (found := lang(self.graph, n, RDFS.label, language))), vocab_id)
        return cache[vocab_id, language]

    def categories_in(self, jurisdiction: str) -> list[Category]:
        return sorted((c for c in self.categories.values() if jurisdiction in c.held_in), key=lambda c: c.rank)

    # ---- export to ASP ------------------------------------------------------------------
    def param_symbols(self, overrides: dict[str, list] | None = None,
                      interpretations: dict[str, str] | None = None) -> list[clingo.Symbol]:
        """Facts of the policy, with a group's overridden parameter values and interpretations; each
        written through atoms.symbol, so in the shape (and arity) the schema declares."""
        F, S, N = clingo.Function, clingo.String, clingo.Number
        overrides = overrides or {}
        facts: list[clingo.Symbol] = []
        for j in self.jurisdictions:
            try:
                d = self.policy_document(j)
            except KBError:
                continue
            facts.append(fact("document", F(j), N(d.effective_from or 0), N(d.effective_until or FOREVER)))
        for child, parent in self.parents.items():
            facts.append(fact("parent", F(child), F(parent)))
        for c in self.categories.values():
            facts.append(fact("rank", F(c.id), N(c.rank)))
            if c.treated_as:
                facts.append(fact("treated_as", F(c.id), F(c.treated_as), S(c.treated_as_rule)))
        for j, entries in self.slots.items():  # inherited slots cite the parent's parameter
            for p, b, i in entries:
                if p.jurisdiction != j:
                    facts.append(fact("param", S(p.id), F(j), F(b), p.keys[i], N(p.valid_from), N(p.valid_until)))
        for p in self.parameters.values():
            pid = S(p.id)
            for b in p.benefits:
                for key in p.keys:
                    facts.append(fact("param", pid, F(p.jurisdiction), F(b), key, N(p.valid_from), N(p.valid_until)))
            values = overrides.get(p.id)
            status = p.status
            if values is not None:
                status = "stated"
            else:
                values = [self.asp_value(p, v) for v in p.values] if p.values else [F("none")]
            for v in values:
                facts.append(fact("param_value", pid, F(p.kind), v))
            facts.append(fact("param_rule", pid, S(p.rule)))
            if status != "stated":
                facts.append(fact("param_status", pid, F(status)))
            for r in p.requires:
                term = clingo.parse_term(r)
                if term.name in ("hospital_class", "disease"):  # several values: any one will do
                    facts.append(fact("param_requires_any", pid, F(term.name), term))
                else:
                    facts.append(fact("param_requires", pid, term))
            if p.fund:
                facts.append(fact("param_fund", pid, F(p.fund)))
            if p.exception_to:
                facts.append(fact("param_exception", pid, S(p.exception_to)))
            if p.borrowed_from:
                facts.append(fact("param_borrowed", pid, S(p.borrowed_from)))
            for i in p.interpretations:
                facts.append(fact("param_reading", pid, F(i)))
        for c, group in self.fact_groups.items():   # the derivations from facts (asp/eligibility.lp)
            if group.kind:
                facts.append(fact("derivation", F(c), F(group.kind)))
            for name in group.tried_with:
                facts.append(fact("derivation_fact", F(c), F(name)))
            for test, order, form in group.tests:
                facts.append(fact("derivation_test", F(c), F(test), N(order), clingo.parse_term(form)))
        for pool, field_name in self.pool_year_to_date.items():
            facts.append(fact("ytd_pool", F(field_name), F(pool)))
        for u in self.statistic_uses:
            facts.append(fact("stat_use", F(u.jurisdiction), F(u.statistic), F(u.place), N(u.year_offset), S(u.rule)))
        for s in self.statistics:
            facts.append(fact("stat", F(s.place), F(s.statistic), N(s.year), N(yuan_to_fen(s.value))))
        chosen = {i.id: i.default for i in self.interpretations.values()}
        chosen.update(interpretations or {})
        for iid, v in chosen.items():
            facts.append(fact("interpretation", F(iid), F(v) if v.isidentifier() else S(v)))
        return facts

    def override_value(self, p: Parameter, raw) -> clingo.Symbol:
        """A caller's value for parameter p, checked against its unit: a ratio in [0, 1], money
        as input money, a whole number, a flag 0/1, or a code some parameter of the same kind
        holds in the KB (the codes the programs know). ValueError says what is wrong."""
        if p.unit in ("code", "pool"):
            codes = sorted({v for q in self.parameters.values() if q.kind == p.kind for v in q.values})
            if raw not in codes:
                raise ValueError(f"one of: {', '.join(codes)}")
            return clingo.Function(raw)
        if p.unit == "none":
            raise ValueError("this parameter takes no value")
        if isinstance(raw, bool) and p.unit == "flag":
            raw = int(raw)
        d = to_decimal(raw)
        if p.unit == "yuan":
            check_money(d)
        elif p.unit == "ratio" and not 0 <= d <= 1:
            raise ValueError("a ratio lies between 0 and 1")
        elif p.kind.endswith("_floor") and p.values and d < to_decimal(p.values[0]):
            # the text sets a floor and delegates the figure: the figure set may not go below it
            raise ValueError(f"at least {p.values[0]} ({p.rule} sets the floor)")
        elif p.unit == "flag" and d not in (0, 1):
            raise ValueError("a flag is 0 or 1")
        elif p.unit in ("points", "grade", "years") and (d != d.to_integral_value() or d < 0 or d > 10000):
            raise ValueError("a whole number from 0 to 10000")
        elif p.unit == "monthday":
            try:
                date(2000, int(d) // 100, int(d) % 100)  # a leap year: 0229 is a day
            except ValueError:
                raise ValueError("a month and day as MMDD, e.g. 1231") from None
            if d != d.to_integral_value():
                raise ValueError("a month and day as MMDD, e.g. 1231")
        return self.asp_value(p, d)

    def asp_value(self, p: Parameter, v) -> clingo.Symbol:
        """A parameter value in the engine's units: fen, basis points, integers or codes."""
        if p.unit == "ratio":
            return clingo.Number(ratio_to_bp(v))
        if p.unit == "yuan":
            return clingo.Number(yuan_to_fen(v))
        if p.unit == "points":
            return clingo.Number(int(v))
        if isinstance(v, Decimal):
            return clingo.Number(int(v))
        return clingo.Function(str(v))


@dataclass
class PoolCapClash:
    """Two caps one claim would be held to: the pool, the caps, and the pools placing their kinds."""
    pool: str
    first: Parameter
    second: Parameter
    placed_by: tuple


def _may_hold_both(cat1: str, cat2: str) -> bool:
    """Whether an applicant holding one category has a key of both: the same category, a category
    and its subtype, or any recipient beside any category (a cap for everyone binds no one)."""
    if "everyone" in (cat1, cat2):
        return False
    return "any_recipient" in (cat1, cat2) or cat1.split("/")[0] == cat2.split("/")[0] and (
        cat1 == cat2 or "/" not in cat1 or "/" not in cat2)


def _str(v):
    return str(v) if v is not None else None


def validate_graph(data: Graph, shapes_ttl: bytes) -> str | None:
    """SHACL validation; returns the report text when the data breaks a shape."""
    from pyshacl import validate
    shapes = Graph().parse(data=shapes_ttl, format="turtle")
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none", advanced=False)
    return None if conforms else text


def read_sources(directory: Path) -> dict[str, bytes]:
    """A KB directory's Turtle files, name (relative) → bytes: the data files in name order, then
    shapes.ttl if there is one."""
    files = sorted(p for p in directory.rglob("*.ttl") if p.name != "shapes.ttl")
    if not files:
        raise KBError(f"no Turtle files in {directory}")
    shapes = directory / "shapes.ttl"
    sources = {}
    for path in [*files, shapes] if shapes.exists() else files:
        try:
            sources[str(path.relative_to(directory))] = path.read_bytes()
        except OSError as exc:
            raise KBError(f"{path.name}: {exc.strerror or exc}") from exc
    return sources


@functools.lru_cache(maxsize=4)
def load_kb(directory: str | None = None, validate: bool = True) -> KB:
    """The KB of a directory, once per process: the one read before from these very files
    (kb_cache), else read from them now; validated unless they passed their shapes before."""
    d = Path(directory) if directory else KB_DIR
    sources = read_sources(d)
    kb = kb_cache.load(sources)
    if not (isinstance(kb, KB) and kb.sources == sources):  # none, or not of these files
        kb = KB(d, validate=validate, sources=sources)
        kb_cache.store(sources, kb)
    else:
        kb.directory = d
        if validate:
            kb.validate()
    return kb


def load_kb_validating_aside(directory: str | None = None) -> tuple[KB, "Validation"]:
    """The KB read now and its SHACL validation (pySHACL: about half a second) run in a forked
    child meanwhile, unless these very files passed it before (kb_cache): a batch evaluates
    its first chunks while it runs, and writes nothing before Validation.result() passed. A KB
    that cannot even be read unvalidated is validated here, so that its error is the shapes' report."""
    try:
        kb = load_kb(directory, validate=False)
    except Exception:
        load_kb(directory)   # raises the shapes' report where the KB breaks a shape
        raise
    return kb, Validation(kb)


class Validation:
    """A KB's SHACL validation in a forked child; result() waits for it and raises KBError.
    Started before any thread of the process exists (a fork copies only the calling thread)."""

    def __init__(self, kb: KB):
        from .workers import Forked
        self.kb = kb
        self.child = None if kb_cache.passed(kb.sources) else Forked(KB.shapes_report, kb)

    def result(self) -> None:
        if self.child is None:
            return
        from .workers import WorkerDied
        report = self.child.result()
        if isinstance(report, WorkerDied):
            raise KBError(f"the KB could not be validated: {report}")
        if report:
            raise KBError("the KB breaks its shapes:\n" + report)
        kb_cache.remember_passed(self.kb.sources)
        self.child = None
