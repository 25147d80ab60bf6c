"""The derivation graph of one evaluation (networkx.DiGraph): a node per derived fact — the
total, each claim's aid, each step, each annual entry and its steps, the premium subsidy, each
category held, the applied category, each flag — and per leaf it used: KB parameters and case
inputs. An edge points from a fact to a fact it used and carries the rule id and clause locator
that made the fact. All edges come from atoms the solver derived (step/7, uses/4, app_pays/3,
pays_rule/4, alternative/4, premium/5, flag/4, category_out/6, annual/4, tilted_claim/2,
statistic/3), read from a Session (session.py)."""
from __future__ import annotations

import networkx as nx

from ..money import fen_to_str as y
from ..result import iso, quota_claims_of
from ..wording import formula_text
from .i18n import formula_zh


def build_graph(s) -> nx.DiGraph:
    g = nx.DiGraph()
    at, kb, r = s.atoms, s.kb, s.result

    def add_param(pid):
        n = f"param:{pid}"
        if n not in g:
            p = kb.parameters.get(pid)
            if p is None:
                g.add_node(n, kind="parameter", label=str(pid))
            else:
                value = ", ".join(str(v) for v in p.values) or None
                for k, gv in s.data.get("parameters", {}).items():
                    if f"{s.data['jurisdiction']}/{k}" == pid:
                        value = f"{gv} (caller)"
                g.add_node(n, kind="parameter", label=pid, value=value, unit=p.unit, status=p.status,
                           rule=p.rule, clause=s.locator(p.rule))
        return n

    def add_input(path, value=None, source=None):
        n = f"input:{path}"
        if n not in g:
            v = value if value is not None else s.input_value(path)
            g.add_node(n, kind="input", label=path, source=source,
                       value=None if v is None else ("true" if v is True else "false" if v is False else str(v)))
        return n

    def edge(a, b, rule=None, rel="used"):
        g.add_edge(a, b, rel=rel, rule=rule, clause=s.locator(rule))

    stats = {r.statistic: r.fen for r in at["statistic"]}
    stat_src = {r.statistic: r.source for r in at["statistic_source"]}

    # categories held, and where each comes from
    for row in at["category_out"]:
        c, sub, since, until, src = row.category, row.subtype, row.since, row.until, row.source
        n = f"category:{c}"
        g.add_node(n, kind="category", label=c, subtype=None if sub == "none" else sub,
                   since=iso(since), until=iso(until), source=src if isinstance(src, str) else src[0])
        if isinstance(src, tuple) and src[0] == "certified":
            edge(n, add_input(f"applicant.identities[{src[1]}]", _identity_text(s.data, src[1])), rel="certified")
            # the clause that makes the certified category a recipient of medical aid here
            # (the KB's recipient parameter, recipient(J,C) of eligibility.lp)
            jurs = [s.data["jurisdiction"]] + sorted({r.jurisdiction for r in at["year_rules"]} - {s.data["jurisdiction"]})
            rp = next((pp for j in jurs if (pp := kb.recipient_parameter(j, c)) is not None), None)
            if rp is not None:
                g.nodes[n].update(rule=rp.rule, clause=s.locator(rp.rule))
                edge(n, add_param(rp.id), rule=rp.rule, rel="recipient")
        elif isinstance(src, tuple) and src[0] == "treated":
            edge(n, add_input(f"applicant.identities[{src[1]}]", _identity_text(s.data, src[1])), rule=src[2], rel="treated_as")
        elif src == "derived":
            # what the derivation tests read (the KB's tests): parameters, facts, statistics, hukou
            kinds, facts, stat_names, hukou = derivation_reads(s, c)
            dps = sorted(p.id for p in kb.parameters.values() if "eligibility" in p.benefits and p.kind in kinds
                         and p.jurisdiction == s.data["jurisdiction"] and c in p.categories)
            drule = s.rule_of(dps[0]) if dps else None
            g.nodes[n]["rule"] = drule
            g.nodes[n]["clause"] = s.locator(drule)
            for pid in dps:
                edge(n, add_param(pid), rule=s.rule_of(pid), rel="parameter")
            given = s.data.get("applicant", {}).get("facts") or {}
            for k in sorted(facts):
                if k in given:
                    edge(n, add_input(f"applicant.facts.{k}"), rule=drule, rel="derived_from")
            for st in sorted(stat_names):
                edge(n, add_input(f"parameters.{st}", y(stats[st]) if st in stats else None,
                                  _stat_source(stat_src.get(st))), rule=drule, rel="derived_from")
            if hukou and s.data.get("applicant", {}).get("hukou"):
                edge(n, add_input("applicant.hukou"), rule=drule, rel="derived_from")

    # steps of claims and annual items
    uses = {}
    for u in at["uses"]:
        uses.setdefault((u.item, u.what), []).append(u.input)
    for st in sorted(at["step"], key=lambda st: (str(st.item), st.order)):
        k, order, what, amount, pid, formula = st.item, st.order, st.what, st.fen, st.parameter, st.formula
        base = s.item_node(k)
        n = f"{base}.step:{what}"
        rule = s.rule_of(pid)
        g.add_node(n, kind="step", label=what, amount=y(amount), formula=formula_text(formula), formula_zh=formula_zh(formula), rule=rule,
                   clause=s.locator(rule), order=order)
        if rule:
            edge(n, add_param(pid), rule=rule, rel="parameter")
        for inp in uses.get((k, what), []):
            kind, arg = inp[0], inp[1]
            if kind == "field":
                if isinstance(k, int):
                    edge(n, add_input(f"claims[{k}].{arg}"), rule=rule)
                else:
                    for kk in _item_claims(s, k):
                        edge(n, add_input(f"claims[{kk}].{arg}"), rule=rule)
            elif kind == "param":
                edge(n, add_param(arg), rule=s.rule_of(arg), rel="parameter")
            elif kind == "statistic":
                edge(n, add_input(f"parameters.{arg}", y(stats[arg]) if arg in stats else None,
                                  _stat_source(stat_src.get(arg))), rule=rule)
            elif kind == "ytd":
                edge(n, add_input(f"applicant.year_to_date.{arg}"), rule=rule)
            elif kind == "step":
                edge(n, f"{base}.step:{arg}", rule=rule)

    # what a step carries from earlier items (settlement order): the deductible already met and
    # the cap already used by earlier claims of the same pool (the figures of its formula)
    seq = {r.item: r.seq for r in at["item"]}
    pool = {r.item: r.pool for r in at["item_pool"]}
    earlier = lambda k: sorted((kk for kk in seq if seq[kk] < seq.get(k, 0)), key=lambda kk: seq[kk])
    ytd = (s.data.get("applicant", {}).get("year_to_date") or {})
    for st in at["step"]:
        k, what, pid, formula = st.item, st.what, st.parameter, st.formula
        if not isinstance(formula, tuple) or k not in seq:
            continue
        n = f"{s.item_node(k)}.step:{what}"
        if what == "deductible" and formula[0] == "deductible" and formula[2] > 0:
            for kk in earlier(k):
                m = f"{s.item_node(kk)}.step:deductible"
                if m in g:
                    edge(n, m, rule=s.rule_of(pid), rel="deductible_met_by")
        if what == "annual_cap" and formula[0] == "cap" and formula[3] > 0:
            for kk in earlier(k):
                m = s.item_node(kk)
                if pool.get(kk) == pool.get(k):
                    edge(n, m, rule=s.rule_of(pid), rel="cap_used_by")

    # claims: aid, the category it was paid under, its steps, the alternatives
    pays = {r.item: r.category for r in at["app_pays"]}
    pays_rule = {r.item: r.parameter for r in at["pays_rule"]}
    for i, c in enumerate(r["claims"]):
        n = f"claim:{c['claim_id']}"
        g.add_node(n, kind="claim", label=c["claim_id"], amount=c["aid"], category=c.get("category"),
                   rule=c.get("rule"), clause=s.locator(c.get("rule")), reason=c.get("reason"),
                   limited_by=c.get("limited_by") or [])
        rule = c.get("rule")
        if not rule:   # paid nothing: the clause the reason names (e.g. the standard it delegates)
            rr = next((rc["detail"] for rc in c.get("reason_codes", []) if isinstance(rc.get("detail"), str)
                       and rc["detail"].split("#")[0] in kb.clauses), None)
            if rr:
                g.nodes[n].update(reason_rule=rr, clause=s.locator(rr))
        for st in c.get("steps", []):
            edge(n, f"{n}.step:{st['what']}", rule=st.get("rule") or rule)
        if i in pays:
            edge(n, f"category:{pays[i]}", rule=rule, rel="paid_under")
            if i in pays_rule:
                edge(n, add_param(pays_rule[i]), rule=rule, rel="parameter")
        for alt in c.get("alternatives", []):
            an = f"{n}.alternative:{alt['category']}"
            g.add_node(an, kind="alternative", label=alt["category"], amount=alt["aid"], rule=alt.get("rule"),
                       clause=s.locator(alt.get("rule")))
            edge(n, an, rule=alt.get("rule"), rel="alternative")
            edge(an, f"category:{alt['category']}", rule=alt.get("rule"), rel="paid_under")

    # the step that decided each claim's outcome (asp/decisions.lp), with the clause that states it
    for dec in at["decision"]:
        k, kind, cat, pid = dec.item, dec.kind, dec.category, dec.parameter
        if not isinstance(k, int) or k >= len(s.claim_ids):
            continue
        kind_name = kind[0] if isinstance(kind, tuple) else kind
        n = f"claim:{s.claim_ids[k]}.decision:{kind_name}" + (f":{cat}" if cat != "none" else "")
        g.add_node(n, kind="decision", label=kind_name, category=None if cat == "none" else cat,
                   rule=s.rule_of(pid), clause=s.locator(s.rule_of(pid)))
        edge(f"claim:{s.claim_ids[k]}", n, rule=s.rule_of(pid), rel="decided_by")

    # the tilted aid's burden is each qualifying claim's self-pay less its aid: edges to those claims
    for kk in (r.claim for r in at["tilted_claim"]):
        if "annual:tilted_aid.step:annual_burden" in g and isinstance(kk, int) and kk < len(s.claim_ids):
            edge("annual:tilted_aid.step:annual_burden", f"claim:{s.claim_ids[kk]}", rel="aid_deducted")

    # annual entries
    for a in r["annual"]:
        n = f"annual:{a['kind']}"
        g.add_node(n, kind="annual", label=a["kind"], amount=a["aid"], rule=a.get("rule"), clause=s.locator(a.get("rule")))
        for st in a.get("steps", []):
            edge(n, f"{n}.step:{st['what']}", rule=st.get("rule") or a.get("rule"))
        for cid in a.get("claims", []):
            edge(n, f"input:claims[{s.claim_ids.index(cid)}]", rule=a.get("rule"), rel="counts_claim")
            g.nodes[f"input:claims[{s.claim_ids.index(cid)}]"].update(kind="input", label=f"claims[{s.claim_ids.index(cid)}]", value=cid)
        if a.get("category"):
            edge(n, f"category:{a['category']}", rule=a.get("rule"), rel="paid_under")

    # premium
    p = r["premium_subsidy"]
    g.add_node("premium", kind="premium", label="premium", amount=p.get("amount"), status=p.get("status"),
               category=p.get("category"), rule=p.get("rule"), clause=s.locator(p.get("rule")), formula=p.get("formula"),
               formula_zh=next((formula_zh(pr.formula) for pr in at["premium"] if pr.category == p.get("category")), None))
    for pr in at["premium"]:
        c, pid = pr.category, pr.parameter
        edge("premium", add_param(pid), rule=s.rule_of(pid), rel="parameter")
        edge("premium", f"category:{c}", rule=s.rule_of(pid), rel="held_on_jan1")
        if "contribution" in stats:
            edge("premium", add_input("parameters.contribution", y(stats["contribution"]),
                                      _stat_source(stat_src.get("contribution"))), rule=s.rule_of(pid))
    if p.get("status") == "none":
        # no premium rule names a category held on 1 January (the solver's note no_premium_rule/1):
        # those categories, and the jurisdiction's premium clause that names others
        unnamed = sorted({n.detail[1] for n in at["note"] if isinstance(n.detail, tuple) and n.detail[0] == "no_premium_rule"})
        # the clause naming who is subsidised: the solver's choice (decisions.lp, category_not_named)
        named = sorted({d.parameter for d in at["decision"] if d.item == "premium" and d.kind == "category_not_named"})
        rule = kb.parameters[named[0]].rule if named else None
        g.nodes["premium"].update(unnamed=unnamed or None, reason_rule=rule, clause=s.locator(rule) if rule else None)
        for c in unnamed:
            if f"category:{c}" in g:
                edge("premium", f"category:{c}", rel="held_on_jan1_not_named")
    for ps in at["premium_status"]:
        status, detail = ps.status, ps.detail
        if isinstance(detail, tuple) and detail[0] == "c":
            edge("premium", add_param(detail[2]), rule=s.rule_of(detail[2]), rel=status)

    # applied category, flags, total
    applied = r.get("applied_category")
    prec = (r.get("precedence") or {}).get("aid") or {}
    totals = prec.get("year_totals") or []
    g.add_node("applied_category", kind="applied_category", label=applied or "none", value=applied,
               rule=prec.get("rule"), clause=s.locator(prec.get("rule")), analogy_rule=prec.get("by_analogy_with"),
               year_totals="; ".join(f"{t['category']} {t['total']}" for t in totals) or None,
               year_tilted="; ".join(f"{t['category']} {t['tilted_aid']}" for t in totals if t.get("tilted_aid")) or None,
               tie_with=", ".join(prec.get("tie_with") or []) or None)
    if applied and f"category:{applied}" in g:
        edge("applied_category", f"category:{applied}", rel="take_the_highest")
    for t in totals:   # the year totals compared (the solver's precedence read-out)
        if t["category"] != applied and f"category:{t['category']}" in g:
            edge("applied_category", f"category:{t['category']}", rel="year_total_compared")
    counts: dict = {}
    for f in at["flag"]:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    seen = set()
    for f in sorted(at["flag"], key=lambda f: (f.kind, str(f.detail), str(f.parameter))):
        kind, pid, detail = f.kind, f.parameter, f.detail
        rule = s.rule_of(pid)
        n = f"flag:{kind}" if counts[kind] == 1 else f"flag:{kind}@{_detail_text(s, detail)}"
        if (n, rule) in seen:
            continue
        seen.add((n, rule))
        g.add_node(n, kind="flag", label=kind, detail=_detail_text(s, detail), rule=rule, clause=s.locator(rule))
        if isinstance(detail, tuple) and detail[0] == "d" and len(detail) == 4:
            # monitoring: the year's burden and the threshold it exceeded (flag/4's own figures)
            g.nodes[n].update(burden=y(detail[2]), threshold=y(detail[3]))
        if pid != "none":
            edge(n, add_param(pid), rule=rule, rel="parameter")
        if isinstance(detail, tuple):
            if detail[0] in ("claim", "amount", "share", "self_pay") and isinstance(detail[1], int):
                edge(n, f"claim:{s.claim_ids[detail[1]]}", rule=rule)
            elif detail[0] == "category" and f"category:{detail[1]}" in g:
                edge(n, f"category:{detail[1]}", rule=rule)
            elif detail[0] == "d":
                for i in range(len(s.claim_ids)):
                    edge(n, f"claim:{s.claim_ids[i]}", rule=rule, rel="burden_of")
    g.add_node("total", kind="total", label="total", amount=r["total_aid"])
    for c in r["claims"]:
        edge("total", f"claim:{c['claim_id']}")
    for a in r["annual"]:
        edge("total", f"annual:{a['kind']}")
    for n, d in g.nodes(data=True):  # a node reached only as an edge end gets a kind
        d.setdefault("kind", "input" if n.startswith("input:") else "fact")
        d.setdefault("label", n)
    return g


