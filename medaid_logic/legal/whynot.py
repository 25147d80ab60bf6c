"""why-not TARGET: every rule that could have produced the target and the first condition
that failed for each, read from the ASP rule bodies (probe.py) and the KB parameters; where
another identity or jurisdiction would have paid, the amount, by re-evaluating a changed case."""
from __future__ import annotations

import copy
import re

from ..errors import CaseError
from ..words import word
from .i18n import category_label, claim_reason, formula_zh, w
from .probe import Goal, rules_from, run, substitute
from .session import Session
from .targets import Target, TargetError, check_target

# predicates that are input facts (KB or case): a failure there is final
INPUTS = {"param", "param_value", "param_requires", "param_requires_any", "param_status", "param_exception", "identity",
          "claim", "claim_is", "cost", "local", "hospital_class", "disease", "chronic_management", "fact", "hukou",
          "residence", "insured_in", "case", "document", "parent", "rank", "treated_as", "stat", "stat_use",
          "interpretation", "ytd", "birth", "admitted", "statistic_given", "derivation", "derivation_fact",
          "derivation_test", "ytd_pool"}


def rule_steps(s: Session) -> list[str]:
    """The steps why-not answers by the rules that compute them (wn_step/2 of
    asp/legal/whynot_candidates.lp); any other step by its own derivation."""
    return sorted(r.what for r in s.atoms["wn_step"])
MAX_DEPTH = 6

_rules_cache: dict = {}


def _rules(s: Session):
    key = id(s.engine)
    if key not in _rules_cache:
        _rules_cache[key] = rules_from(s.engine.statements)
    return _rules_cache[key]


def drill(s: Session, goals: list[Goal]) -> list[list[dict]]:
    """For each goal: the chain of findings, from the goal down to the input fact that failed."""
    rules = _rules(s)
    chains: list[list[dict]] = [[] for _ in goals]
    frontier = [(i, g) for i, g in enumerate(goals)]
    for depth in range(MAX_DEPTH):
        if not frontier:
            break
        findings = run(s.engine, s.data, [g for _, g in frontier], rules)
        by_goal: dict = {}
        for f in findings:
            by_goal.setdefault(id(f.goal), []).append(f)
        nxt = []
        for i, g in frontier:
            fs = by_goal.get(id(g), [])
            if not fs:
                chains[i].append({"goal": g.text(), "rule": None, "failed": "no rule derives this atom"})
                continue
            if any(f.holds for f in fs):
                f = next(f for f in fs if f.holds)
                b = f.bindings[0] if f.bindings else {}
                entry = {"goal": g.text(), "rule": f.rule.text, "holds": True,
                         "bindings": {k: _v(v) for k, v in b.items()},
                         "body": [substitute(lit.text, b) for lit in f.rule.body]}
                chains[i].append(entry)
                # reached through `not X`: X holds, so the condition failed; follow the first
                # negative condition of X's rule (e.g. not cond_ok(A,K,in_province)) to the fact
                # that made it fail
                prev = chains[i][-2] if len(chains[i]) > 1 else {}
                if (prev.get("failed") or "").startswith("not "):
                    neg = next((lit for lit in f.rule.body if lit.kind == "atom" and lit.sign and lit.name not in INPUTS), None)
                    if neg is not None:
                        args = [_subst_arg(a, b) for a in neg.args]
                        if all(a is not None for a in args):
                            nxt.append((i, Goal(neg.name, args)))
                continue
            f = max(fs, key=lambda f: f.reached)   # the rule that got furthest
            lit = f.failed
            b = f.bindings[0] if f.bindings else {}
            entry = {"goal": g.text(), "rule": f.rule.text, "holds": False, "failed": f.failed_text(),
                     "bindings": {k: _v(v) for k, v in b.items()},
                     "tried": _tried(lit.text, f.bindings), "others": [x.rule.text for x in fs if x is not f]}
            if lit.kind == "comparison":
                # where each compared value came from: the body literal before it that bound the variable
                entry["compared"] = _binders(f.rule.body[:f.reached], lit.text, b)
            chains[i].append(entry)
            if lit.kind == "atom" and lit.name not in INPUTS:
                args = [_subst_arg(a, b) for a in lit.args]
                # follow a condition only when its last argument (the parameter, the category)
                # or a KB id among its arguments is known, or only its last argument is open (a
                # source such as covers_by's: every witness is tried by the probe): a condition with
                # several open arguments would pick an arbitrary witness
                if args and (args[-1] is not None or any(isinstance(a, str) and "/" in a for a in args[1:])
                             or (len(args) >= 3 and all(a is not None for a in args[:-1]))):
                    nxt.append((i, Goal(lit.name, args)))
        frontier = nxt
    return chains


