"""Findings from the static checks and the solver searches: id, kind, severity, jurisdictions,
clauses quoted from the KB, a one-sentence statement (zh, en) and, where one exists, a witness:
cases in CASE_FORMAT that `medaid evaluate` reproduces, with the figures it gives."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ..errors import CaseError
from ..kb import FOREVER, KB
from .search import BILL_SELF_PAY, Searcher, SearchResult, fen, money

SEVERITIES = ("info", "low", "medium", "high")


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


def result_rules(res) -> list[str]:
    if not isinstance(res, dict):
        return []
    rules = [c.get("rule") for c in res["claims"]] + [a.get("rule") for a in res.get("annual", [])]
    rules.append((res.get("premium_subsidy") or {}).get("rule"))
    return [r for r in rules if r]


class Builder:
    def __init__(self, kb: KB, engine, searcher: Searcher):
        self.kb, self.engine, self.searcher = kb, engine, searcher
        self.findings: list[dict] = []

    # ---- helpers -----------------------------------------------------------------------
    def clause(self, rule: str) -> dict:
        src = self.kb.clause_source(rule)
        return {"rule": rule, "document": src["document"], "text": src["text"]}

    def param_rule(self, pid: str) -> str | None:
        p = self.kb.parameters.get(pid)
        return p.rule if p else None

    def clauses(self, rules) -> list[dict]:
        seen, out = set(), []
        for r in rules:
            if r and r != "none" and r not in seen:
                seen.add(r)
                out.append(self.clause(r))
        return out

    def label(self, cat: str, lang: str) -> str:
        c = self.kb.categories.get(cat)
        if c is None:
            return {"everyone": "所有参保人" if lang == "zh" else "everyone"}.get(cat, cat)
        return c.label_zh if lang == "zh" else c.label_en

    def jur(self, j: str, lang: str) -> str:
        """The jurisdiction's rdfs:label in the KB (太原市 / Taiyuan), its id where it has none."""
        from rdflib import Literal as L
        from rdflib.namespace import RDF, RDFS
        from ..kb import MA, lang as lg
        g = self.kb.graph
        for n in g.subjects(MA.id, L(j)):
            if (n, RDF.type, MA.Jurisdiction) in g:
                return lg(g, n, RDFS.label, lang) or j
        return j

    def jurs(self, js, lang: str) -> str:
        return ("、" if lang == "zh" else ", ").join(self.jur(j, lang) for j in js)

    def value(self, pid: str, lang: str) -> str:
        """A parameter's value(s) as a reader writes them: 70%, 280 元, 未作规定 — never a repr."""
        if pid == "none":
            return "—"
        p = self.kb.parameters[pid]
        if p.status == "silent":
            return "未作规定" if lang == "zh" else "silent"
        if p.kind.endswith("no_cap"):
            return "不设封顶（无年度救助限额）" if lang == "zh" else "no cap"
        out = []
        for v in p.values:
            if isinstance(v, Decimal):
                if p.unit == "ratio":
                    out.append(f"{(v * 100).normalize():f}%")
                elif p.unit == "yuan":
                    out.append(f"{v.normalize():f} 元" if lang == "zh" else f"{v.normalize():f} yuan")
                elif p.unit == "flag":
                    out.append(("是" if v else "否") if lang == "zh" else ("yes" if v else "no"))
                else:
                    out.append(f"{v.normalize():f}")
            else:
                out.append(str(v))
        text = ("、" if lang == "zh" else ", ").join(out) or "—"
        if p.status in ("vague", "delegated"):
            text += {"vague": "（表述模糊）", "delegated": "（授权另行确定）"}[p.status] if lang == "zh" else f" ({p.status})"
        return text

    def benefit(self, b: str, lang: str) -> str:
        from rdflib import URIRef
        from ..kb import BASE, lang as lg
        from rdflib.namespace import RDFS
        return lg(self.kb.graph, URIRef(BASE + "benefit/" + b), RDFS.label, lang) or b

    @staticmethod
    def figure(ev) -> str:
        """What an evaluated case pays: the aid total, or the premium subsidy for a case without claims."""
        if ev.bill is None:
            return (ev.result.get("premium_subsidy") or {}).get("amount") or "0.00"
        return ev.result["total_aid"]

    def witness(self, cases_results) -> list[dict]:
        return [{"case": case, "expect": expect_of(res)} for case, res in cases_results]

    def replay(self, cases: list[dict]) -> list[dict]:
        results = self.engine.evaluate_batch(cases)
        return self.witness(zip(cases, results))

    def add(self, fid, kind, severity, jurisdictions, clauses, zh, en, witness=None, detail=None):
        self.findings.append({"id": fid, "kind": kind, "severity": severity, "jurisdictions": sorted(set(jurisdictions)),
                              "clauses": clauses, "statement": {"zh": zh, "en": en},
                              "witness": witness or None, "detail": detail or {}})

    def claim_case(self, j, year, cat, sub, kind, self_pay=20000):
        s = self.searcher
        if kind == "premium":
            return s.make_case(j, year, [(cat, sub)], [], f"witness-{j}-{year}-{cat}-premium")
        from .static import claim_kinds
        if kind not in s.kinds(j) and kind not in claim_kinds(self.kb):
            return None
        b = s.bill(j, year, kind, self_pay, s.variants(j, kind)[0])
        return s.make_case(j, year, [(cat, sub)], [b.claim], f"witness-{j}-{year}-{cat}-{kind}")

    def cvp_witnesses(self, pending) -> None:
        """A witness pair for each city-vs-province finding on a benefit a case can show (a claim
        kind or the premium): the same person and bill evaluated under the city and under the
        province. Of a few bills, the first on which the two differ is kept (else the middle one)."""
        s = self.searcher
        tries = BILL_SELF_PAY
        jobs = []
        for f, j, p, b, cats in pending:
            b = "inpatient" if b == "catalogue" else b
            cat = next((c for c in cats if c in self.kb.categories and p in self.kb.categories[c].held_in
                        and j in self.kb.categories[c].held_in), None)
            if cat is None or not (b == "premium" or b in s.kinds(j) or b in s.kinds(p)):
                continue
            dj, dp = self.kb.policy_document(j), self.kb.policy_document(p)
            year = max(dj.effective_from or 0, dp.effective_from or 0) // 10000
            if year not in self.searcher.years_of(j):
                year = min(self.searcher.years_of(j) or [year])
            pairs = []
            for sp in (tries if b != "premium" else tries[:1]):
                if b == "premium":
                    cj = s.make_case(j, year, [(cat, None)], [], f"witness-{j}-{year}-{cat}-premium")
                else:
                    variant = "catalogue" if f["detail"]["benefit"] == "catalogue" else "base"
                    bill = s.bill(j, year, b, sp, variant)
                    cj = s.make_case(j, year, [(cat, None)], [bill.claim], f"witness-{j}-{year}-{cat}-{b}-{sp}")
                cp = dict(cj, jurisdiction=p, case_id=cj["case_id"].replace(f"witness-{j}-", f"witness-{p}-", 1),
                          parameters={k: float(v) if v != int(v) else int(v) for k, v in s.statistics(p, year).items()})
                pairs.append((cj, cp))
            jobs.append((f, pairs))
        cases = [c for _, pairs in jobs for pair in pairs for c in pair]
        results = iter(self.engine.evaluate_batch(cases) if cases else [])
        for f, pairs in jobs:
            evaluated = [((cj, next(results)), (cp, next(results))) for cj, cp in pairs]
            ok = [e for e in evaluated if not any(isinstance(r, CaseError) for _, r in e)]
            if not ok:
                continue
            key = ((lambda r: (r.get("premium_subsidy") or {}).get("amount")) if f["detail"]["benefit"] == "premium"
                   else (lambda r: r["total_aid"]))
            differ = [e for e in ok if key(e[0][1]) != key(e[1][1])]
            f["witness"] = self.witness((differ or ok)[0] if differ else ok[len(ok) // 2])

    # ---- static findings ---------------------------------------------------------------
    def from_static(self, st: dict) -> None:
        kb = self.kb
        # coverage gaps, grouped over years
        gaps = defaultdict(lambda: {"years": set(), "refs": set(), "rel": None})
        for j, c, b, y, relation, ref in st.get("gap", []):
            g = gaps[(j, c, b)]
            g["years"].add(y); g["refs"].add(ref)
            g["rel"] = "parent" if relation == "parent" or g["rel"] == "parent" else "peer"
        for (j, c, b), g in sorted(gaps.items()):
            refs = sorted(g["refs"])
            if g["rel"] == "parent":
                refs = [r for r in refs if kb.parameters[r].jurisdiction == kb.parents.get(j)] or refs
            years = sorted(g["years"])
            ref_js = sorted({kb.parameters[r].jurisdiction for r in refs})
            case = self.claim_case(j, years[0], c, None, b)
            wit = self.replay([case]) if case else None
            yr = f"{years[0]}—{years[-1]}" if len(years) > 1 else str(years[0])
            who = "上级省份" if g["rel"] == "parent" else "同级城市"
            self.add(f"gap/{j}/{c}/{b}", "coverage_gap", "medium" if g["rel"] == "parent" else "low", [j] + ref_js,
                     self.clauses([self.param_rule(r) for r in refs]),
                     f"{self.jur(j, 'zh')}对{self.label(c, 'zh')}的{self.benefit(b, 'zh')}未作规定（{yr}），而{who}（{self.jurs(ref_js, 'zh')}）有规定。",
                     f"{self.jur(j, 'en')} states no {self.benefit(b, 'en')} for {self.label(c, 'en')} ({yr}) while its "
                     f"{'parent province' if g['rel'] == 'parent' else 'peer' + ('s' if len(ref_js) > 1 else '') + ' at the same level'} ({self.jurs(ref_js, 'en')}) {'does' if len(ref_js) == 1 else 'do'}.",
                     wit, {"category": c, "benefit": b, "years": years, "relation": g["rel"], "reference": refs})
        # conflicts
        for i1, i2, j, b, kind, key in st.get("conflict", []):
            p1, p2 = kb.parameters[i1], kb.parameters[i2]
            cat = key if isinstance(key, str) else key[1]
            wit = None
            if cat not in ("any_recipient", "everyone"):
                case = self.claim_case(j, max(p1.valid_from, p2.valid_from) // 10000, cat, None if isinstance(key, str) else key[2], b)
                wit = self.replay([case]) if case else None
            self.add(f"conflict/{i1}/{i2}/{kind}", "conflict", "high", [j], self.clauses([p1.rule, p2.rule]),
                     f"{self.jur(j, 'zh')} {p1.rule} 与 {p2.rule} 对同一事项（{self.benefit(b, 'zh')}、{kind}、{self.label(cat, 'zh')}）给出不同的值"
                     f"（{self.value(i1, 'zh')} / {self.value(i2, 'zh')}），且二者之间无例外关系；引擎拒绝计算此类案例。",
                     f"{self.jur(j, 'en')} {p1.rule} and {p2.rule} give one slot ({self.benefit(b, 'en')}, {kind}, {self.label(cat, 'en')}) different values "
                     f"({self.value(i1, 'en')} vs {self.value(i2, 'en')}) with no exception between them; the engine refuses such cases.",
                     wit, {"parameters": [i1, i2], "benefit": b, "kind": kind})
        flag_cats = defaultdict(set)
        for i1, i2, c in st.get("flag_conflict_cat", []):
            flag_cats[(i1, i2)].add(c)
        for i1, i2, j, b, k1, k2 in st.get("flag_conflict", []):
            p1, p2 = kb.parameters[i1], kb.parameters[i2]
            cats = sorted(flag_cats.get((i1, i2)) or flag_cats.get((i2, i1)) or [])
            wit = None
            if cats:
                year = max(kb.policy_document(j).effective_from // 10000, min(self.searcher.years_of(j)))
                wit = self.replay([self.claim_case(j, year, cats[0], None, "inpatient")])
            self.add(f"conflict/{i1}/{i2}", "conflict", "medium", [j], self.clauses([p1.rule, p2.rule]),
                     f"{self.jur(j, 'zh')} {p1.rule}（{k1}）与 {p2.rule}（{k2}）对{'、'.join(self.label(c, 'zh') for c in cats)}同时适用，二者互相排斥。",
                     f"{self.jur(j, 'en')} {p1.rule} ({k1}) and {p2.rule} ({k2}) both apply to {', '.join(self.label(c, 'en') for c in cats)}, "
                     f"and they exclude each other.", wit, {"parameters": [i1, i2], "kinds": [k1, k2], "categories": cats})
        for i, base, j in st.get("dead_exception", []):
            p, q = kb.parameters[i], kb.parameters[base]
            # witness: a case the base rule covers, in its first year, to which the exception
            # would speak if it could apply: the engine applies the base rule
            wit = None
            cat = next((c for c in p.categories if c not in ("everyone", "any_recipient")), None)
            b = next((x for x in p.benefits if x in self.searcher.kinds(j) or x == "premium"), None)
            if cat and b:
                c0, sub = (cat.split("/", 1) + [None])[:2]
                year = max(q.valid_from, kb.policy_document(j).effective_from or 0) // 10000
                case = self.claim_case(j, year, c0, sub, b)
                wit = self.replay([case]) if case else None
            self.add(f"dead_exception/{i}", "conflict", "medium", [j], self.clauses([p.rule, q.rule]),
                     f"{self.jur(j, 'zh')} {p.rule} 是 {q.rule} 的例外，但二者不可能同时适用于同一人、同一待遇、同一日期：该例外永不生效。",
                     f"{self.jur(j, 'en')} {p.rule} is an exception to {q.rule}, but the two can never apply to one person, benefit and day: "
                     f"the exception never applies.", wit, {"parameters": [i, base]})
        # city vs province, grouped per (relation, benefit, kind, rules)
        groups = defaultdict(set)
        for j, p, relation, b, kind, c, pair in st.get("cvp", []):
            groups[(j, p, relation, b, kind, pair[1], pair[2])].add(c)
        side = defaultdict(list)
        for jj, b, kind, pid in st.get("cvp_side", []):
            side[(jj, b, kind)].append(pid)
        zh_rel = {"different": "取值不同", "narrower": "范围更窄", "broader": "范围更宽", "added": "新增规定",
                  "dropped": "未规定省级规定的事项", "fills_silence": "省级文件未作规定，市级文件作了规定"}
        en_rel = {"different": "a different value", "narrower": "narrower", "broader": "broader",
                  "added": "added (the province sets no such rule)", "dropped": "dropped (the city sets no such rule)",
                  "fills_silence": "the city states what the province's text is silent on"}
        sev_of = {"narrower": "low", "dropped": "low", "different": "low"}
        pending = []
        for (j, p, relation, b, kind, ij, ip), cats in sorted(groups.items()):
            # both sides cited: where one side has no parameter for the category, the clauses by
            # which it does set the kind (for other categories)
            city_ids = [ij] if ij != "none" else sorted(side.get((j, b, kind), []))
            prov_ids = [ip] if ip != "none" else sorted(side.get((p, b, kind), []))
            rules = [self.param_rule(x) for x in city_ids + prov_ids]
            cz = "、".join(self.label(c, "zh") for c in sorted(cats))
            ce = ", ".join(self.label(c, "en") for c in sorted(cats))
            vz = lambda ids: "、".join(self.value(x, "zh") for x in ids) if ids else "无规定"
            ve = lambda ids: "; ".join(self.value(x, "en") for x in ids) if ids else "no rule"
            cite_z = lambda ids: "、".join(sorted({self.param_rule(x) for x in ids})) or "—"
            jz, pz, je, pe = self.jur(j, "zh"), self.jur(p, "zh"), self.jur(j, "en"), self.jur(p, "en")
            zh = (f"{jz}与{pz}关于{self.benefit(b, 'zh')}（{kind}，{cz}）：{zh_rel[relation]}"
                  f"（{jz} {cite_z(city_ids)}：{vz([ij] if ij != 'none' else [])}；{pz} {cite_z(prov_ids)}：{vz([ip] if ip != 'none' else [])}）。")
            en = (f"{je} vs {pe} on {self.benefit(b, 'en')} ({kind}; {ce}): {en_rel[relation]} "
                  f"({je} {cite_z(city_ids)}: {ve([ij] if ij != 'none' else [])}; {pe} {cite_z(prov_ids)}: {ve([ip] if ip != 'none' else [])}).")
            if relation == "narrower" and ij != "none":
                subs = sorted(c.split("/", 1)[1] for c in kb.parameters[ij].categories if "/" in c)
                zh = zh[:-1] + f"：{jz}仅规定其中的子类（{'、'.join(subs)}）。"
                en = en[:-1] + f": {je} states it only for the subtypes {', '.join(subs)}."
            fid = f"city_province/{j}/{relation}/{b}/{kind}/{ij}/{ip}"
            self.add(fid, "city_vs_province", sev_of.get(relation, "info"), [j, p], self.clauses(rules), zh, en, None,
                     {"relation": relation, "benefit": b, "kind": kind, "categories": sorted(cats), "city": ij, "province": ip,
                      "city_rules": city_ids, "province_rules": prov_ids})
            pending.append((self.findings[-1], j, p, b, sorted(cats)))
        self.cvp_witnesses(pending)
        # time: lapses while the document is in force
        for pid, j, until, doc_until in st.get("lapse", []):
            pr = kb.parameters[pid]
            y = until // 10000 + 1
            wit = None
            cat = next((c for c in pr.categories if c not in ("everyone", "any_recipient")), None)
            if cat and y in self.searcher.years_of(j):
                c0, sub = (cat.split("/", 1) + [None])[:2]
                b = pr.benefits[0] if pr.benefits[0] != "catalogue" else "inpatient"
                cases = []
                for yy in (y - 1, y):
                    case = self.claim_case(j, yy, c0, sub, b)
                    if case and b == "inpatient":
                        cb = self.searcher.bill(j, yy, "inpatient", 20000, "catalogue")
                        case["claims"] = [cb.claim]
                    if case:
                        cases.append(case)
                wit = self.replay(cases) if cases else None
            self.add(f"lapse/{pid}", "time", "low", [j], self.clauses([pr.rule]),
                     f"{self.jur(j, 'zh')} {pr.rule} 的规定于 {ymd_str(until)} 到期，而文件有效至 {ymd_str(doc_until) if doc_until != FOREVER else '（未规定）'}。",
                     f"{self.jur(j, 'en')} {pr.rule} lapses on {ymd_str(until)} while its document is in force until "
                     f"{ymd_str(doc_until) if doc_until != FOREVER else '(no end stated)'}.", wit,
                     {"parameter": pid, "until": ymd_str(until)})
        tg = defaultdict(lambda: {"years": set(), "causes": set()})
        for j, c, b, y in st.get("time_gap", []):
            tg[(j, c, b)]["years"].add(y)
        for j, c, b, y, pid in st.get("time_gap_cause", []):
            tg[(j, c, b)]["causes"].add(pid)
        for (j, c, b), g in sorted(tg.items()):
            years = sorted(g["years"])
            case = self.claim_case(j, years[0], c, None, b)
            yr = f"{years[0]}—{years[-1]}" if len(years) > 1 else str(years[0])
            self.add(f"time_gap/{j}/{c}/{b}", "time", "medium", [j], self.clauses([self.param_rule(p) for p in sorted(g["causes"])]),
                     f"{self.jur(j, 'zh')}的文件在 {yr} 仍有效，但对{self.label(c, 'zh')}的{self.benefit(b, 'zh')}在此期间没有规定（其他年份有）。",
                     f"{self.jur(j, 'en')}'s document is in force in {yr} but has no {self.benefit(b, 'en')} rule for {self.label(c, 'en')} then (it has one in other years).",
                     self.replay([case]) if case else None, {"category": c, "benefit": b, "years": years})
        for j, start, fallback in st.get("doc_starts_mid_year", []):
            doc = kb.policy_document(j)
            y = start // 10000
            # the clause of the document that states the date (written as the texts write dates)
            written = f"{y}年{start // 100 % 100}月{start % 100}日"
            cited = [c.rule_id for c in sorted(kb.clauses.values(), key=lambda c: c.order)
                     if c.document == doc.iri and written in (c.text or "")]
            fz = f"适用{self.jur(fallback, 'zh')}的规定" if fallback != "none" else "无规定"
            fe = f"fall under {self.jur(fallback, 'en')}'s rules" if fallback != "none" else "have no rule"
            self.add(f"time/{j}/starts_mid_year", "time", "info" if fallback != "none" else "medium", [j] + ([fallback] if fallback != "none" else []),
                     self.clauses(cited[:1]),
                     f"{self.jur(j, 'zh')}的文件自 {ymd_str(start)} 起施行；{y} 年此前的日子{fz}。",
                     f"{self.jur(j, 'en')}'s document takes effect on {ymd_str(start)}; earlier days of {y} {fe}.",
                     None, {"from": ymd_str(start), "fallback": fallback, "document": doc.title_zh})
        for j, b, n, how in st.get("multi_paid", []):
            analogy = how != "none"
            pid = how[1] if analogy else None
            self.add(f"precedence/no_rule/{j}/{b}", "precedence", "low" if analogy else "medium", [j],
                     self.clauses([self.param_rule(pid)] if pid else []),
                     f"{self.jur(j, 'zh')}的{self.benefit(b, 'zh')}分别按{n}类对象规定，但没有条款规定多重身份如何处理"
                     f"{'（就高原则系类推适用）' if analogy else ''}。",
                     f"{self.jur(j, 'en')} pays {self.benefit(b, 'en')} to {n} categories under rules of their own, and no clause says how "
                     f"several identities combine for it{' (take-the-highest is applied by analogy)' if analogy else ''}.",
                     None, {"benefit": b, "categories": n, "analogy": pid})
        # delegated, vague and silent paying provisions
        for pid, p in sorted(kb.parameters.items()):
            if p.status == "stated":
                continue
            sev = {"delegated": "low", "vague": "info", "silent": "low"}[p.status]
            who = f"（由{p.delegated_to}确定）" if p.delegated_to else ""
            self.add(f"{p.status}/{pid}", p.status, sev, [p.jurisdiction], self.clauses([p.rule]),
                     f"{self.jur(p.jurisdiction, 'zh')} {p.rule}：{'、'.join(self.benefit(b, 'zh') for b in p.benefits)}（{p.kind}，{'、'.join(self.label(c.split('/')[0], 'zh') for c in p.categories)}）"
                     f"{ {'delegated': '授权另行确定', 'vague': '表述模糊', 'silent': '未作规定'}[p.status]}{who}。",
                     f"{self.jur(p.jurisdiction, 'en')} {p.rule}: {', '.join(self.benefit(b, 'en') for b in p.benefits)} ({p.kind}; "
                     f"{', '.join(self.label(c.split('/')[0], 'en') for c in p.categories)}) is {p.status}"
                     f"{' (set by ' + p.delegated_to + ')' if p.delegated_to else ''}.", None,
                     {"parameter": pid, "categories": p.categories})

    # ---- search findings ---------------------------------------------------------------
    def from_search(self, sr: SearchResult) -> None:
        seen = set()
        kb_params = sorted(self.kb.parameters, key=len, reverse=True)
        for j, year, u1, u2, scope, d_up, d_down in sr.flips:
            key = ("flip", j, u1, u2, scope)
            if key in seen:
                continue
            seen.add(key)
            c1, c2 = self.label(u1[0], "zh"), self.label(u2[0], "zh")
            what_zh = self.benefit(scope, "zh") if scope != "year" else "全年救助"
            what_en = self.benefit(scope, "en") if scope != "year" else "the year's aid"
            self.add(f"precedence/flip/{j}/{u1[0]}/{u2[0]}/{scope}", "precedence", "medium", [j],
                     self.clauses(result_rules(d_up.result) + result_rules(d_down.result)),
                     f"{self.jur(j, 'zh')}同时具有{c1}和{c2}身份的人，{what_zh}按哪一身份更高取决于账单：一张账单适用{self.label(d_up.result['applied_category'], 'zh')}，另一张适用{self.label(d_down.result['applied_category'], 'zh')}。",
                     f"For a person who is both {self.label(u1[0], 'en')} and {self.label(u2[0], 'en')}, which identity pays more "
                     f"({what_en}) in {self.jur(j, 'en')} depends on the bill: one bill applies {self.label(d_up.result['applied_category'], 'en')}, "
                     f"another {self.label(d_down.result['applied_category'], 'en')}.",
                     self.witness([(d_up.case, d_up.result), (d_down.case, d_down.result)]),
                     {"pair": [u1[0], u2[0]], "scope": scope, "year": year})
        for ev, over in sr.over_guarantee:
            key = ("over", ev.jurisdiction, ev.units, ev.bill.kind)
            if key in seen:
                continue
            seen.add(key)
            self.add(f"safety/over_guarantee/{ev.jurisdiction}/{ev.units[0][0]}/{ev.bill.kind}", "safety", "high", [ev.jurisdiction],
                     self.clauses(result_rules(ev.result)),
                     f"救助加保险超过费用：{self.jur(ev.jurisdiction, 'zh')}{self.label(ev.units[0][0], 'zh')}的一张{self.benefit(ev.bill.kind, 'zh')}账单超出 {money(over / 100)} 元。",
                     f"Aid plus insurance exceeds the cost: in {self.jur(ev.jurisdiction, 'en')}, a bill for {self.benefit(ev.bill.kind, 'en')} of {self.label(ev.units[0][0], 'en')} is over by {money(over / 100)}.",
                     self.witness([(ev.case, ev.result)]), {"excess": money(over / 100)})
        for lo, hi in sr.monotonic:
            key = ("mono", lo.jurisdiction, lo.units, lo.bill.kind)
            if key in seen:
                continue
            seen.add(key)
            self.add(f"safety/monotonic/{lo.jurisdiction}/{lo.units[0][0]}/{lo.bill.kind}/{lo.bill.variant}", "safety", "high", [lo.jurisdiction],
                     self.clauses(result_rules(lo.result) + result_rules(hi.result)),
                     f"自付增加反而救助减少：{self.jur(lo.jurisdiction, 'zh')}{self.label(lo.units[0][0], 'zh')}的{self.benefit(lo.bill.kind, 'zh')}自付 {lo.bill.self_pay} 元得 {lo.result['total_aid']} 元，自付 {hi.bill.self_pay} 元只得 {hi.result['total_aid']} 元。",
                     f"More self-pay yields less aid: in {self.jur(lo.jurisdiction, 'en')}, {self.label(lo.units[0][0], 'en')} ({self.benefit(lo.bill.kind, 'en')}) with self-pay {lo.bill.self_pay} gets {lo.result['total_aid']}, "
                     f"with {hi.bill.self_pay} only {hi.result['total_aid']}.",
                     self.witness([(lo.case, lo.result), (hi.case, hi.result)]), {})
        for single, dual in sr.extra_identity:
            key = ("extra", dual.jurisdiction, dual.units)
            if key in seen:
                continue
            seen.add(key)
            extra = [u[0] for u in dual.units if u != single.units[0]]
            self.add(f"safety/extra_identity/{dual.jurisdiction}/{single.units[0][0]}/{extra[0]}", "safety", "high", [dual.jurisdiction],
                     self.clauses(result_rules(single.result) + result_rules(dual.result)),
                     f"多一个身份反而救助减少：{self.jur(dual.jurisdiction, 'zh')}{self.label(single.units[0][0], 'zh')}另有{self.label(extra[0], 'zh')}身份时"
                     f"所得更少（{self.figure(single)} 元 → {self.figure(dual)} 元）。",
                     f"An extra identity yields less aid: in {self.jur(dual.jurisdiction, 'en')}, {self.label(single.units[0][0], 'en')} who is also "
                     f"{self.label(extra[0], 'en')} gets less ({self.figure(single)} → {self.figure(dual)}).",
                     self.witness([(single.case, single.result), (dual.case, dual.result)]), {})
        # a premium subsidy above the contribution: high when it happens at the contribution the
        # KB itself holds for the year (a real overpayment); otherwise latent (the text sets a
        # fixed amount with no cap at the contribution, which a lower contribution would expose)
        def kb_contribution(ev):
            v = self.searcher.kb_statistic(ev.jurisdiction, ev.year, "contribution")
            return fen(v) if v is not None else None
        ranked = sorted(sr.premium_over, key=lambda t: kb_contribution(t[0]) != t[2])
        for ev, amount, contribution in ranked:
            key = ("prem", ev.jurisdiction, ev.result["premium_subsidy"].get("rule"), ev.result["premium_subsidy"].get("category"))
            if key in seen:
                continue
            seen.add(key)
            own = kb_contribution(ev)
            actual = own == contribution
            jz, je = self.jur(ev.jurisdiction, "zh"), self.jur(ev.jurisdiction, "en")
            cz, ce = self.label(ev.units[0][0], "zh"), self.label(ev.units[0][0], "en")
            a, c = money(amount / 100), money(contribution / 100)
            if actual:
                zh = f"参保资助超过个人缴费：{jz}{ev.year}年个人缴费 {c} 元（知识库数据），{cz}获资助 {a} 元。"
                en = f"The premium subsidy exceeds the contribution: in {je} {ev.year} the contribution is {c} (KB figure), {ce} is subsidised {a}."
            else:
                held = (f"知识库中{ev.year}年的个人缴费为 {money(own / 100)} 元，未超过" if own is not None
                        else f"知识库中无{ev.year}年的个人缴费数据")
                held_en = (f"the KB's contribution for {ev.year} is {money(own / 100)}, where it does not" if own is not None
                           else f"the KB holds no contribution for {ev.year}")
                zh = (f"潜在问题：{jz}条款规定的定额（或最低额）资助不以个人缴费为限；若个人缴费为 {c} 元，{cz}将获资助 {a} 元，超过缴费"
                      f"（{held}）。")
                en = (f"Latent: {je}'s clause fixes the subsidy (an amount or a minimum) without capping it at the contribution; at a contribution of {c}, "
                      f"{ce} would be subsidised {a}, more than the contribution ({held_en}).")
            self.add(f"safety/premium_over_contribution/{ev.jurisdiction}/{ev.units[0][0]}", "safety", "high" if actual else "medium",
                     [ev.jurisdiction], self.clauses(result_rules(ev.result)), zh, en,
                     self.witness([(ev.case, ev.result)]),
                     {"amount": a, "contribution": c, "kb_contribution": money(own / 100) if own is not None else None,
                      "latent": not actual})
        # engine refusals: a refusal that names the parameters of a static conflict is that
        # conflict's witness already; any other is reported with the clauses it names
        static_conflicts = [set(f["detail"].get("parameters", [])) for f in self.findings if f["kind"] == "conflict"]
        for ev in sr.errors:
            named = sorted(pid for pid in kb_params if pid in ev.error.message)
            if named and any(set(c) <= set(named) for c in static_conflicts if c):
                continue
            key = ("err", ev.jurisdiction, ev.error.field, tuple(named) or ev.error.message)
            if key in seen:
                continue
            seen.add(key)
            rules = [self.kb.parameters[pid].rule for pid in named]
            self.add(f"engine_error/{ev.jurisdiction}/{ev.units[0][0]}", "conflict", "high", [ev.jurisdiction], self.clauses(rules),
                     f"引擎拒绝计算{self.jur(ev.jurisdiction, 'zh')}{self.label(ev.units[0][0], 'zh')}的案例（字段 {ev.error.field}）"
                     f"{'：涉及 ' + '、'.join(rules) if rules else ''}。",
                     f"The engine refuses a case of {self.label(ev.units[0][0], 'en')} in {self.jur(ev.jurisdiction, 'en')} "
                     f"(field {ev.error.field}): {ev.error.message}",
                     self.witness([(ev.case, ev.error)]), {"field": ev.error.field, "message": ev.error.message, "parameters": named})
