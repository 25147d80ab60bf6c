"""Findings from the static checks, the solver searches and the KB's provisions.

One finding per clause and question: the categories, benefits, hospital classes and parameters of
one issue are listed inside it, and a fact that two checks find is one finding naming both
(`checks`). Each finding has a short id (kind/jurisdiction/topic), a severity by consequence
(high: a person gets more or less than the higher-level text or another clause of the same text
gives; medium: a gap or lapse leaving a benefit without a rule; low: vagueness, delegation, a
difference between peers; info: latent at figures no year has, additions), the deciding sentence
of each clause it rests on (the whole article beside it), a statement, why it matters with the
witness's figures, what a policy author could do, the engine interpretations it rests on, and
where one exists a witness: cases in CASE_FORMAT that `medaid evaluate` reproduces, shown as a
table of bills, the aid under each side and the difference."""
from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from .. import words as catalogue
from ..words import LANGS, listed
from ..errors import CaseError
from ..kb import BASE, FOREVER, KB, MA, lang as lg
from .domain import BILL_SELF_PAY, fen, money
from .search import Searcher, SearchResult
from .static import claim_kinds
from .words import EVERYONE, RELATIONS, SETS, VALUES, word

SEVERITIES = ("info", "low", "medium", "high")
SENTENCE = "audit_sentence."    # Builder.say's family: tests/test_words.py reads the codes from the say/say1 calls
PAYING = ("ratio", "premium_full", "premium_share", "premium_amount", "premium_minimum", "premium_share_floor",
          "catalogue_aid_ratio", "top_up_target", "deductible_amount", "deductible_share", "cap", "amount")


def ymd_str(n: int) -> str:
    return "—" if n in (0, FOREVER) else f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"


def expect_of(res) -> dict:
    if isinstance(res, CaseError):
        return {"error": {"field": res.field}}
    out = {"total_aid": res["total_aid"], "applied_category": res.get("applied_category"),
           "claims": {c["claim_id"]: {"aid": c["aid"], "category": c.get("category")} for c in res["claims"]}}
    ps = res.get("premium_subsidy") or {}
    out["premium_subsidy"] = {"amount": ps.get("amount"), "status": ps.get("status"), "category": ps.get("category")}
    out["flags"] = sorted({f["kind"] for f in res.get("flags", [])})
    return out


def result_rules(res, premium: bool = True) -> list[str]:
    """The clauses a result applied: its claims', its annual settlements' and (unless the case is
    about its bills only) its premium subsidy's."""
    if not isinstance(res, dict):
        return []
    rules = [c.get("rule") for c in res["claims"]] + [a.get("rule") for a in res.get("annual", [])]
    if premium:
        rules.append((res.get("premium_subsidy") or {}).get("rule"))
    return [r for r in rules if r]


def figure_of(expect: dict, premium: bool) -> str | None:
    """What a witness case is paid: the premium subsidy for a case without claims, else the aid."""
    if "error" in expect:
        return None
    return (expect.get("premium_subsidy") or {}).get("amount") or "0.00" if premium else expect["total_aid"]


def states_no_aid_contradicted(finding: dict) -> bool:
    """A finding that says a jurisdiction pays nothing, whose own witness there is paid: the check
    was wrong, and the finding must not be reported."""
    if not finding["detail"].get("states_no_aid"):
        return False
    j = finding["detail"]["no_aid_in"]
    for w in finding.get("witness") or []:
        if w["case"]["jurisdiction"] == j and "error" not in w["expect"]:
            if fen(figure_of(w["expect"], not w["case"]["claims"]) or 0) > 0:
                return True
    return False