def _binders(body, text: str, b: dict) -> list[dict]:
    """For each variable of a failed comparison: its value and the body literal that bound it."""
    from .probe import variables
    out = []
    for v in variables(text):
        src = next((lit for lit in body if lit.kind == "atom" and not lit.sign and v in variables(lit.text)), None)
        out.append({"var": v, "value": _v(b[v]) if v in b else None,
                    "from": substitute(src.text, {k: x for k, x in b.items() if k != v}) if src else None})
    return out


def _v(v):
    return v if isinstance(v, (int, str)) else str(v)


def _tried(text, bindings):
    out = []
    for b in bindings:
        t = substitute(text, b)
        if t not in out:
            out.append(t)
    return out


def _subst_arg(a: str, b: dict):
    a = a.strip()
    if a in b:
        return b[a]
    if a == "_" or any(ch.isupper() for ch in a.split('"')[0] if ch.isalpha()):
        return None
    if a.isdigit():
        return int(a)
    if a.startswith('"'):
        return a[1:-1]
    return a if a.isidentifier() else None


# ---- targets -----------------------------------------------------------------------------
def why_not(s: Session, target: Target, lang: str = "zh") -> dict:
    check_target(s, target)
    if target.kind == "step" and not target.claim:
        return _annual_step(s, target, lang)
    if target.kind == "step" and target.what not in rule_steps(s):
        return _generic_step(s, target, lang)
    if target.kind in ("claim", "claim_category", "step"):
        return _claim(s, target, lang)
    if target.kind == "total":
        return _total(s, lang)
    if target.kind == "applied_category":
        prec = (s.result.get("precedence") or {}).get("aid")
        extra = {"applied_category": s.result.get("applied_category")}
        if prec:
            extra["precedence"] = {k: v for k, v in prec.items() if k not in ("source", "analogy_source")}
        return _answer(s, target, ["applied_category"], [], extra)
    if target.kind == "category":
        return _category(s, target.name, lang)
    if target.kind == "premium":
        return _premium(s, lang)
    if target.kind in ("flag", "annual"):
        got = s.nodes_for(target)
        goals = [Goal(target.kind, [0, target.name, None, None])]
        it = {"rule": None, "goal": f"{target.kind}:{target.name}", "candidates": [], "chain": drill(s, goals)[0]}
        it["explanation"] = explain_chain(s, it, it["chain"], lang)
        items = [it] + _delegated(s, target.name, lang)
        if target.kind == "annual":   # computed as 0.00: its steps' formulas say why
            for n in got:
                if s.graph.nodes[n].get("amount") == "0.00":
                    zs = [z for m in sorted(s.graph.successors(n), key=lambda m: s.graph.nodes[m].get("order", 0))
                          if s.graph.nodes[m].get("kind") == "step" for z in [_zero_step(s, m, lang)] if z]
                    items = zs + items
        return _answer(s, target, got, items)
    raise TargetError(f"why-not does not apply to {target}")


def _step_goal(s: Session, item, what: str) -> Goal:
    """The solver's own read-out of a step (step/7 of explain.lp) as a goal."""
    return Goal("step", [0, item, None, what, None, None, None])


def _drilled(s: Session, goals_items: list[tuple[Goal, dict]], lang: str) -> list[dict]:
    chains = drill(s, [g for g, _ in goals_items])
    out = []
    for (g, it), ch in zip(goals_items, chains):
        it = {"goal": g.text(), **it, "chain": ch}
        it["explanation"] = explain_chain(s, it, ch, lang)
        out.append(it)
    return out


