"""what-if CHANGES: re-evaluate a changed case and report every amount that changed, with the
rule that made the difference (both results come from the solver; nothing is recomputed here).

Change syntax (one per --set):
  identity+=CAT[:SINCE[..UNTIL]]          add an identity (default: the whole case year)
  identity-=CAT                           remove every identity of CAT
  identity.CAT.since=DATE | .until=DATE|null   change an identity's dates
  claim.ID.FIELD=VALUE                    a claim's figures, dates, in_province, referred, local, ...
  param.ID=VALUE                          a KB parameter (id as `medaid parameters` lists it, with or
                                          without the `<jurisdiction>/` prefix) or an
                                          interpretation (e.g. param.precedence=per_claim), or a statistic
  applicant.FIELD=VALUE                   e.g. applicant.birth_date=1960-01-01
"""
from __future__ import annotations

import copy
import json

from ..words import word
from .i18n import param_text, target_words, why_word
from .session import Session
from .targets import TargetError


def _value(text: str):
    t = text.strip()
    if t in ("true", "false", "null"):
        return json.loads(t)
    try:
        if any(ch.isdigit() for ch in t) and t.replace(".", "", 1).isdigit():
            return t if "." in t else int(t)   # money stays a decimal string
    except ValueError:
        pass
    return t


def _param_key(d: dict, pid: str, ch: str, kb=None) -> str:
    """A parameter id as `medaid parameters` lists it (`taiyuan/inpatient/dibao/ratio`) or as the
    case's `parameters` key (`inpatient/dibao/ratio`, the case's jurisdiction implied)."""
    jur = d.get("jurisdiction")
    if jur and pid.startswith(f"{jur}/"):
        return pid[len(jur) + 1:]
    head = pid.split("/", 1)[0]
    if "/" in pid and head != jur and head in _jurisdictions(kb):
        raise TargetError(f"{ch}: {pid} is a parameter of {head}; a case may change only its own jurisdiction's "
                          f"({jur}/...) parameters")
    return pid


def _jurisdictions(kb):
    if kb is None:
        from ..engine import default_engine
        kb = default_engine().kb
    return kb.jurisdictions


def apply_changes(data: dict, changes: list[str], kb=None) -> dict:
    d = copy.deepcopy(data)
    ap = d["applicant"]
    year = d["year"]
    for ch in changes:
        if ch.startswith("identity+="):
            spec = ch[len("identity+="):]
            cat, _, dates = spec.partition(":")
            since, _, until = dates.partition("..")
            ap["identities"].append({"category": cat, "since": since or f"{year}-01-01", "until": until or None})
        elif ch.startswith("identity-="):
            cat = ch[len("identity-="):]
            if not any(i["category"] == cat for i in ap["identities"]):
                raise TargetError(f"{ch}: the applicant holds no {cat}")
            ap["identities"] = [i for i in ap["identities"] if i["category"] != cat]
        elif "=" in ch:
            path, _, value = ch.partition("=")
            parts = path.split(".")
            v = _value(value)
            if parts[0] == "identity" and len(parts) == 3:
                hit = [i for i in ap["identities"] if i["category"] == parts[1]]
                if not hit:
                    raise TargetError(f"{ch}: the applicant holds no {parts[1]}")
                for i in hit:
                    i[parts[2]] = v
            elif parts[0] == "claim" and len(parts) == 3:
                hit = [c for c in d["claims"] if c["claim_id"] == parts[1]]
                if not hit:
                    raise TargetError(f"{ch}: no claim {parts[1]}")
                hit[0][parts[2]] = v
            elif parts[0] == "param":
                d.setdefault("parameters", {})[_param_key(d, path[len("param."):], ch, kb)] = v
            elif parts[0] == "applicant":
                cur = ap
                for p in parts[1:-1]:
                    cur = cur.setdefault(p, {})
                cur[parts[-1]] = v
            else:
                raise TargetError(f"cannot apply {ch!r}")
        else:
            raise TargetError(f"cannot apply {ch!r}")
    return d


