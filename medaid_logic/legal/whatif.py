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

from .session import Session, TargetError


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
    """Every amount of a result, keyed by its target name, with the rule that produced it."""
    r = s.result
    out = {"total": {"amount": r["total_aid"]},
           "premium": {"amount": r["premium_subsidy"].get("amount"), "rule": r["premium_subsidy"].get("rule"),
                       "category": r["premium_subsidy"].get("category"), "status": r["premium_subsidy"].get("status")},
           "applied_category": {"amount": None, "category": r.get("applied_category")}}
    for c in r["claims"]:
        out[f"claim:{c['claim_id']}"] = {"amount": c["aid"], "rule": c.get("rule"), "category": c.get("category"),
                                         "reason": c.get("reason")}
        for st in c["steps"]:
            out[f"claim:{c['claim_id']}.step:{st['what']}"] = {"amount": st["amount"], "rule": st.get("rule"),
                                                                "formula": st["formula"]}
    for a in r["annual"]:
        out[f"annual:{a['kind']}"] = {"amount": a["aid"], "rule": a.get("rule")}
        for st in a.get("steps", []):
            out[f"annual:{a['kind']}.step:{st['what']}"] = {"amount": st["amount"], "rule": st.get("rule"), "formula": st["formula"]}
    for f in r["flags"]:
        key = f"flag:{f['kind']}" + (f"@{f.get('claim_id') or f.get('category') or f.get('about') or ''}")
        out[key] = {"amount": f.get("amount") or "✓", "rule": f.get("rule")}
    return out


def what_if(s: Session, changes: list[str], lang: str = "zh") -> dict:
    if not changes:
        raise TargetError("what-if needs at least one --set CHANGE")
    new = Session(apply_changes(s.data, changes, s.kb), s.engine)
    before, after = amounts(s), amounts(new)
    diff = []
    for key in list(before) + [k for k in after if k not in before]:
        b, a = before.get(key), after.get(key)
        if b == a:
            continue
        if b and a and (b.get("amount"), b.get("category"), b.get("rule")) == (a.get("amount"), a.get("category"), a.get("rule")) \
                and key.startswith(("flag:",)):
            continue
        entry = {"target": key, "before": b, "after": a}
        rb, ra = (b or {}).get("rule"), (a or {}).get("rule")
        if b and a and rb and ra and rb != ra and b.get("amount") == a.get("amount"):
            entry["rule_that_made_the_difference"] = ra
            entry["same_amount"] = True
            entry["why"] = "same amount, different rule"
        elif rb != ra:
            entry["rule_that_made_the_difference"] = ra or rb
            entry["why"] = "a different rule applies" if ra and rb else ("the rule now applies" if ra else "the rule no longer applies")
        elif ra:
            entry["rule_that_made_the_difference"] = ra
            entry["why"] = "same rule, different figures"
        if (b or {}).get("category") != (a or {}).get("category"):
            entry["category"] = {"before": (b or {}).get("category"), "after": (a or {}).get("category")}
        diff.append(entry)
    return {"changes": changes, "changed": diff, "after": new.result, "session": new}


def what_if_text(ans: dict, lang: str) -> str:
    zh = lang == "zh"
    lines = [("如果 " if zh else "what if ") + "; ".join(ans["changes"])]
    if not ans["changed"]:
        lines.append("  无变化" if zh else "  nothing changed")
    for e in ans["changed"]:
        b, a = e["before"] or {}, e["after"] or {}
        val = lambda x: x.get("amount") if x.get("amount") is not None else (x.get("category") or ("—" if not x else ""))
        if e.get("same_amount"):
            line = f"  {e['target']}: {val(a)} ({'数额不变，依据改变' if zh else 'same amount, different rule'}: {b.get('rule')} → {a.get('rule')})"
            if e.get("category"):
                line += f"  [{e['category']['before']} → {e['category']['after']}]"
            lines.append(line)
            continue
        line = f"  {e['target']}: {val(b) or '—'} → {val(a) or '—'}"
        if a.get("reason") and a.get("amount") == "0.00":
            line += f"  ({a['reason']})"
        if e.get("category"):
            line += f"  [{e['category']['before']} → {e['category']['after']}]"
        if e.get("rule_that_made_the_difference"):
            line += f"  〔{e['rule_that_made_the_difference']}: {e['why']}〕" if zh else f"  [{e['rule_that_made_the_difference']}: {e['why']}]"
        lines.append(line)
    return "\n".join(lines) + "\n"