def _generic_step(s: Session, target: Target, lang: str) -> dict:
    """A claim step without a rule of its own (self_pay, deductible_base): the step's read-out
    rule, and where the claim was not paid, why not (the claim's own rules)."""
    k = s.claim_index(target.claim)
    items = _drilled(s, [(_step_goal(s, k, target.what), {"rule": None})], lang)
    got = s.nodes_for(target)
    for n in got:
        z = _zero_step(s, n, lang)
        if z:
            items.insert(0, z)
    extra = {"claim_aid": s.result["claims"][k]["aid"], "applied_category": s.result["claims"][k].get("category")}
    if not got and not s.result["claims"][k].get("category"):
        sub = _claim(s, Target("claim", claim=target.claim), lang)
        items += sub["rules"]
        extra["would_pay"] = sub["would_pay"]
    return _answer(s, target, got, items, extra)


def _annual_step(s: Session, target: Target, lang: str) -> dict:
    """A step of an annual entry (annual:tilted_aid.step:annual_burden): its read-out rule on the
    entry's item, and the entry itself (annual/4) when it was not computed."""
    from .targets import ANNUAL_ITEM
    item = ANNUAL_ITEM[target.name]
    pairs = [(_step_goal(s, item, target.what), {"rule": None})]
    got = s.nodes_for(target)
    if not got:
        pairs.append((Goal("annual", [0, target.name, None, None]), {"rule": None}))
    items = _drilled(s, pairs, lang)
    for n in got:
        z = _zero_step(s, n, lang)
        if z:
            items.insert(0, z)
    return _answer(s, target, got, items + _delegated(s, target.name, lang))


def _total(s: Session, lang: str) -> dict:
    """The year's total: its parts, and for each claim paid nothing or annual entry not
    computed, why not (their own rules)."""
    r = s.result
    parts = [{"node": f"claim:{c['claim_id']}", "amount": c["aid"]} for c in r["claims"]] + \
            [{"node": f"annual:{a['kind']}", "amount": a["aid"]} for a in r["annual"]]
    per_claim = []
    for c in r["claims"]:
        if c["aid"] == "0.00":
            sub = _claim(s, Target("claim", claim=c["claim_id"]), lang)
            per_claim.append({"claim": c["claim_id"], "rules": sub["rules"], "would_pay": sub["would_pay"],
                              "applied_category": sub["applied_category"]})
    got_annual = {a["kind"] for a in r["annual"]}
    items = _drilled(s, [(Goal("annual", [0, kd, None, None]), {"rule": None})
                         for kd in sorted(ANNUAL_KINDS(s)) if kd not in got_annual], lang)
    return _answer(s, Target("total"), ["total"], items, {"parts": parts, "claims": per_claim})


def ANNUAL_KINDS(s: Session) -> list[str]:
    from .targets import known_kinds
    return known_kinds(s.engine)["annual"]


def _delegated(s: Session, about: str, lang: str) -> list[dict]:
    """The solver's `delegated` flags about this entry: the clause leaves the standard to a
    named authority, so the engine has no figure to apply."""
    out = []
    for f in s.result.get("flags", []):
        if f.get("kind") == "delegated" and f.get("about") == about:
            rule, to = f.get("rule"), f.get("delegated_to")
            out.append({"rule": rule, "clause": s.locator(rule), "delegated_to": to, "status": f.get("status"), "chain": [],
                        "explanation": word("trace.delegated", lang, rule=rule, to=to)})
    return out


def _zero_step(s: Session, node: str, lang: str) -> dict | None:
    """A step that was computed and came out 0.00: the solver's own formula says why."""
    d = s.graph.nodes.get(node) or {}
    if d.get("amount") != "0.00":
        return None
    f, rule = d.get("formula") or "", d.get("rule")
    why = ""
    if d.get("label") in ("tilted_aid", "annual_burden"):
        kids = [s.graph.nodes[m] for m in s.graph.successors(node)]
        ded = next((k.get("value") for k in kids if k.get("kind") == "parameter" and str(k.get("label", "")).endswith("/deductible_amount")), None)
        if d.get("label") == "tilted_aid" and ded:
            why = word("trace.burden_below", lang) + f" {ded}"
        elif d.get("label") == "annual_burden":
            why = word("trace.no_burden", lang)
    if d.get("label") == "top_up" and "paid share" in f:
        share = f.split("paid share ", 1)[1].rstrip(")")
        target = f.split("max(0, ", 1)[1].split(" ×", 1)[0]
        why = word("trace.share_reached", lang, share=share, target=target)
    shown = (d.get("formula_zh") or f) if lang == "zh" else f
    return {"rule": rule, "clause": s.locator(rule), "step": d.get("label"), "amount": d.get("amount"), "formula": f,
            "chain": [], "explanation": (f"{w(d.get('label'), lang)} = 0.00 = {shown}" + (f" — {why}" if why else ""))}