def amounts(s: Session) -> dict[str, dict]:
    """Every amount of a result, keyed by its target name, with the rule that produced it and
    the KB parameter that paid it (pays_rule/4, step/7, annual/4, premium/5 of the solver)."""
    r, at = s.result, s.atoms
    pays_param = {r.item: r.parameter for r in at["pays_rule"]}
    step_param = {(s.item_node(st.item), st.what): (st.parameter if st.parameter != "none" else None) for st in at["step"]}
    annual_param = {r.kind: r.parameter for r in at["annual"]}
    prem_param = next((r.parameter for r in at["premium"]), None)
    out = {"total": {"amount": r["total_aid"]},
           "premium": {"amount": r["premium_subsidy"].get("amount"), "rule": r["premium_subsidy"].get("rule"),
                       "category": r["premium_subsidy"].get("category"), "status": r["premium_subsidy"].get("status"),
                       "param": prem_param},
           "applied_category": {"amount": None, "category": r.get("applied_category")}}
    for i, c in enumerate(r["claims"]):
        n = f"claim:{c['claim_id']}"
        out[n] = {"amount": c["aid"], "rule": c.get("rule"), "category": c.get("category"),
                  "reason": c.get("reason"), "param": pays_param.get(i)}
        for st in c["steps"]:
            out[f"{n}.step:{st['what']}"] = {"amount": st["amount"], "rule": st.get("rule"),
                                             "formula": st["formula"], "param": step_param.get((n, st["what"]))}
    for a in r["annual"]:
        n = f"annual:{a['kind']}"
        out[n] = {"amount": a["aid"], "rule": a.get("rule"), "param": annual_param.get(a["kind"])}
        for st in a.get("steps", []):
            out[f"{n}.step:{st['what']}"] = {"amount": st["amount"], "rule": st.get("rule"), "formula": st["formula"],
                                             "param": step_param.get((n, st["what"]))}
    for f in r["flags"]:
        key = f"flag:{f['kind']}" + (f"@{f.get('claim_id') or f.get('category') or f.get('about') or ''}")
        out[key] = {"amount": f.get("amount") or "✓", "rule": f.get("rule")}
    return out


def _exclusion(new: Session, key: str):
    """The solver's exclusion of the claim a target belongs to (excluded/4), as (rule, why)."""
    if not key.startswith("claim:"):
        return None
    cid = key[len("claim:"):].split(".", 1)[0]
    if cid not in new.claim_ids:
        return None
    k = new.claim_ids.index(cid)
    hit = next(((r.why, r.parameter) for r in new.atoms["excluded"] if r.item == k), None)
    return (new.rule_of(hit[1]), hit[0]) if hit else None


def what_if(s: Session, changes: list[str], lang: str = "zh") -> dict:
    if not changes:
        raise TargetError("what-if needs at least one --set CHANGE")
    new = Session(apply_changes(s.data, changes, s.kb), s.engine)
    before, after = amounts(s), amounts(new)
    jur = s.data["jurisdiction"]
    old_p, new_p = s.data.get("parameters") or {}, new.data.get("parameters") or {}
    reset = {f"{jur}/{k}": (old_p.get(k), v) for k, v in new_p.items() if old_p.get(k) != v}
    diff = []
    for key in list(before) + [k for k in after if k not in before]:
        b, a = before.get(key), after.get(key)
        if b == a:
            continue
        basis = lambda x: (x.get("rule"), x.get("param"), x.get("category"))
        if b and a and b.get("amount") == a.get("amount") and basis(b) == basis(a):
            continue      # only a figure inside the formula moved: the amount and its basis did not
        entry = {"target": key, "before": b, "after": a}
        rb, ra = (b or {}).get("rule"), (a or {}).get("rule")
        pb, pa = (b or {}).get("param"), (a or {}).get("param")
        excl = _exclusion(new, key) if (not a or not ra) and b else None
        if excl:
            entry["rule_that_made_the_difference"] = excl[0]
            entry["why"] = "excluded"
            entry["exclusion"] = excl[1]
        elif b and a and rb and ra and rb != ra and b.get("amount") == a.get("amount"):
            entry["rule_that_made_the_difference"] = ra
            entry["same_amount"] = True
            entry["why"] = "same_amount_other_rule"
        elif rb != ra:
            entry["rule_that_made_the_difference"] = ra or rb
            entry["why"] = "other_rule" if ra and rb else ("rule_now" if ra else "rule_no_longer")
        elif pb and pa and pb != pa:
            entry["rule_that_made_the_difference"] = ra
            entry["parameter"] = {"before": pb, "after": pa}
            entry["why"] = "other_parameter"
            entry["same_amount"] = b.get("amount") == a.get("amount")
        elif pa and pa == pb and pa in reset:
            entry["rule_that_made_the_difference"] = ra
            entry["why"] = "parameter_value"
            p = s.kb.parameters.get(pa)
            was = reset[pa][0] if reset[pa][0] is not None else (", ".join(str(v) for v in p.values) if p else "?")
            entry["parameter_value"] = {"parameter": pa, "before": str(was), "after": str(reset[pa][1])}
        elif ra:
            entry["rule_that_made_the_difference"] = ra
            entry["why"] = "same_rule_other_figures"
        if pb != pa and pb and pa and "parameter" not in entry:
            entry["parameter"] = {"before": pb, "after": pa}
        if (b or {}).get("category") != (a or {}).get("category"):
            entry["category"] = {"before": (b or {}).get("category"), "after": (a or {}).get("category")}
        if "why" in entry:   # the reason as a code and in words of the asked language
            entry["why_code"] = entry["why"]
            entry["why"] = why_word(entry["why_code"], lang)
        diff.append(entry)
    from .justify import what_if_words
    return {"changes": changes, "in_words": what_if_words(s, new, lang), "changed": diff, "after": new.result,
            "session": new}