class Builder:
    def __init__(self, kb: KB, engine, searcher: Searcher):
        self.kb, self.engine, self.searcher = kb, engine, searcher
        self.by_id: dict[str, dict] = {}
        self.dropped: list[dict] = []      # findings their own witness contradicts (never reported)

    @property
    def findings(self) -> list[dict]:
        return list(self.by_id.values())

    # ---- words -------------------------------------------------------------------------
    def say(self, code: str, **values) -> tuple[str, str]:
        """The catalogue's sentence audit_sentence.<code> as (zh, en); a value given as a function
        of the language is called with it."""
        return tuple(self.say1(code, lang, **values) for lang in LANGS)

    @staticmethod
    def say1(code: str, lang: str, **values) -> str:
        """One language of `say`."""
        return catalogue.word(SENTENCE + code, lang, **{k: v(lang) if callable(v) else v for k, v in values.items()})

    def label(self, cat: str, lang: str) -> str:
        cat = cat.split("/", 1)[0]
        if cat in EVERYONE:
            return word(EVERYONE, cat, lang)
        c = self.kb.categories.get(cat)
        return (c.label_zh if lang == "zh" else c.label_en) if c else cat

    def subtype(self, sub: str, lang: str) -> str:
        g = self.kb.graph
        for n in g.subjects(MA.id, Literal(sub)):
            from rdflib.namespace import SKOS
            x = lg(g, n, SKOS.prefLabel, lang) or lg(g, n, RDFS.label, lang)
            if x:
                return x
        return sub

    def labels(self, cats, lang: str) -> str:
        seen = []
        for c in cats:
            x = self.label(c, lang)
            if x not in seen:
                seen.append(x)
        return listed(seen, lang)

    def jur(self, j: str, lang: str) -> str:
        g = self.kb.graph
        for n in g.subjects(MA.id, Literal(j)):
            if (n, RDF.type, MA.Jurisdiction) in g:
                return lg(g, n, RDFS.label, lang) or j
        return j

    def jurs(self, js, lang: str) -> str:
        return listed((self.jur(j, lang) for j in js), lang)

    def benefit(self, b: str, lang: str) -> str:
        if b == "year":
            return self.say1("year_aid", lang)
        return lg(self.kb.graph, URIRef(BASE + "benefit/" + b), RDFS.label, lang) or b

    def benefits(self, bs, lang: str) -> str:
        return listed(dict.fromkeys(self.benefit(b, lang) for b in bs), lang)

    def sets(self, kind: str, lang: str) -> str:
        return word(SETS, kind, lang)

    def value(self, pid: str, lang: str, marked: bool = True) -> str:
        """A parameter's value as a reader writes it: 70%, 280 元, 12月31日, 未作规定 — never a code;
        a vague one marked so unless `marked` is false."""
        if pid == "none" or pid not in self.kb.parameters:
            return self.say1("value_no_rule", lang)
        p = self.kb.parameters[pid]
        if p.status == "silent":
            return word(VALUES, "silent", lang)
        if p.kind.endswith("no_cap"):
            return word(VALUES, "unlimited", lang)
        out = []
        for v in p.values:
            if p.kind == "exit_stay_limit":
                n = int(v)
                out.append(self.say1("value_month_day", lang, day=n % 100, month_name=self.say1("month_" + str(n // 100), lang)))
            elif isinstance(v, Decimal):
                if p.unit == "ratio":
                    out.append(f"{(v * 100).normalize():f}%")
                elif p.unit == "yuan":
                    out.append(self.say1("value_yuan", lang, n=f"{v.normalize():,f}"))
                elif p.kind == "premium_full":
                    out.append(self.say1("value_in_full", lang))
                elif p.unit == "flag":
                    out.append(self.say1("value_yes" if v else "value_no", lang))
                else:
                    out.append(f"{v.normalize():f}")
            else:
                out.append(word(VALUES, str(v), lang, str(v)))
        text = listed(out, lang) or "—"
        if p.status == "vague" and marked:
            text = self.say1("value_vague", lang, text=text)
        if p.status == "delegated":
            # a floor or bound the text does set stays in view beside the delegation
            bound = p.kind.endswith("_floor") and p.values and text != "—"
            text = self.say1("value_delegated_floor", lang, text=text) if bound else self.say1("value_delegated", lang)
        return text

    def whom(self, cats, lang: str) -> str:
        """The groups a rule names, as a parenthesis; nothing for a rule for everyone."""
        return self.say1("whom", lang, cats=self.labels(cats, lang)) if set(cats) - set(EVERYONE) else ""

    def delegate(self, who: str | None, lang: str) -> str:
        """To whom a text delegates, as a parenthesis: the KB's words where the language can show
        them (a phrase that already says "确定", decides, is quoted as it stands)."""
        if not who:
            return ""
        if lang != "zh" and not who.isascii():
            return self.say1("delegate_unnamed", lang)
        return self.say1("delegate_stated" if "确定" in who else "delegate_to", lang, who=who)

    # ---- clauses: the deciding sentence quoted, the article beside it ---------------------
    def ref(self, rule: str, lang: str) -> str:
        cl = self.kb.clauses.get(rule.split("#")[0])
        if cl is None:
            return rule
        doc = self.kb.documents.get(cl.document)
        title = doc.title_zh if doc else ""
        return self.say1("clause_ref", lang, jur=self.jur(cl.jurisdiction, lang), title=title, locator=cl.locator)

    def cite(self, rule: str, keys=()) -> dict:
        src = self.kb.clause_source(rule)
        text = src["text"] or ""
        sentences = [s for s in re.split(r"(?<=[。；;])", text) if s.strip()]
        keys = list(dict.fromkeys(k for k in keys if k))

        def score(s):   # a figure decides more than a name: the sentence stating the value is the one that matters
            return (sum((4 if re.search(r"\d", k) else 2) for k in keys if k in s)
                    + sum(1 for k in keys for part in re.split(r"[、，]", k) if part and part in s))
        best = max(sentences, key=score) if sentences else text
        return {"rule": rule, "ref": {"zh": self.ref(rule, "zh"), "en": self.ref(rule, "en")},
                "document": src["document"], "sentence": best.strip(), "text": text,
                "_weak": bool(sentences) and score(best) == 0}

    @staticmethod
    def closest_sentence(text: str, statement: str) -> str:
        """The sentence of an article sharing the most character pairs with what the finding says
        (for a clause no figure or name of the finding picks out)."""
        pairs = {statement[i:i + 2] for i in range(len(statement) - 1)}
        sentences = [s.strip() for s in re.split(r"(?<=[。；;])", text) if s.strip()]
        return max(sentences, key=lambda s: sum(1 for i in range(len(s) - 1) if s[i:i + 2] in pairs)) if sentences else text

    def cites(self, rules, keys=()) -> list[dict]:
        seen, out = set(), []
        for r in rules:
            if r and r != "none" and r not in seen:
                seen.add(r)
                out.append(self.cite(r, keys))
        return out

    def keys_of(self, pids=(), cats=(), extra=()) -> list[str]:
        """Words the deciding sentence of a clause holds: the categories' labels, the values."""
        out = [self.label(c, "zh") for c in cats] + list(extra)
        for pid in pids:
            p = self.kb.parameters.get(pid)
            if p is None:
                continue
            out += [self.label(c, "zh") for c in p.categories]
            for v in p.values:
                if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
                    v = Decimal(v)
                    out.append(f"{(v * 100).normalize():f}%" if p.unit == "ratio" else f"{v.normalize():f}元")
                    if p.unit == "yuan" and v and v % 10000 == 0:
                        out.append(f"{(v / 10000).normalize():f}万元")   # the texts write 5万元 as often as 50000元
        return out

    def param_rule(self, pid: str) -> str | None:
        p = self.kb.parameters.get(pid)
        return p.rule if p else None

    # ---- witnesses -----------------------------------------------------------------------
    def witness(self, cases_results) -> list[dict]:
        return [{"case": case, "expect": expect_of(res)} for case, res in cases_results]

    def replay(self, cases: list[dict]) -> list[dict]:
        return self.witness(zip(cases, self.engine.evaluate_batch(cases))) if cases else []

    def bills_text(self, case: dict, lang: str) -> str:
        if not case["claims"]:
            return self.say1("bills_premium", lang, contribution=money(case["parameters"].get("contribution")))
        out = []
        for c in case["claims"]:
            sp = Decimal(str(c["in_policy_cost"])) - Decimal(str(c["basic_insurance_paid"])) - Decimal(str(c.get("critical_illness_paid", 0))) - Decimal(str(c.get("other_paid", 0)))
            bill = dict(benefit=self.benefit(c["kind"], lang), when=c.get("discharged") or c.get("date"), self_pay=money(sp))
            if c["kind"] == "inpatient":
                where = self.say1("bill_in_province" if c["in_province"] else "bill_out_of_province", lang)
                out.append(self.say1("bill_where", lang, where=where, **bill))
            else:
                out.append(self.say1("bill", lang, **bill))
        return self.say1("join_parts", lang).join(out)

    def who(self, case: dict, lang: str) -> str:
        ids = case["applicant"]["identities"]
        return self.say1("join_plus", lang).join(self.label(i["category"] + ("/" + i["subtype"] if i.get("subtype") else ""), lang) for i in ids)

    def table(self, witness: list[dict]) -> list[dict]:
        """The witness as rows a person reads: where, who, the bills, the aid; the difference to the first row."""
        rows, first = [], None
        for w in witness:
            premium = not w["case"]["claims"]
            fig = figure_of(w["expect"], premium)
            reading = w.get("reading")
            where = {l: self.jur(w["case"]["jurisdiction"], l) for l in LANGS}
            if reading:
                where = dict(zip(LANGS, self.say("where_reading", where=where.get, reading=reading.get)))
            row = {"where": where,
                   "who": {l: self.who(w["case"], l) for l in ("zh", "en")},
                   "bills": {l: self.bills_text(w["case"], l) for l in ("zh", "en")},
                   "aid": fig, "refused": "error" in w["expect"]}
            if fig is not None:
                if first is None:
                    first = fig
                else:
                    row["difference"] = money((fen(fig) - fen(first)) / 100)
            rows.append(row)
        return rows

    # ---- adding and merging --------------------------------------------------------------
    def add(self, fid, kind, severity, jurisdictions, clauses, zh, en, why=None, todo=None, witness=None,
            checks=(), interpretations=(), detail=None):
        """Adds a finding; one already under the id takes the new one's checks, clauses,
        interpretations and detail lists (same clause and question: one finding)."""
        detail = detail or {}
        pids = [x for k in ("parameters", "city_rules", "province_rules", "reference") for x in detail.get(k) or []]
        interpretations = list(interpretations) + [i for x in pids if x in self.kb.parameters for i in self.kb.parameters[x].interpretations]
        interps = [{"id": i, "label": {"zh": self.kb.interpretations[i].label_zh or i,
                                       "en": (self.kb.interpretations[i].comment or i)}}
                   for i in dict.fromkeys(interpretations) if i in self.kb.interpretations]
        f = self.by_id.get(fid)
        if f is not None:
            f["severity"] = max(f["severity"], severity, key=SEVERITIES.index)
            f["jurisdictions"] = sorted(set(f["jurisdictions"]) | set(jurisdictions))
            f["checks"] = list(dict.fromkeys(f["checks"] + list(checks)))
            have = {c["rule"] for c in f["clauses"]}
            f["clauses"] += [c for c in clauses if c["rule"] not in have]
            have = {i["id"] for i in f["interpretations"]}
            f["interpretations"] += [i for i in interps if i["id"] not in have]
            if not f["witness"] and witness:
                f["witness"], f["table"] = witness, self.table(witness)
            for k, v in detail.items():
                if isinstance(v, list) and isinstance(f["detail"].get(k), list):
                    f["detail"][k] = list(dict.fromkeys(f["detail"][k] + v))
                else:
                    f["detail"].setdefault(k, v)
            if zh and zh not in f["statement"]["zh"]:
                f["statement"]["zh"] += zh
                f["statement"]["en"] += " " + en
            self._settle_sentences(f)
            return f
        f = {"id": fid, "kind": kind, "severity": severity, "jurisdictions": sorted(set(jurisdictions)),
             "checks": list(dict.fromkeys(checks)), "clauses": clauses, "statement": {"zh": zh, "en": en},
             "why": {"zh": why[0], "en": why[1]} if why else None,
             "todo": {"zh": todo[0], "en": todo[1]} if todo else None,
             "interpretations": interps, "witness": witness or None,
             "table": self.table(witness) if witness else None, "detail": detail}
        self._settle_sentences(f)
        if states_no_aid_contradicted(f):
            self.dropped.append(f)
            return None
        self.by_id[fid] = f
        return f

    def _settle_sentences(self, f: dict) -> None:
        for c in f["clauses"]:
            if c.pop("_weak", False):
                c["sentence"] = self.closest_sentence(c["text"], f["statement"]["zh"])

    def claim_case(self, j, year, cat, sub, kind, self_pay=20000, variant=None, case_id=None):
        s = self.searcher
        if kind == "premium":
            return s.make_case(j, year, [(cat, sub)], [], case_id or f"witness-{j}-{year}-{cat}-premium")
        if kind not in claim_kinds(self.kb):
            return None
        variant = variant or (s.variants(j, kind)[0] if kind in s.kinds(j) else "base")
        b = s.bill(j, year, kind, self_pay, variant)
        return s.make_case(j, year, [(cat, sub)], [b.claim], case_id or f"witness-{j}-{year}-{cat}-{kind}-{self_pay}")

    def first_differing(self, pairs: list[tuple], premium: bool):
        """Of (case_a, case_b) pairs, the first whose figures differ (else the middle one), evaluated."""
        cases = [c for pair in pairs for c in pair]
        res = self.engine.evaluate_batch(cases) if cases else []
        evaluated = [((pairs[i][0], res[2 * i]), (pairs[i][1], res[2 * i + 1])) for i in range(len(pairs))]
        ok = [e for e in evaluated if not any(isinstance(r, CaseError) for _, r in e)]
        if not ok:
            return None, False
        fig = lambda r: figure_of(expect_of(r), premium)
        differ = [e for e in ok if fig(e[0][1]) != fig(e[1][1])]
        pick = differ[0] if differ else ok[len(ok) // 2]
        return self.witness(pick), bool(differ)

    def year_of(self, j: str, *pids) -> int:
        """The first searched year of J in which J's document and the given parameters are in force."""
        years = self.searcher.years_of(j)
        start = max([self.kb.policy_document(j).effective_from or 0]
                    + [self.kb.parameters[p].valid_from for p in pids if p in self.kb.parameters]) // 10000
        return next((y for y in years if y >= start), years[0] if years else start)

    # ---- static findings -----------------------------------------------------------------
    def from_static(self, st: dict) -> None:
        self.st = st
        self.fills: dict[str, list] = {}            # a province's silent parameter → the cities' rules filling it
        self.channel_broader: list = []             # a city's channel rule for a group the province's does not name
        self.regulates = defaultdict(set)           # J → benefits it sets a paying rule for
        for j, c, b, y, pid, status in st.get("slot_rule", []):
            self.regulates[j].add(b)
        self._gaps(st)
        self._city_province(st)
        self._time(st)
        self._precedence(st)
        self._limits(st)
        self._peers(st)
        self._conflicts(st)
        self._statuses()

    def _gaps(self, st):
        kb = self.kb
        gaps = defaultdict(lambda: {"years": set(), "refs": set(), "benefits": set()})
        design = {tuple(d) for d in st.get("design_gap", [])}
        for j, c, b, y, relation, ref in st.get("gap", []):
            if relation == "peer" and b not in self.regulates[j]:
                continue        # a benefit kind the jurisdiction's scheme does not have is no gap
            key = (j, c, relation, relation == "peer" and (j, c, b) in design)
            gaps[key]["years"].add(y); gaps[key]["refs"].add(ref); gaps[key]["benefits"].add(b)
        self.parent_gaps = {}
        for (j, c, relation, by_design), g in sorted(gaps.items()):
            refs = sorted(g["refs"])
            ref_js = sorted({kb.parameters[r].jurisdiction for r in refs})
            benefits = sorted(g["benefits"])
            years = sorted(g["years"])
            yr = f"{years[0]}—{years[-1]}" if len(years) > 1 else str(years[0])
            pairs = []
            for b in benefits:
                for ref_j in ref_js:
                    a = self.claim_case(j, years[0], c, None, b, 3000)
                    r = self.claim_case(ref_j, years[0], c, None, b, 3000)
                    if a and r:
                        r["parameters"] = {k: float(v) if v != int(v) else int(v) for k, v in self.searcher.statistics(ref_j, years[0]).items()}
                        r["case_id"] = r["case_id"].replace(f"witness-{j}-", f"witness-{ref_j}-", 1)
                        a, r = dict(a, applicant=dict(a["applicant"])), dict(r, claims=a["claims"], applicant=a["applicant"] | {"hukou": ref_j, "insured_in": ref_j, "residence": {"place": ref_j, "since": a["applicant"]["residence"]["since"]}})
                        pairs.append((a, r))
            wit, differ = self.first_differing(pairs, benefits == ["premium"]) if pairs else (None, False)
            parent = relation == "parent"
            rules = [kb.parameters[r].rule for r in refs]
            on = dict(jur=lambda lang: self.jur(j, lang), cats=lambda lang: self.label(c, lang),
                      benefits=lambda lang: self.benefits(benefits, lang), refs=lambda lang: self.jurs(ref_js, lang))
            why = None
            if wit and differ:
                t = self.table(wit)
                why = self.say("gap_why", **on, bills=lambda lang: t[0]["bills"][lang], aid=t[0]["aid"],
                               where=lambda lang: t[1]["where"][lang], ref_aid=t[1]["aid"])
            many = len(ref_js) > 1
            f = self.add(f"{'gap' if parent else 'peer'}/{j}/{c}", "coverage_gap" if parent else "peer",
                         ("high" if differ else "medium") if parent else "low", [j] + ref_js, self.cites(rules, self.keys_of(refs)),
                         *self.say(("gap_parents" if many else "gap_parent") if parent else ("gap_peers" if many else "gap_peer"), **on, years=yr),
                         why, self.say("gap_parent_todo" if parent else "gap_peer_todo", **on), wit, ["coverage"], [], {"category": c, "benefits": benefits, "years": years, "relation": relation,
                                                            "reference": refs, "states_no_aid": True, "no_aid_in": j,
                                                            **({"design": True} if by_design else {})})
            if f and parent:
                for b in benefits:
                    self.parent_gaps[(j, c, b)] = f["id"]

    def _city_province(self, st):
        kb = self.kb
        groups = defaultdict(lambda: {"cats": set(), "items": set()})
        added = defaultdict(lambda: defaultdict(set))
        for j, p, relation, b, kind, c, pair in st.get("cvp", []):
            if relation == "narrower" and pair[1] == "none" and (j, c, b) in getattr(self, "parent_gaps", {}):
                # the same fact as the coverage gap: one finding, both checks named
                f = self.by_id[self.parent_gaps[(j, c, b)]]
                f["checks"] = list(dict.fromkeys(f["checks"] + ["city_vs_province"]))
                continue
            if relation == "fills_silence":
                self.fills.setdefault(pair[2], []).append((j, pair[1]))
                continue
            if relation == "broader" and kind in ("one_stop", "direct", "on_application"):
                self.channel_broader.append((j, p, pair[1], c))
                continue
            if relation in ("added", "broader"):
                # what a city adds beyond its province is one observation, listed benefit by benefit
                added[(j, p)][(b, kind, pair[1])].add(c)
                continue
            g = groups[(j, p, b, "less")]
            g["cats"].add(c); g["items"].add((relation, kind, pair[1], pair[2]))
        for (j, p), items in sorted(added.items()):
            by_b = defaultdict(list)
            for (b, kind, ij), cats in sorted(items.items()):
                by_b[b].append((kind, ij, sorted(cats)))

            def added_items(lang, by_b=by_b):
                return self.say1("join_parts", lang).join(
                    self.say1("added_benefit", lang, benefit=self.benefit(b, lang), items=self.say1("join_comma", lang).join(dict.fromkeys(
                        self.say1("added_item", lang, sets=self.sets(k, lang), whom=self.whom(cs, lang), value=self.value(ij, lang))
                        for k, ij, cs in xs)))
                    for b, xs in by_b.items())
            ids = sorted({ij for (b, k, ij) in items})
            on = dict(jur=lambda lang: self.jur(j, lang), province=lambda lang: self.jur(p, lang))
            self.add(f"province/{j}/added", "city_vs_province", "info", [j, p],
                     self.cites([self.param_rule(x) for x in ids], self.keys_of(ids)),
                     *self.say("province_added", **on, items=added_items),
                     None, self.say("province_added_todo", **on),
                     None, ["city_vs_province"], [], {"city_rules": ids, "benefits": sorted(by_b)})
        for (j, p, b, side), g in sorted(groups.items()):
            items = sorted(g["items"])
            prov = sorted({i[3] for i in items if i[3] != "none"})
            if prov and all(kb.parameters[x].interpretations for x in prov):
                # the province's side exists only under the engine's reading of its words: no
                # comparison to report, but the words the reading fills in
                self._read_province(j, p, b, prov, sorted(g["cats"]))
                continue
            city_ids = sorted({i[2] for i in items if i[2] != "none"})
            prov_ids = sorted({i[3] for i in items if i[3] != "none"})
            for jj, bb, kind, pid in st.get("cvp_side", []):
                if bb == b and any(i[1] == kind for i in items):
                    (city_ids if jj == j else prov_ids).append(pid)
            rules = [self.param_rule(x) for x in dict.fromkeys(city_ids + prov_ids)]
            on = dict(jur=lambda lang: self.jur(j, lang), province=lambda lang: self.jur(p, lang))
            parts = {lang: [] for lang in LANGS}
            for relation, kind, ij, ip in items:
                cats = sorted({c for jj, pp, rr, bb, kk, c, pr in st["cvp"] if (jj, rr, bb, kk, pr[1], pr[2]) == (j, relation, b, kind, ij, ip)})
                only = relation == "narrower" and ij != "none"     # the city states it for some subtypes only
                subs = [c.split("/", 1)[1] for c in kb.parameters[ij].categories if "/" in c] if only else []
                for lang in LANGS:
                    part = self.say1("province_part", lang, **on, sets=self.sets(kind, lang), whom=self.whom(cats, lang),
                                     relation=word(RELATIONS, relation, lang), value=self.value(ij, lang), province_value=self.value(ip, lang))
                    if only:
                        part += self.say1("province_part_only", lang, jur=self.jur(j, lang),
                                          subtypes=listed((self.subtype(s, lang) for s in subs), lang))
                    parts[lang].append(part)
            parts = {lang: list(dict.fromkeys(ps)) for lang, ps in parts.items()}
            # a witness: the same person and bill in the city and in the province
            cat = next((c for c in sorted(g["cats"]) if c in kb.categories and p in kb.categories[c].held_in and j in kb.categories[c].held_in), None)
            wit, differ = None, False
            bk = "inpatient" if b == "catalogue" else b
            if cat and (bk == "premium" or bk in self.searcher.kinds(j) or bk in self.searcher.kinds(p)):
                year = self.year_of(j, *city_ids)
                pairs = []
                for sp in (BILL_SELF_PAY if bk != "premium" else BILL_SELF_PAY[:1]):
                    variant = "catalogue" if b == "catalogue" else "base"
                    cj = self.claim_case(j, year, cat, None, bk, sp, variant if bk == "inpatient" else None)
                    if cj is None:
                        continue
                    cp = dict(cj, jurisdiction=p, case_id=cj["case_id"].replace(f"witness-{j}-", f"witness-{p}-", 1),
                              parameters={k: float(v) if v != int(v) else int(v) for k, v in self.searcher.statistics(p, year).items()})
                    pairs.append((cj, cp))
                wit, differ = self.first_differing(pairs, bk == "premium")
            less = side == "less"
            why = None
            if wit and differ:
                t = self.table(wit)
                why = self.say("province_why", **on, who=lambda lang: t[0]["who"][lang], bills=lambda lang: t[0]["bills"][lang],
                               aid=t[0]["aid"], province_aid=t[1]["aid"], difference=t[1].get("difference"))
            sev = ("high" if differ else "low") if less else "info"
            self.add(f"province/{j}/{b}" + ("" if less else "/added"), "city_vs_province", sev, [j, p], self.cites(rules, self.keys_of(city_ids + prov_ids, g["cats"])),
                     *self.say("province", **on, benefit=lambda lang: self.benefit(b, lang), parts=lambda lang: self.say1("join_parts", lang).join(parts[lang])),
                     why, self.say("province_less_todo" if less else "province_more_todo", **on), wit, ["city_vs_province"], [], {"benefit": b, "categories": sorted(g["cats"]), "city_rules": city_ids,
                                                               "province_rules": prov_ids, "relations": sorted({i[0] for i in items})})

    def _read_province(self, j, p, b, prov, cats):
        kb = self.kb
        interps = [i for x in prov for i in kb.parameters[x].interpretations]
        kinds = list(dict.fromkeys(kb.parameters[x].kind for x in prov))
        on = dict(province=lambda lang: self.jur(p, lang))
        readings = [kb.interpretations[i].label_zh for i in dict.fromkeys(interps) if i in kb.interpretations]   # the KB words them in Chinese only
        self.add(f"vague/{p}/{b}", "vague", "low", [p], self.cites([kb.parameters[x].rule for x in prov], self.keys_of(prov)),
                 *self.say("read_province", **on, benefit=lambda lang: self.benefit(b, lang), jur=lambda lang: self.jur(j, lang),
                           sets=lambda lang: listed((self.sets(k, lang) for k in kinds), lang),
                           readings=lambda lang: self.say1("join_parts", lang).join(readings), cats=lambda lang: self.labels(cats, lang)),
                 None, self.say("read_province_todo", **on), None, ["city_vs_province", "vague"], interps,
                 {"parameters": prov, "categories": cats, "compared_with": j})

    def _time(self, st):
        kb = self.kb
        by_clause = defaultdict(lambda: {"pids": [], "gaps": set()})
        for pid, j, until, doc_until in st.get("lapse", []):
            by_clause[(j, kb.parameters[pid].clause, kb.parameters[pid].benefits[0])]["pids"].append(pid)
        causes = defaultdict(set)
        for j, c, b, y, pid in st.get("time_gap_cause", []):
            causes[(j, c, b)].add(pid)
        for (j, clause, b), g in sorted(by_clause.items()):
            pids = sorted(g["pids"])
            p0 = kb.parameters[pids[0]]
            until, doc_until = p0.valid_until, kb.policy_document(j).effective_until or FOREVER
            gap_cats = sorted({c for (jj, c, bb), ps in causes.items() if jj == j and set(ps) & set(pids)})
            cats = sorted({c for pid in pids for c in kb.parameters[pid].categories})
            y = until // 10000 + 1
            wit = None
            cat = next((c for c in cats if c not in EVERYONE), None)
            if cat:
                c0, sub = (cat.split("/", 1) + [None])[:2]
                bk = "inpatient" if b == "catalogue" else b
                cases = [self.claim_case(j, yy, c0, sub, bk, 20000, "catalogue" if b == "catalogue" else None) for yy in (y - 1, y)]
                if all(cases):
                    wit = self.replay(cases)
            on = dict(cats=lambda lang: self.labels(cats, lang), benefit=lambda lang: self.benefit(b, lang), year=y)
            why = None
            if wit:
                t = self.table(wit)
                why = self.say("lapse_why", **on, year_before=y - 1, aid_before=t[0]["aid"], aid=t[1]["aid"])
            sev = "medium" if gap_cats or (wit and self.table(wit)[0]["aid"] != self.table(wit)[1]["aid"]) else "low"
            self.add(f"lapse/{j}/{b}", "time", sev, [j], self.cites([p0.rule], self.keys_of(pids, extra=["2025"])),
                     *self.say("lapse_for_groups" if gap_cats else "lapse", **on, jur=lambda lang: self.jur(j, lang), until=ymd_str(until),
                               sets=lambda lang: listed(dict.fromkeys(self.sets(kb.parameters[p].kind, lang) for p in pids), lang),
                               end=lambda lang: ymd_str(doc_until) if doc_until != FOREVER else self.say1("lapse_no_end", lang),
                               groups=lambda lang: listed((self.label(c, lang) for c in gap_cats), lang)),
                     why, self.say("lapse_todo", **on),
                     wit, ["time"], [], {"parameters": pids, "until": ymd_str(until), "categories": cats, "years_without_rule": gap_cats and [y]})
        for j, start, fallback in st.get("doc_starts_mid_year", []):
            self._starts_mid_year(j, start, fallback)

    def _starts_mid_year(self, j, start, fallback):
        kb = self.kb
        doc = kb.policy_document(j)
        y = start // 10000
        written = f"{y}年{start // 100 % 100}月{start % 100}日"
        cited = [c.rule_id for c in sorted(kb.clauses.values(), key=lambda c: c.order) if c.document == doc.iri and written in (c.text or "")]
        days = start % 100 - 1 if start // 100 % 100 == 1 else None
        # a witness: the same claim just before and after the start, for the first category and kind they differ on
        pairs = []
        for c in kb.categories_in(j):
            for k in self.searcher.kinds(j):
                a = self.claim_case(j, y, c.id, None, k, 3000, "early", f"witness-{j}-{y}-{c.id}-{k}-before")
                b = self.claim_case(j, y, c.id, None, k, 3000, None, f"witness-{j}-{y}-{c.id}-{k}-after")
                if a and b and a["claims"][0].get("date", a["claims"][0].get("discharged")) < f"{y}-{start // 100 % 100:02d}-{start % 100:02d}":
                    pairs.append((a, b))
        wit, differ = self.first_differing(pairs[:40], False) if pairs else (None, False)
        fall = (lambda lang: self.say1("time_start_fallback", lang, jur=self.jur(fallback, lang))) if fallback != "none" else \
            (lambda lang: self.say1("time_start_no_rule", lang))
        why = None
        if wit and differ:
            t = self.table(wit)
            why = self.say("time_start_why", who=lambda lang: t[0]["who"][lang], bills_before=lambda lang: t[0]["bills"][lang],
                           aid_before=t[0]["aid"], bills_after=lambda lang: t[1]["bills"][lang], aid_after=t[1]["aid"])
        self.add(f"time/{j}/start", "time", "medium", [j] + ([fallback] if fallback != "none" else []), self.cites(cited[:1], [written]),
                 *self.say("time_start", jur=lambda lang: self.jur(j, lang), start=ymd_str(start), year=y, fallback=fall,
                           days=lambda lang: self.say1("time_start_days", lang, n=days) if days else self.say1("time_start_earlier", lang)),
                 why, self.say("time_start_todo", start=ymd_str(start), year=y),
                 wit, ["time"], ["before_effective_date"] if fallback != "none" and "before_effective_date" in kb.interpretations else [],
                 {"from": ymd_str(start), "fallback": fallback})

    def _precedence(self, st):
        kb = self.kb
        by_j = defaultdict(list)
        for j, b, n, how in st.get("multi_paid", []):
            if not self._identities_differ(j, b):
                continue    # every category is paid alike: how identities combine changes nothing
            by_j[j].append((b, n, how))
        for j, items in sorted(by_j.items()):
            analogy = [h[1] for _, _, h in items if h != "none"]
            none = [b for b, _, h in items if h == "none"]
            rules = [self.param_rule(pid) for pid in analogy]
            on = dict(jur=lambda lang: self.jur(j, lang), benefits=lambda lang: self.benefits([b for b, _, _ in items], lang))
            own = [p for p in kb.parameters.values() if p.jurisdiction == j and p.kind == "take_highest" and p.status == "stated"]
            self.add(f"precedence/{j}/rule", "precedence", "medium" if none else "low", [j], self.cites(rules + [p.rule for p in own], ["就高不就低"]),
                     *self.say("precedence", **on, which=lambda lang: self.say1("precedence_no_clause" if none else "precedence_other_clause", lang),
                               how=lambda lang: self.say1("precedence_by_analogy" if analogy else "precedence_engine", lang)),
                     None, self.say("precedence_todo", **on),
                     None, ["precedence", "silent"], ["precedence"], {"benefits": [b for b, _, _ in items], "analogy": analogy})

    def _identities_differ(self, j: str, b: str) -> bool:
        """Whether two categories paid benefit b in J are paid differently: the paying values set
        for each (a full subsidy is a share of 100%)."""
        norm = {"premium_full": ("premium_share", (Decimal(1),))}
        terms = defaultdict(set)
        for p in self.kb.parameters.values():
            if p.jurisdiction == j and b in p.benefits and p.kind in PAYING and p.status != "silent":
                t = norm.get(p.kind, (p.kind, tuple(p.values)))
                for c in p.categories:
                    terms[c].add(t)
        return len({frozenset(v) for c, v in terms.items() if c not in EVERYONE}) > 1

    def _limits(self, st):
        kb = self.kb
        for j, b in st.get("limit_unpooled", []):
            pools = [p for p in kb.parameters.values() if p.jurisdiction == j and p.kind == "cap_pool"]
            paying = [p for p in kb.parameters.values() if p.jurisdiction == j and b in p.benefits and p.kind == "ratio"]
            interp = [i for p in paying for i in p.interpretations] + [i.id for i in kb.interpretations.values()
                                                                         if any(c.startswith(j + "/") for c in i.based_on) and "cap" in i.id]
            on = dict(jur=lambda lang: self.jur(j, lang), benefit=lambda lang: self.benefit(b, lang))
            self.add(f"limits/{j}/{b}", "limits", "low", [j], self.cites([p.rule for p in paying[:1] + pools[:1]], ["限额", "共用"]),
                     *self.say("limits_unpooled", **on), None, self.say("limits_unpooled_todo", **on),
                     None, ["limits"], interp, {"benefit": b})
        for j, pid, interp in st.get("limit_read", []):
            p = kb.parameters[pid]
            b = p.benefits[0]
            pools = [q for q in kb.parameters.values() if q.jurisdiction == j and q.kind in ("cap", "cap_pool") and q.id != pid and q.status == "stated"]
            wit, why = self._pool_readings(j, p) if p.kind == "cap_pool" else (None, None)
            on = dict(jur=lambda lang: self.jur(j, lang), benefit=lambda lang: self.benefit(b, lang))
            self.add(f"limits/{j}/{b}", "limits", "low", [j], self.cites([p.rule] + [q.rule for q in pools[:1]], ["限额", "共用", "封顶"]),
                     *self.say("limits_read", **on, sets=lambda lang: self.sets(p.kind, lang), value=lambda lang: self.value(pid, lang)),
                     why, self.say("limits_read_todo", **on), wit, ["limits"], [interp] if interp != "none" else [], {"benefit": b, "parameters": [pid]})
        for j, pid, b, interp in st.get("limit_member_read", []):
            # the pool names the benefit, but only the benefit's own rules record why: the reading
            pool = kb.parameters[pid]
            paying = [q for q in kb.parameters.values() if q.jurisdiction == j and b in q.benefits and interp in q.interpretations]
            rest = [x for x in pool.benefits if x != b]
            on = dict(jur=lambda lang: self.jur(j, lang), benefit=lambda lang: self.benefit(b, lang), pool=lambda lang: self.benefits(rest, lang))
            self.add(f"limits/{j}/{b}", "limits", "low", [j], self.cites([pool.rule], ["限额", "共用"]),
                     *self.say("limits_member_read", **on), None, self.say("limits_member_read_todo", **on), None, ["limits"], [interp], {"benefit": b, "parameters": [pid] + [q.id for q in paying]})
        for i, base, j in st.get("exception_held", []) + st.get("exception_qualifies", []):
            p, q = kb.parameters[i], kb.parameters[base]
            cats = [c for c in p.categories if c not in EVERYONE]
            wit = None
            if cats and p.benefits[0] in self.searcher.kinds(j):
                c0, sub = (cats[0].split("/", 1) + [None])[:2]
                wit = self.replay([self.claim_case(j, self.year_of(j, i), c0, sub, p.benefits[0], 3000)])
            self.add(f"exception/{j}/{p.benefits[0]}", "exception", "info", [j], self.cites([q.rule, p.rule], self.keys_of([i, base])),
                     *self.say("exception", jur=lambda lang: self.jur(j, lang), cats=lambda lang: self.labels(p.categories, lang),
                               sets=lambda lang: self.sets(p.kind, lang), value=lambda lang: self.value(i, lang),
                               base_sets=lambda lang: self.sets(q.kind, lang), base_value=lambda lang: self.value(base, lang),
                               base_cats=lambda lang: self.labels(q.categories, lang)),
                     None, self.say("exception_todo"), wit, ["exception"], [], {"parameters": [i, base]})

    def _pool_readings(self, j, p):
        """A person whose bills make the two readings of a cap pool that holds only by an
        interpretation pay differently: the pool's claim kind beside a bill of the other pool
        that has used that pool's whole cap. The engine computes both: the KB's reading, and the
        other (the claim counted in the other pool, under that pool's cap) as case parameters,
        so `medaid evaluate` replays each. None when no such person is found."""
        kb, s, b = self.kb, self.searcher, p.benefits[0]
        others = [q for q in kb.parameters.values() if q.jurisdiction == j and q.kind == "cap_pool" and q.status == "stated"
                  and q.values != p.values and q.id != p.id]
        own_caps = [q for q in kb.parameters.values() if q.jurisdiction == j and q.kind == "cap" and b in q.benefits and q.status == "stated"]
        if b not in claim_kinds(kb) or not others or not own_caps:
            return None, None
        other = others[0]
        kinds = [k for k in other.benefits if k in claim_kinds(kb) and k in s.kinds(j)]
        caps = [q for q in kb.parameters.values() if q.jurisdiction == j and q.kind == "cap" and q.status == "stated"
                and set(q.benefits) & set(other.benefits) and q.values and q.values[0] not in (None, "none")]
        if not kinds or not caps:
            return None, None
        year = self.year_of(j, p.id)
        small = min(5000, int(own_caps[0].values[0]) // 2)
        for cap in caps:
            cats = [(c.split("/", 1) + [None])[:2] for c in cap.categories if c not in EVERYONE] or s.units(j)[:3]
            alt = {p.key: other.values[0], **{q.key: int(cap.values[0]) for q in own_caps}}
            for cat, sub in cats:
                big = dict(s.bill(j, year, kinds[0], int(cap.values[0]) * 3 // 2).claim, claim_id="c1")
                if kinds[0] == "inpatient":
                    big.update(admitted=f"{year}-03-03", discharged=f"{year}-03-10")
                extra = dict(s.bill(j, year, b, small).claim, claim_id="c2")
                cid = f"witness-{j}-{year}-{cat}-{b}-{'{}'}"
                read = s.make_case(j, year, [(cat, sub)], [big, extra], cid.format("kb-reading"))
                other_read = s.make_case(j, year, [(cat, sub)], [big, extra], cid.format("other-reading"))
                other_read["parameters"].update(alt)
                wit, differ = self.first_differing([(read, other_read)], False)
                if not wit or not differ:
                    continue
                a, o = (w["expect"]["claims"]["c2"]["aid"] for w in wit)
                wit[0]["reading"] = dict(zip(LANGS, self.say("reading_engine")))
                wit[1]["reading"] = dict(zip(LANGS, self.say("reading_other", benefits=lambda lang: self.benefits(other.benefits, lang))))
                t = self.table(wit)
                gap, whole = money((fen(o) - fen(a)) / 100), t[1].get("difference")
                why = self.say("pool_why", who=lambda lang: t[0]["who"][lang], bills=lambda lang: t[0]["bills"][lang],
                               benefit=lambda lang: self.benefit(b, lang), aid=a, year_aid=t[0]["aid"], cap=money(cap.values[0]),
                               other=lambda lang: self.benefits(kinds[:1], lang), other_aid=o, gap=gap, other_year_aid=t[1]["aid"], whole=whole,
                               rest=lambda lang: "" if gap == whole else self.say1("pool_why_rest", lang))
                return wit, why
        return None, None

    def _peers(self, st):
        kb = self.kb
        claims = set(claim_kinds(kb))
        # one finding per slot: claim benefits set by the same kind are one question (the ratio
        # each city pays), the categories and benefits listed inside it
        slots = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
        for j, b, kind, c, v, pid in st.get("peer_value", []):
            group = (kind,) if b in claims and kind != "cap" else (b, kind)
            slots[group][b][c][j] = (v, pid)
        topic = {("identity", "exit_rule"): "identity", ("identity", "stay_rule"): "identity"}
        for group, by_b in sorted(slots.items()):
            kind = group[-1]
            if kind == "cap" and any(v == "silent" for cats in by_b.values() for cat in cats.values() for v, _ in cat.values()):
                continue    # a silent cap is reported with the limits whose relation is unstated
            bs = sorted(by_b)
            pids = sorted({pid for cats in by_b.values() for cat in cats.values() for _, pid in cat.values()})
            js = sorted({j for cats in by_b.values() for cat in cats.values() for j in cat})
            lines = {lang: [] for lang in LANGS}
            for b in bs:
                for c in sorted(by_b[b]):
                    row = sorted(by_b[b][c].items())
                    line = {}
                    for lang in LANGS:
                        values = self.say1("join_comma", lang).join(
                            self.say1("peer_value", lang, jur=self.jur(j, lang), value=word(VALUES, v, lang) if kind == "no_deposit" else self.value(pid, lang))
                            for j, (v, pid) in row)
                        named = dict(benefit=self.benefit(b, lang), cat=self.label(c, lang), values=values)
                        if len(bs) > 1:
                            line[lang] = self.say1("peer_line_benefit" if c in EVERYONE else "peer_line_benefit_cat", lang, **named)
                        else:
                            line[lang] = values if c in EVERYONE else self.say1("peer_line_cat", lang, **named)
                    if line["zh"] not in lines["zh"]:
                        for lang in LANGS:
                            lines[lang].append(line[lang])
            wit, why = self._peer_witness(js, bs[0], kind, by_b[bs[0]])
            b0 = bs[0]
            name = topic.get((b0, kind)) or (kind if len(group) == 1 else (b0 if b0 == kind else f"{b0}-{kind}"))
            what = (lambda lang: self.sets(kind, lang)) if len(bs) > 1 or kind == b0 else \
                (lambda lang: self.say1("peer_what", lang, benefit=self.benefit(b0, lang), sets=self.sets(kind, lang)))
            self.add(f"peer/{name}", "peer", "low", js, self.cites([kb.parameters[p].rule for p in pids], self.keys_of(pids, extra=["押金", "转诊", "退出", "封顶", "限额"])),
                     *self.say("peer", what=what, lines=lambda lang: self.say1("join_parts", lang).join(lines[lang])),
                     why, self.say("peer_todo"),
                     wit, ["peer"], [p for pid in pids for p in kb.parameters[pid].interpretations], {"slot": [b0, kind], "benefits": bs, "parameters": pids})
        self._peer_gaps_join_slots()

    PEER_SELF_PAY = {"cap": (150000,), "deductible": (20000, 60000), "ratio": (3000,)}

    def _peer_witness(self, js, b, kind, by_cat):
        """The same person and bill in each city that sets the slot (the first bill whose aid
        differs), evaluated; for the premium, the premium case."""
        cats = sorted(by_cat, key=lambda c: (-len(by_cat[c]), c))
        c = next((c for c in cats if c not in EVERYONE), None)
        if c is None or not (b in claim_kinds(self.kb) or b in ("premium", "tilted_aid")):
            return None, None
        kind_of_bill = "inpatient" if b == "tilted_aid" else b
        year = max(self.year_of(j) for j in by_cat[c])
        cities = sorted(by_cat[c])
        premium = b == "premium"
        for sp in ((0,) if premium else self.PEER_SELF_PAY.get(kind, (20000, 60000, 150000))):
            cases = [self.claim_case(j, year, c, None, kind_of_bill, sp, None, f"witness-{j}-{year}-{c}-{kind_of_bill}" + ("" if premium else f"-{sp}")) for j in cities]
            if any(x is None for x in cases):
                return None, None
            wit = self.replay(cases)
            figs = [figure_of(w["expect"], premium) for w in wit]
            if len(set(figs)) > 1:
                t = self.table(wit)
                paid = lambda lang: self.say1("join_comma", lang).join(self.say1("peer_paid", lang, where=r["where"][lang], aid=r["aid"]) for r in t)
                return wit, self.say("peer_why", who=lambda lang: t[0]["who"][lang], bills=lambda lang: t[0]["bills"][lang], paid=paid)
        return None, None

    def _peer_gaps_join_slots(self):
        """A city silent on a benefit a peer pays (coverage) and the peers' settings of that
        benefit's paying slot are one question: the gap joins the slot's finding."""
        slots = [f for f in self.by_id.values() if f["kind"] == "peer" and f["detail"].get("slot", [None, None])[1] in ("ratio", "premium")]
        for g in [g for g in list(self.by_id.values()) if g["kind"] == "peer" and g["detail"].get("relation") == "peer" and not g["detail"].get("design")]:
            into = next((f for f in slots if set(g["detail"]["benefits"]) <= set(f["detail"]["benefits"])), None)
            if into is None:
                continue
            del self.by_id[g["id"]]
            into["statement"]["zh"] += g["statement"]["zh"]
            into["statement"]["en"] += " " + g["statement"]["en"]
            into["checks"] = list(dict.fromkeys(into["checks"] + g["checks"]))
            into["jurisdictions"] = sorted(set(into["jurisdictions"]) | set(g["jurisdictions"]))
            have = {c["rule"] for c in into["clauses"]}
            into["clauses"] += [c for c in g["clauses"] if c["rule"] not in have]
            if not into.get("why") and g.get("why"):
                into["why"] = g["why"]
            if not into.get("witness") and g.get("witness"):
                into["witness"], into["table"] = g["witness"], g["table"]

    def _conflicts(self, st):
        kb = self.kb
        for i1, i2, j, b, kind, key in st.get("conflict", []):
            p1, p2 = kb.parameters[i1], kb.parameters[i2]
            cat = key if isinstance(key, str) else key[1]
            wit = None
            if cat not in EVERYONE:
                case = self.claim_case(j, max(p1.valid_from, p2.valid_from) // 10000, cat, None if isinstance(key, str) else key[2], b)
                wit = self.replay([case]) if case else None
            self.add(f"conflict/{j}/{b}", "conflict", "high", [j], self.cites([p1.rule, p2.rule], self.keys_of([i1, i2])),
                     *self.say("conflict", jur=lambda lang: self.jur(j, lang), cat=lambda lang: self.label(cat, lang), benefit=lambda lang: self.benefit(b, lang),
                               sets=lambda lang: self.sets(kind, lang), value=lambda lang: self.value(i1, lang), other_value=lambda lang: self.value(i2, lang)),
                     self.say("conflict_why"), self.say("conflict_todo"),
                     wit, ["conflict"], [], {"parameters": [i1, i2], "benefit": b})
        cats_of = defaultdict(set)
        for i1, i2, c in st.get("flag_conflict_cat", []):
            cats_of[frozenset((i1, i2))].add(c)
        for i1, i2, j, b, k1, k2 in st.get("flag_conflict", []):
            p1, p2 = kb.parameters[i1], kb.parameters[i2]
            cats = sorted(cats_of.get(frozenset((i1, i2)), []))
            wit = self.replay([self.claim_case(j, self.year_of(j), cats[0], None, "inpatient")]) if cats else None
            self.add(f"contradiction/{j}/{b}", "contradiction", "medium", [j], self.cites([p1.rule, p2.rule], self.keys_of([i1, i2], cats)),
                     *self.say("flag_conflict", jur=lambda lang: self.jur(j, lang), cats=lambda lang: self.labels(cats, lang),
                               sets=lambda lang: self.sets(k1, lang), other_sets=lambda lang: self.sets(k2, lang)),
                     None, self.say("flag_conflict_todo"),
                     wit, ["conflict"], [], {"parameters": [i1, i2], "categories": cats})
        for i, base, j in st.get("dead_exception", []):
            p, q = kb.parameters[i], kb.parameters[base]
            wit = None
            cat = next((c for c in p.categories if c not in EVERYONE), None)
            b = next((x for x in p.benefits if x in self.searcher.kinds(j) or x == "premium"), None)
            if cat and b:
                c0, sub = (cat.split("/", 1) + [None])[:2]
                year = max(q.valid_from, kb.policy_document(j).effective_from or 0) // 10000
                case = self.claim_case(j, year, c0, sub, b)
                wit = self.replay([case]) if case else None
            self.add(f"conflict/{j}/{p.benefits[0]}/dead-exception", "conflict", "medium", [j], self.cites([p.rule, q.rule], self.keys_of([i, base])),
                     *self.say("dead_exception", jur=lambda lang: self.jur(j, lang), cats=lambda lang: self.labels(p.categories, lang),
                               sets=lambda lang: self.sets(p.kind, lang), value=lambda lang: self.value(i, lang), base_value=lambda lang: self.value(base, lang)),
                     None, self.say("dead_exception_todo"),
                     wit, ["conflict"], [], {"parameters": [i, base]})

    def _statuses(self):
        """Delegated, vague and silent parameters, one finding per clause and question (benefit);
        a silence of the province that a city fills is one finding with the city's rule in it;
        take-the-highest silences belong to the multiple-identity finding."""
        kb = self.kb
        groups = defaultdict(list)
        # a peer comparison lists a city's silence or delegation as one setting among others: the
        # city's own gap is still a finding of its own (another question, and its own severity)
        reported = {pid for f in self.by_id.values() if f["kind"] != "peer" for pid in f["detail"].get("parameters", [])}
        for pid, p in sorted(kb.parameters.items()):
            if p.status == "stated" or pid in reported:
                continue
            if p.kind == "take_highest":
                if p.status == "silent" and not any(self._identities_differ(p.jurisdiction, b) for b in p.benefits):
                    continue    # every category is paid alike: the silence changes nothing
                fid = f"precedence/{p.jurisdiction}/rule"
                if fid in self.by_id:
                    f = self.by_id[fid]
                    f["clauses"] += [c for c in self.cites([p.rule], ["就高不就低"]) if c["rule"] not in {x["rule"] for x in f["clauses"]}]
                    self._settle_sentences(f)
                    continue
            groups[(p.status, p.jurisdiction, p.benefits[0] if p.benefits[0] != "outpatient_general" else "outpatient_chronic")].append(p)
        for (status, j, b), ps in sorted(groups.items()):
            cats = sorted({c for p in ps for c in p.categories})
            who = next((p.delegated_to for p in ps if p.delegated_to), None)
            fills = [(cj, cid) for p in ps for cj, cid in self.fills.get(p.id, [])]
            named = set(cats) - {"everyone"}
            valued = [p for p in ps if p.values]
            values = lambda lang: listed(dict.fromkeys(self.value(p.id, lang, marked=False) for p in valued), lang)
            # a city's rule filling the silence, in the same sentence shape
            filled = lambda lang: self.say1("status_fills", lang, rules=self.say1("join_parts", lang).join(
                self.say1("status_fill", lang, jur=self.jur(cj, lang), sets=self.sets(kb.parameters[cid].kind, lang), value=self.value(cid, lang))
                for cj, cid in fills)) if fills else ""
            on = dict(jur=lambda lang: self.jur(j, lang), whom=lambda lang: self.say1("status_whom", lang, cats=self.labels(cats, lang)) if named else "",
                      benefits=lambda lang: self.benefits(dict.fromkeys(x for p in ps for x in p.benefits), lang),
                      kinds=lambda lang: listed(dict.fromkeys(self.sets(p.kind, lang) for p in ps), lang), fills=filled)
            if status == "delegated":
                zh, en = self.say("status_delegated", **on, to=lambda lang: self.delegate(who, lang))
                todo = self.say("status_todo_delegated_to" if who and "确定" not in who else "status_todo_delegated", who=who)
            elif status == "vague":
                zh, en = self.say("status_vague_values" if valued else "status_vague", **on, values=values)
                todo = self.say("provision_todo_vague")
            else:
                zh, en = self.say("status_silent", **on)
                todo = self.say("status_todo_silent", jur=lambda lang: self.jur(j, lang))
            rules = [p.rule for p in ps]
            if fills:
                rules += [self.param_rule(cid) for _, cid in fills]
            paying = any(p.kind in PAYING and b in set(claim_kinds(kb)) | {"premium", "tilted_aid"} for p in ps)
            lowest = not any(pp == j for pp in kb.parents.values())
            sev = "medium" if status == "delegated" and paying and lowest else "low"
            interps = [i for p in ps for i in p.interpretations]
            why = self.say("status_why") if sev == "medium" else None
            self.add(f"{status}/{j}/{b}", status, sev, [j] + [cj for cj, _ in fills], self.cites(rules, self.keys_of([p.id for p in ps])), zh, en, why, todo,
                     None, [status] + (["city_vs_province"] if fills else []), interps, {"parameters": [p.id for p in ps], "categories": cats})

    # ---- the KB's provisions -------------------------------------------------------------
    def from_provisions(self) -> None:
        """Every delegation, silence, vagueness and contradiction the KB's provisions record, and
        every provision that bears on a parameter or interpretation: merged into the finding on
        the same parameter, clause and question where one exists, else a finding of its own."""
        kb = self.kb
        kind_of = {"delegation": "delegated", "silence": "silent", "vague": "vague", "conflict": "contradiction", "time": "time"}
        for pr in kb.provisions:
            params = [b for b in pr.bears_on if b in kb.parameters]
            interps = [b.split("/", 1)[1] for b in pr.bears_on if b.startswith("interpretation/")]
            kind = kind_of.get(pr.kind) or (pr.status and {"delegated": "delegated", "silent": "silent", "vague": "vague"}[pr.status])
            if not kind and not pr.bears_on:
                continue        # procedure, deadline, fund, sanction: bears on no computed benefit
            on = [f for f in self.by_id.values() if set(params) & set(f["detail"].get("parameters", []))]
            # the finding of the provision's own jurisdiction and kind first (its silence, not a peer comparison)
            host = next((f for f in on if f["kind"] == kind and f["jurisdictions"] == [pr.jurisdiction]), None) or \
                next((f for f in on if f["jurisdictions"] == [pr.jurisdiction]), None) or next(iter(on), None)
            if host is None and interps:
                host = next((f for f in self.by_id.values() if f["kind"] == kind and set(interps) & {i["id"] for i in f["interpretations"]}), None)
            if host is not None:
                host["checks"] = list(dict.fromkeys(host["checks"] + ["provision"]))
                have = {c["rule"].split("#")[0] for c in host["clauses"]}
                host["clauses"] += [self.cite(c, [pr.figure or ""]) for c in pr.clauses if c not in have]
                self._settle_sentences(host)
                host["detail"].setdefault("provisions", []).append(pr.id)
                if pr.statement_zh not in host["statement"]["zh"]:
                    for lang, text in zip(LANGS, self.say("provision_noted", statement=pr.statement_zh, label=pr.label_en)):
                        host["statement"][lang] += text
                continue
            kind = kind or "delegated"
            j = pr.jurisdiction
            sev = {"contradiction": "medium", "delegated": "low", "silent": "low", "vague": "low", "time": "low"}[kind]
            topic = pr.id.split("/", 1)[1].replace("_", "-")
            todo = self.say("provision_todo_" + kind)
            f = self.add(f"{kind}/{j}/{topic}", kind, sev, [j], [self.cite(c, [pr.figure or ""]) for c in pr.clauses],
                         *self.say("provision", jur=lambda lang: self.jur(j, lang), statement=pr.statement_zh, label=pr.label_en,
                                   to=lambda lang: self.delegate(pr.delegated_to, lang) if kind == "delegated" else ""),
                         None, todo, None, ["provision"], interps,
                         {"provisions": [pr.id], "parameters": params})
            if kind == "contradiction":
                self._absorb_gaps(f, pr)
        for g in [g for g in list(self.by_id.values()) if g["kind"] == "peer" and g["detail"].get("design")]:
            del self.by_id[g["id"]]     # aid to a group the scheme does not aid, no contradiction stating it: a design
        for j, p, pid, c in self.channel_broader:
            clause = kb.parameters[pid].clause
            host = next((f for f in self.by_id.values() if f["kind"] == "contradiction" and j in f["jurisdictions"]
                         and clause in {x["rule"].split("#")[0] for x in f["clauses"]}), None)
            if host is not None:
                host["checks"] = list(dict.fromkeys(host["checks"] + ["city_vs_province"]))
                host["jurisdictions"] = sorted(set(host["jurisdictions"]) | {p})
                host["detail"].setdefault("parameters", []).append(pid)

    def _absorb_gaps(self, f: dict, pr) -> None:
        """A coverage gap that a contradiction of the same document states (the group, and each
        benefit the gap names, written in the provision) is that contradiction: one finding, its
        witness and both checks kept."""
        for g in [g for g in self.by_id.values() if g["kind"] in ("coverage_gap", "peer") and "states_no_aid" in g["detail"]
                  and g["id"].split("/")[1] == pr.jurisdiction]:
            cat, benefits = g["detail"]["category"], g["detail"]["benefits"]
            if self.label(cat, "zh") in pr.statement_zh and all(self.benefit(b, "zh") in pr.statement_zh for b in benefits):
                del self.by_id[g["id"]]
                f["checks"] = list(dict.fromkeys(f["checks"] + g["checks"]))
                f["jurisdictions"] = sorted(set(f["jurisdictions"]) | set(g["jurisdictions"]))
                f["clauses"] += [c for c in g["clauses"] if c["rule"] not in {x["rule"] for x in f["clauses"]}]
                f["witness"], f["table"], f["why"] = g["witness"], g["table"], g["why"]
                f["detail"].update({k: v for k, v in g["detail"].items() if k not in f["detail"] and k != "design"})

    # ---- search findings -----------------------------------------------------------------
    def from_search(self, sr: SearchResult) -> None:
        kb = self.kb
        self.checked = sr.checked
        flips = defaultdict(list)
        for j, year, u1, u2, scope, d_up, d_down in sr.flips:
            flips[j].append((u1, u2, scope, d_up, d_down))
        for j, items in sorted(flips.items()):
            pairs = lambda lang, items=items: self.say1("join_parts", lang).join(dict.fromkeys(
                self.say1("flip_pair", lang, cat=self.label(u1[0], lang), other_cat=self.label(u2[0], lang), benefit=self.benefit(scope, lang))
                for u1, u2, scope, _, _ in items))
            u1, u2, scope, d_up, d_down = items[0]
            wit = self.witness([(d_up.case, d_up.result), (d_down.case, d_down.result)])
            t = self.table(wit)
            # the same question as a missing multiple-identity rule: one finding, both checks named
            fid = f"precedence/{j}/rule" if f"precedence/{j}/rule" in self.by_id else f"precedence/{j}/order"
            self.add(fid, "precedence", "low", [j],
                     self.cites(result_rules(d_up.result, False) + result_rules(d_down.result, False), ["就高不就低"]),
                     *self.say("flip", jur=lambda lang: self.jur(j, lang), pairs=pairs),
                     self.say("flip_why", who=lambda lang: t[0]["who"][lang], bills=lambda lang: t[0]["bills"][lang], aid=t[0]["aid"],
                              applied=lambda lang: self.label(d_up.result["applied_category"], lang), other_bills=lambda lang: t[1]["bills"][lang],
                              other_applied=lambda lang: self.label(d_down.result["applied_category"], lang), other_aid=t[1]["aid"]),
                     self.say("flip_todo"),
                     wit, ["flip_search"], ["precedence"], {"pairs": [[u1[0], u2[0], scope] for u1, u2, scope, _, _ in items]})
        self._safety(sr)

    def _safety(self, sr):
        by_j = defaultdict(list)
        for ev, over in sr.over_guarantee:
            by_j[("over_guarantee", ev.jurisdiction)].append((ev, over))
        for lo, hi in sr.monotonic:
            by_j[("monotonic", lo.jurisdiction)].append((lo, hi))
        for single, dual in sr.extra_identity:
            by_j[("extra_identity", dual.jurisdiction)].append((single, dual))
        for (prop, j), items in sorted(by_j.items()):
            if prop == "over_guarantee":
                ev, over = items[0]
                wit = self.witness([(ev.case, ev.result)])
                rules = result_rules(ev.result, False)
            elif prop == "monotonic":
                lo, hi = items[0]
                wit = self.witness([(lo.case, lo.result), (hi.case, hi.result)])
                rules = result_rules(lo.result, False) + result_rules(hi.result, False)
            else:
                single, dual = items[0]
                wit = self.witness([(single.case, single.result), (dual.case, dual.result)])
                rules = result_rules(single.result, bool(not single.case["claims"])) + result_rules(dual.result, bool(not dual.case["claims"]))
            t = self.table(wit)
            on = dict(jur=lambda lang: self.jur(j, lang), who=lambda lang, t=t: t[0]["who"][lang], bills=lambda lang, t=t: t[0]["bills"][lang], aid=t[0]["aid"])
            if prop == "over_guarantee":
                zh, en = self.say("safety_over", **on, over=money(over / 100))
                why = self.say("safety_over_why", over=money(over / 100))
            else:
                on.update(other_bills=lambda lang, t=t: t[1]["bills"][lang], other_aid=t[1]["aid"], less=money(-fen(t[1]["difference"]) / 100))
            if prop == "monotonic":
                zh, en = self.say("safety_monotonic", **on)
                why = self.say("safety_monotonic_why", **on)
            elif prop == "extra_identity":
                pairs = list(dict.fromkeys((s.units[0][0], next(u[0] for u in d.units if u != s.units[0])) for s, d in items))
                zh, en = self.say("safety_extra", **on, extra=lambda lang: self.label(pairs[0][1], lang),
                                  applied=lambda lang: self.label(dual.result.get("applied_category") or pairs[0][1], lang),
                                  pairs=lambda lang: self.say1("join_pairs", lang).join(
                                      self.say1("join_plus", lang).join((self.label(a, lang), self.label(b, lang))) for a, b in pairs))
                why = self.say("safety_extra_why", **on)
            self.add(f"safety/{j}/{prop.replace('_', '-')}", "safety", "high", [j], self.cites(rules, ["就高不就低", "倾斜救助"]), zh, en, why,
                     self.say("safety_extra_todo" if prop == "extra_identity" else "safety_todo"),
                     wit, ["safety_search"], ["precedence"] if prop == "extra_identity" else [], {"property": prop, "count": len(items)})
        def kb_contribution(ev):
            v = self.searcher.kb_statistic(ev.jurisdiction, ev.year, "contribution")
            return fen(v) if v is not None else None
        ranked = sorted(sr.premium_over, key=lambda t: kb_contribution(t[0]) != t[2])
        by_j = defaultdict(list)
        for ev, amount, contribution in ranked:
            by_j[ev.jurisdiction].append((ev, amount, contribution))
        for j, items in sorted(by_j.items()):
            ev, amount, contribution = items[0]
            cats = list(dict.fromkeys(e.units[0][0] for e, _, _ in items))
            rules = [r for e, _, _ in items for r in result_rules(e.result)]
            own = kb_contribution(ev)
            actual = own == contribution
            a, c = money(amount / 100), money(contribution / 100)
            on = dict(jur=lambda lang: self.jur(j, lang), cats=lambda lang: self.labels(cats, lang), year=ev.year, amount=a, contribution=c)
            if actual:
                zh, en = self.say("premium_over", **on)
            else:
                held = (lambda lang: self.say1("premium_kb_contribution", lang, year=ev.year, own=money(own / 100))) if own is not None else \
                    (lambda lang: self.say1("premium_kb_no_contribution", lang, year=ev.year))
                zh, en = self.say("premium_latent", **on, held=held)
            wit = self.witness([(ev.case, ev.result)])
            self.add(f"safety/{j}/premium-over", "safety", "high" if actual else "info", [j], self.cites(rules, [f"{Decimal(a).normalize():f}元"]), zh, en,
                     self.say("premium_over_why", over=money((amount - contribution) / 100)) if actual else None,
                     self.say("premium_over_todo"),
                     wit, ["safety_search"], [], {"amount": a, "contribution": c, "kb_contribution": money(own / 100) if own is not None else None,
                                                  "latent": not actual, "categories": cats})
        static_conflicts = [set(f["detail"].get("parameters", [])) for f in self.by_id.values() if f["kind"] == "conflict"]
        kb_params = sorted(self.kb.parameters, key=len, reverse=True)
        for ev in sr.errors:
            named = sorted(pid for pid in kb_params if pid in ev.error.message)
            if named and any(set(c) <= set(named) for c in static_conflicts if c):
                continue
            rules = [self.kb.parameters[pid].rule for pid in named]
            self.add(f"conflict/{ev.jurisdiction}/refused", "conflict", "high", [ev.jurisdiction], self.cites(rules),
                     *self.say("refused", jur=lambda lang: self.jur(ev.jurisdiction, lang), cat=lambda lang: self.label(ev.units[0][0], lang)),
                     self.say("refused_why"), self.say("refused_todo"),
                     self.witness([(ev.case, ev.error)]), ["safety_search"], [], {"field": ev.error.field, "parameters": named})

    # ---- checked and held ------------------------------------------------------------------
    def held(self) -> list[dict]:
        """Each safety property per jurisdiction and year: how many cases (or pairs) were compared
        and whether it holds."""
        rows = defaultdict(lambda: [0, 0])
        for j, year, prop, n, v in getattr(self, "checked", []):
            rows[(j, year, prop)][0] += n
            rows[(j, year, prop)][1] += v
        return [{"jurisdiction": j, "year": y, "property": p, "cases": n, "violations": v, "holds": v == 0}
                for (j, y, p), (n, v) in sorted(rows.items())]