def _answer(s, target, got, items, extra=None):
    out = {"target": str(target), "obtained": [{"node": n, **{k: v for k, v in s.graph.nodes[n].items() if v is not None}} for n in got],
           "rules": items}
    out.update(extra or {})
    return out


def _claim(s: Session, target: Target, lang: str) -> dict:
    k = s.claim_index(target.claim)
    at = s.atoms
    applied = {r.item: r.category for r in at["app_pays"]}.get(k)
    held = sorted({r.category for r in at["category_out"]})
    if target.kind == "claim_category":
        cats = [target.name]
    elif target.kind == "step":
        cats = ([applied] if applied else []) + [c for c in held if c != applied]
    else:
        cats = [c for c in held if c != applied] or held or []
    what = target.what if target.kind == "step" else "ordinary_aid"
    if target.kind == "step" and what not in rule_steps(s):
        raise TargetError(f"why-not knows the steps {', '.join(rule_steps(s))}")
    # the rules asked about: the solver's choice (wn_claim_rule/4 of asp/legal/whynot_candidates.lp)
    asked = [s.kb.parameters[pid] for pid in sorted({r.parameter for r in at["wn_claim_rule"] if r.item == k and r.what == what})]
    items = []
    for c in cats:
        for p in asked:
            goal = Goal("claim_param", [0, k, c, p.kind, None, p.id])
            items.append({"category": c, "parameter": p.id, "rule": p.rule, "clause": s.locator(p.rule),
                          "names": p.categories, "goal": goal})
        items.append({"category": c, "parameter": None, "rule": None, "goal": Goal("eligible", [0, k, c])})
    chains = drill(s, [it["goal"] for it in items])
    out_items = []
    for it, ch in zip(items, chains):
        it = {kk: v for kk, v in it.items() if kk != "goal"}
        it["chain"] = ch
        it["explanation"] = explain_chain(s, it, ch, lang)
        out_items.append(it)
    # a rule that applies but whose figure is not stated (`V != none` failed): the KB says who sets it
    for it in out_items:
        last = it["chain"][-1] if it.get("chain") else {}
        if it.get("parameter") is None and (last.get("failed") or "").replace(" ", "") == "none!=none":
            for other in out_items:
                p = s.kb.parameters.get(other.get("parameter") or "")
                if other.get("category") == it.get("category") and p is not None and p.status != "stated" \
                        and other["chain"] and other["chain"][-1].get("holds"):
                    it.update(rule=p.rule, clause=s.locator(p.rule), parameter=p.id)
                    to = word("trace.not_stated_to", lang, p.delegated_to) if p.delegated_to else ""
                    it["explanation"] = word("trace.not_stated", lang, rule=p.rule, kind=p.kind, status=p.status, to=to)
                    break
    # the same first failure (same fact, same clause) for several parameters of one category is
    # said once, naming the parameters it holds for
    merged, seen = [], {}
    for it in out_items:
        last = it["chain"][-1] if it.get("chain") else {}
        key = (it.get("category"), it.get("rule"), last.get("goal"), last.get("failed")) \
            if it.get("parameter") and last.get("failed") and len(it["chain"]) > 1 else None
        if key is not None and key in seen:
            seen[key].setdefault("same_failure", []).append(it["parameter"])
            continue
        if key is not None:
            seen[key] = it
        merged.append(it)
    out_items = merged
    # where the category's own rule applies, the other categories' rules say nothing about it:
    # what decided is take-the-highest (the solver's year totals and the clause that states it)
    extra_prec = None
    if target.kind == "claim_category":
        applies = any(it.get("parameter") and it["chain"] and it["chain"][-1].get("holds") for it in out_items)
        if applies:
            keep = {"any_recipient", "everyone", target.name}
            out_items = [it for it in out_items if not it.get("parameter") or keep & set(it.get("names") or [])]
            extra_prec = (s.result.get("precedence") or {}).get("aid")
    if target.kind == "step":
        for n in s.nodes_for(target):
            z = _zero_step(s, n, lang)
            if z:
                out_items.insert(0, z)
    got = s.nodes_for(target) if target.kind == "step" else ([f"claim:{target.claim}"] if applied in cats and target.kind == "claim_category" else [])
    extra = {"applied_category": applied, "claim_aid": s.result["claims"][k]["aid"]}
    if extra_prec and applied != target.name:
        extra["precedence"] = {k2: v for k2, v in extra_prec.items() if k2 not in ("source", "analogy_source")}
    alts = {r.category: r.fen for r in at["alternative"] if r.item == k}
    extra["would_pay"] = []
    for c in cats:
        if c in alts:
            extra["would_pay"].append({"category": c, "aid": _y(alts[c]), "how_code": "alternative",
                                       "how": "alternative (take the highest chose another)"})
        elif c not in held or not any(r.item == k and r.category == c for r in at["covers"]):
            extra["would_pay"].extend(_counterfactual(s, c, k))
    return _answer(s, target, got, out_items, extra)