def derivation_reads(s, c: str) -> tuple[set, set, set, bool]:
    """The parameter kinds, fact names and statistics the derivation of category `c` reads, and
    whether it reads the hukou: its tests as the KB states them (kb/case_fields.ttl)."""
    group = s.kb.fact_groups.get(c)
    return group.reads() if group else (set(), set(), set(), False)


def is_quota_item(k) -> bool:
    """A year-end item of quota-managed claims (q(Context, Category) in claims.lp)."""
    return isinstance(k, tuple) and k[0] == "q"


def _item_claims(s, k) -> list[int]:
    if is_quota_item(k):
        return quota_claims_of(s.atoms, k)
    if k == "year":
        return sorted(r.claim for r in s.atoms["tilted_claim"])
    return [k]


def _identity_text(data, i) -> str:
    ids = data.get("applicant", {}).get("identities", [])
    if i >= len(ids):
        return None
    d = ids[i]
    return f"{d['category']} {d.get('since')}..{d.get('until') or ''}"


def _stat_source(src):
    if src is None:
        return None
    if isinstance(src, tuple):
        return f"kb {src[1]} {src[2]}"
    return str(src)


def _detail_text(s, d) -> str:
    if isinstance(d, str):
        return d
    if d[0] in ("claim",) and isinstance(d[1], int):
        return s.claim_ids[d[1]]
    if d[0] in ("amount", "share", "self_pay") and isinstance(d[1], int):
        return s.claim_ids[d[1]]
    if d[0] == "category":
        return d[1]
    if d[0] == "d":
        return d[1]
    if d[0] == "place":
        return d[1] + (f"/{d[2]}" if d[2] != "none" else "")
    if d[0] == "premium":
        return f"premium_{d[1]}"
    return str(d)