def what_if_text(ans: dict, lang: str, kb=None) -> str:
    """The answer as text; with the KB, each amount is named in words (费用 c1 · 按比例救助)."""
    name = (lambda t: target_words(kb, t, lang)) if kb is not None else (lambda t: t)
    zh = lang == "zh"
    none = word("legal.none", lang)
    lines = [word("whatif.if", lang) + "; ".join(ans["changes"])]
    if not ans["changed"] and not ans.get("in_words"):
        lines.append("  " + word("whatif.nothing_changed", lang))
    lines += [f"  {x}" for x in ans.get("in_words", [])]
    if ans["changed"] and ans.get("in_words"):
        lines.append(word("whatif.every_amount", lang))

    def category(cid):   # a category by its name, never its id
        c = kb.categories.get(cid) if kb is not None and cid else None
        return (c.label_zh if zh else c.label_en) if c else (cid or none)

    def clause(rule):    # a rule by its clause (四(六)), never its id (wuxi/四(六)#full_group)
        return kb.locator(rule) if kb is not None and rule else rule

    def param(pid):      # a parameter by what it sets, for whom (低保对象 救助比例)
        return param_text(kb, pid, "", lang).strip() if kb is not None and pid else pid

    def val(x):
        if not x:
            return "—"
        if x.get("amount") is not None:
            return x["amount"]
        return category(x.get("category"))
    for e in ans["changed"]:
        b, a = e["before"] or {}, e["after"] or {}
        cat = ""
        if e.get("category"):
            cat = f"  [{category(e['category']['before'])} → {category(e['category']['after'])}]"
        code = e.get("why_code")
        why = why_word(code, lang) or e.get("why")
        if e.get("same_amount"):
            basis = (f"{param(e['parameter']['before'])} → {param(e['parameter']['after'])}" if code == "other_parameter"
                     else f"{clause(b.get('rule'))} → {clause(a.get('rule'))}")
            lines.append(f"  {name(e['target'])}: {val(a)} ({why}: {basis}){cat}")
            continue
        line = f"  {name(e['target'])}: {val(b)} → {val(a)}"
        if a.get("reason") and a.get("amount") == "0.00" and not zh:
            line += f"  ({a['reason']})"
        line += cat
        if e.get("rule_that_made_the_difference"):
            detail = why
            if code == "excluded":
                detail = word("whatif.excluded", lang, e["exclusion"])
            if e.get("parameter"):
                detail += f": {param(e['parameter']['before'])} → {param(e['parameter']['after'])}"
            if e.get("parameter_value"):
                pv = e["parameter_value"]
                detail += f": {param(pv['parameter'])} {pv['before']} → {pv['after']}"
            rule = clause(e["rule_that_made_the_difference"])
            line += f"  〔{rule}: {detail}〕" if zh else f"  [{rule}: {detail}]"
        lines.append(line)
    return "\n".join(lines) + "\n"