def _y(fen):
    from ..money import fen_to_str
    return fen_to_str(fen)


def _counterfactual(s: Session, c: str, k: int | None) -> list[dict]:
    """What the case would have paid with identity `c` held all year, here and in the other
    jurisdictions where `c` exists (each a re-evaluation)."""
    out = []
    year = s.data["year"]
    for j in [s.data["jurisdiction"]] + [j for j in s.kb.jurisdictions if j != s.data["jurisdiction"]]:
        if j not in (s.kb.categories.get(c).held_in if c in s.kb.categories else []):
            continue
        d = copy.deepcopy(s.data)
        d["jurisdiction"] = j
        d["applicant"]["identities"] = [i for i in d["applicant"]["identities"] if i["category"] != c] + \
            [{"category": c, "since": f"{year}-01-01", "until": None}]
        if j != s.data["jurisdiction"]:
            # the same person living and insured there: an identity that does not exist there
            # makes the comparison meaningless, so that jurisdiction is not compared
            if any(i["category"] not in s.kb.categories or j not in s.kb.categories[i["category"]].held_in
                   for i in d["applicant"]["identities"]):
                continue
            d["applicant"]["hukou"] = j
            if isinstance(d["applicant"].get("residence"), dict):
                d["applicant"]["residence"]["place"] = j
            d["applicant"]["insured_in"] = j
            for cl in d["claims"]:
                cl.setdefault("hospital_class", "level_2")
        try:
            res = s.engine.evaluate(d)
        except CaseError as exc:
            out.append({"category": c, "jurisdiction": j, "error": f"{exc.field}: {exc.message}", "error_field": exc.field})
            continue
        entry = {"category": c, "jurisdiction": j, "total_aid": res["total_aid"], "how_code": "reevaluated",
                 "how": "re-evaluated with the identity held all year" + ("" if j == s.data["jurisdiction"] else f", under {j}'s rules")}
        if k is not None:
            cl = res["claims"][k]
            alt = next((a for a in cl["alternatives"] if a["category"] == c), None)
            if cl["category"] == c:
                entry.update(aid=cl["aid"], rule=cl["rule"])
            elif alt:
                entry.update(aid=alt["aid"], rule=alt["rule"], still_chosen=cl["category"],
                             note=f"take the highest would still choose {cl['category']}")
            else:
                entry.update(aid="0.00", reason=cl.get("reason"), reason_zh=claim_reason(s.kb, cl, "zh"))
        out.append(entry)
        if len(out) >= 4:
            break
    return out


def _category(s: Session, c: str, lang: str) -> dict:
    at, r = s.atoms, s.result
    if c not in s.kb.categories:
        raise TargetError(f"unknown category {c!r}")
    held = {r.category for r in at["category_out"]}
    items = []
    per_claim = []
    for k, cl in enumerate(s.data["claims"]):
        sub = _claim(s, Target("claim_category", claim=cl["claim_id"], name=c), lang)
        per_claim.append({"claim": cl["claim_id"], "rules": sub["rules"], "would_pay": sub["would_pay"],
                          "applied_category": sub["applied_category"]})
    extra = {"held": c in held, "applied_category": r["applied_category"], "claims": per_claim}
    if c not in held:
        # the category's own derivation from the applicant's facts (interval(A,derived,C,...))
        g = Goal("interval", [0, "derived", c, None, None, None])
        ch = drill(s, [g])[0]
        if ch and ch[0].get("rule"):
            stated = sorted(r.parameter for r in s.atoms["wn_derivation_rule"] if r.category == c)   # the solver's choice
            rule = s.kb.parameters[stated[0]].rule if stated else None
            it = {"category": c, "rule": rule, "clause": s.locator(rule), "goal": g.text(), "chain": ch}
            it["explanation"] = explain_chain(s, it, ch, lang)
            items.append(it)
        if not any(i.get("category") == c for i in s.data.get("applicant", {}).get("identities", [])):
            items.append({"category": c, "rule": None, "goal": f"identity {c}", "chain": [],
                          "explanation": word("trace.no_identity", lang, c)})
        extra["would_pay"] = _counterfactual(s, c, None)
        if c not in s.kb.categories[c].held_in and s.data["jurisdiction"] not in s.kb.categories[c].held_in:
            extra["not_in_jurisdiction"] = True
    got = ["applied_category"] if r["applied_category"] == c else []
    return _answer(s, Target("category", name=c), got, items, extra)


def _premium(s: Session, lang: str) -> dict:
    held = sorted({r.category for r in s.atoms["category_out"]})
    items = []
    asked = [s.kb.parameters[pid] for pid in sorted({r.parameter for r in s.atoms["wn_premium_rule"]})]   # the solver's choice
    for c in held:
        for p in asked:
            items.append({"category": c, "parameter": p.id, "rule": p.rule, "clause": s.locator(p.rule), "names": p.categories,
                          "goal": Goal("premium", [0, c, p.id, None, None])})
    chains = drill(s, [it["goal"] for it in items])
    out = []
    for it, ch in zip(items, chains):
        it = {k: v for k, v in it.items() if k != "goal"}
        it["chain"] = ch
        it["explanation"] = explain_chain(s, it, ch, lang)
        out.append(it)
    return _answer(s, Target("premium"), ["premium"] if s.result["premium_subsidy"]["status"] == "computed" else [], out)


# ---- a chain in words ------------------------------------------------------------------------
def explain_chain(s: Session, item: dict, chain: list[dict], lang: str) -> str:
    if not chain:
        return ""
    last = chain[-1]
    if last.get("holds") and len(chain) == 1:
        return w("holds", lang)
    neg = next((h for h in range(1, len(chain)) if chain[h].get("holds") and
                (chain[h - 1].get("failed") or "").startswith("not ")), None)
    if neg is not None:
        return _explain_negation(s, item, chain[neg - 1], chain[neg], chain[neg + 1:], lang)
    failed = last.get("failed") or ""
    pid = item.get("parameter")
    p = s.kb.parameters.get(pid) if pid else None
    if failed.startswith("param(") and p is not None:
        names = ", ".join(dict.fromkeys(category_label(s.kb, x.split("/")[0], lang) for x in p.categories))
        keys = sorted({str(b) for b in _keys_tried(last)})
        return word("trace.names_only", lang, rule=p.rule, names=names, keys=", ".join(keys))
    if failed.startswith("not cond_ok") or failed.startswith("cond_ok"):
        return word("trace.condition_failed", lang, failed)
    if failed.startswith("not excluded"):
        import re as _re
        m = _re.match(r"not excluded\(\d+,(\d+)", failed)
        hits = [(r.why, r.parameter) for r in s.atoms["excluded"] if m and r.item == int(m.group(1))]
        if hits:
            why, pid = hits[0]
            rule = s.rule_of(pid)
            return word("trace.excluded_by", lang, rule=rule, why=why, failed=failed)
        return word("trace.excluded", lang, failed)
    pids = [v for c in chain for v in (c.get("bindings") or {}).values()
             if isinstance(v, str) and v in s.kb.parameters]
    if pids and not pid:
        rule = s.rule_of(pids[-1])
        item.setdefault("rule", rule)
        if not item.get("rule"):
            item["rule"] = rule
        item["clause"] = s.locator(rule)
        item["parameter"] = pids[-1]
        return word("trace.rule_condition_failed", lang, rule=rule, failed=failed)
    if failed.startswith("covers("):
        return word("trace.identity_dates", lang, failed)
    if last.get("compared") and any(c.get("from") for c in last["compared"]):
        # a comparison: each side's value and the fact it was read from (the rule body's own literal)
        parts = []
        for c in last["compared"]:
            val = _dates(str(c["value"])) if c.get("value") is not None else "?"
            src = _dates(c["from"]) if c.get("from") else ""
            m = re.search(r"certified\((\d+)\)", src)
            if m:
                src += f" = applicant.identities[{m.group(1)}]"
            parts.append(f"{c['var']} = {val}" + (f"（{src}）" if lang == "zh" and src else f" ({src})" if src else ""))
        if lang == "zh":
            return f"{w('failed', lang)}: {_dates(failed)} — " + "；".join(parts)
        return f"{w('failed', lang)}: {_dates(failed)} — " + "; ".join(parts)
    if re.fullmatch(r"[^()]*\d{8}[^()]*", failed):   # a date comparison: show the dates
        dates = re.sub(r"\b(\d{4})(\d{2})(\d{2})\b", r"\1-\2-\3", failed)
        return word("trace.dates", lang, failed=w("failed", lang), dates=dates)
    return f"{w('failed', lang)}: {failed}"


def _dates(text: str) -> str:
    return re.sub(r"\b(\d{4})(\d{2})(\d{2})\b", r"\1-\2-\3", text)


def _explain_negation(s: Session, item: dict, at_not: dict, held: dict, tail: list[dict], lang: str) -> str:
    """A condition `not X` failed because X holds: X's rule body with the values it held with
    (read from the rule and the solver's bindings), the requirement it tests and the clause that
    states it (the KB parameter in the requirement), and the case's value that failed it."""
    body = held.get("body") or []
    # the requirement: an input fact of the body naming a KB parameter (param_requires("id",Cond))
    req_i, rule, cond = None, None, None
    for i, lit in enumerate(body):
        m = re.match(r'^(\w+)\("([^"]+)",(.*)\)$', lit)
        if m and m.group(1) in INPUTS and m.group(2) in s.kb.parameters:
            req_i, rule, cond = i, s.rule_of(m.group(2)), m.group(3)
            break
    atom = at_not["failed"][len("not "):]
    rest = body[req_i + 1:] if req_i is not None else body
    value = None
    if tail and not tail[-1].get("holds"):
        f = tail[-1].get("failed") or ""
        m = re.match(r"^claim_is\(\d+,(\d+),(\w+)\)$", f)
        if m and int(m.group(1)) < len(s.data.get("claims", [])):
            k, prop = int(m.group(1)), m.group(2)
            v = s.data["claims"][k].get(prop)
            value = f"claims[{k}].{prop} = {'false' if not v else 'true'}" + ("" if v is not None else " (not given)")
        else:
            value = f"{tail[-1]['goal']} ← {f}"
    shown = _dates(", ".join(rest))
    if rule:
        item.setdefault("rule", rule)
        item.setdefault("clause", s.locator(rule))
    head = word("trace.requires", lang, rule=rule, cond=cond) if rule else word("trace.holds", lang, atom)
    return word("trace.here", lang, head=head, value=value or shown) + \
        (word("trace.holds_shown", lang, atom=atom, shown=shown) if value else "")


def _keys_tried(entry):
    out = []
    for t in entry.get("tried", []):
        # param(Id,J,B,Key,F,T): the Key argument
        parts = t[len("param("):-1].split(",")
        if len(parts) >= 4:
            out.append(parts[3])
    return out


def why_not_text(s: Session, ans: dict, lang: str) -> str:
    lines = [f"{w('why_not', lang)} {ans['target']}"]
    for o in ans["obtained"]:
        lines.append(f"  {w('obtained', lang)}: {o['node']} {o.get('amount') or o.get('value') or ''}")
    if "applied_category" in ans:
        lines.append(f"  {w('applied_category', lang)}: {ans['applied_category'] or w('none', lang)}")
    if "claim_aid" in ans:
        lines.append(f"  {w('aid', lang)}: {ans['claim_aid']}")
    for it in ans["rules"]:
        head = it.get("rule") or (it["chain"][0]["goal"] if it.get("chain") else "") or (w(it["step"], lang) if it.get("step") else "")
        cat = f"[{category_label(s.kb, it['category'], lang)}] " if it.get("category") else ""
        lines.append(f"- {cat}{head}" + (f"  ({it['parameter']})" if it.get("parameter") else ""))
        if it.get("rule") and it.get("parameter"):
            text = s.kb.clause_source(it["rule"])["text"]
            lines.append(f"    «{text}»")
        prev = {}
        for c in it.get("chain", []):
            status = "✓" if c.get("holds") else "✗"
            why = ""
            if c.get("holds") and (prev.get("failed") or "").startswith("not ") and c.get("body"):
                why = "  ⇐ " + _dates(", ".join(c["body"]))
            lines.append(f"    {status} {c['goal']}" + (why if c.get("holds") else f"  ← {c.get('failed')}"))
            prev = c
        if it.get("explanation"):
            lines.append(f"    ⇒ {it['explanation']}")
        if it.get("same_failure"):
            ps = ", ".join(it["same_failure"])
            lines.append(word("trace.same_failure", lang, ps))
    for p in ans.get("parts", []):
        lines.append(f"  {p['node']}: {p['amount']}")
    for c in ans.get("claims", []):
        lines.append(f"  {w('claim', lang)} {c['claim']}:")
        for it in c["rules"]:
            if it.get("explanation"):
                lines.append(f"    - {it.get('rule') or w('eligible', lang)}: {it['explanation']}")
        for wp in c.get("would_pay", []):
            lines.append(f"    {w('would_pay', lang)}: {_wp(wp, lang, s.data['jurisdiction'])}")
    for wp in ans.get("would_pay", []):
        lines.append(f"  {w('would_pay', lang)}: {_wp(wp, lang, s.data['jurisdiction'])}")
    prec = ans.get("precedence")
    if prec:
        totals = "; ".join(f"{t['category']} {t['total']}" for t in prec["year_totals"])
        basis = prec.get("rule") or ""
        if prec.get("by_analogy_with"):
            basis += word("trace.analogy", lang, prec["by_analogy_with"])
        lines.append(word("trace.take_highest", lang, totals=totals, applied=prec["applied"], basis=basis))
    return "\n".join(lines) + "\n"


def _wp(wp, lang: str = "en", here: str | None = None):
    zh = lang == "zh"
    if "error" in wp:
        if zh:
            f = wp.get("error_field") or ""
            what = (word("trace.missing_statistic", lang, f.split(".", 1)[1]) if f.startswith("parameters.")
                    else word("trace.not_computable", lang, f))
            return f"{wp['category']} @ {wp['jurisdiction']}: {what}"
        return f"{wp['category']} @ {wp['jurisdiction']}: {wp['error']}"
    bits = [f"{wp['category']}"]
    if wp.get("jurisdiction"):
        bits.append(f"@ {wp['jurisdiction']}")
    if "aid" in wp:
        bits.append(f"{word('trace.claim_aid', lang)} {wp['aid']}")
    if "total_aid" in wp:
        bits.append(f"{word('trace.year_total', lang)} {wp['total_aid']}")
    if wp.get("rule"):
        bits.append(f"({wp['rule']})")
    if zh and wp.get("how_code") == "alternative":
        bits.append(word("trace.alternative", lang))
    elif zh and wp.get("how_code") == "reevaluated":
        bits.append(word("trace.reevaluated", lang) + ("" if wp.get("jurisdiction") in (None, here)
                                                      else word("trace.under_rules_of", lang, wp["jurisdiction"])))
    elif wp.get("how"):
        bits.append(f"— {wp['how']}")
    if zh and wp.get("still_chosen"):
        bits.append(word("trace.still_chosen", lang, wp["still_chosen"]))
    elif wp.get("note"):
        bits.append(f"; {wp['note']}")
    if wp.get("reason"):
        bits.append(f"（{wp.get('reason_zh') or wp['reason']}）" if zh else f"({wp['reason']})")
    return " ".join(bits)
