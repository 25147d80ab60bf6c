"""What the result page shows, gathered from the result, the solver's atoms and the KB: the
formulas in the page's language, the pictures' figures (sums of the result's amounts only) and
what is still needed. No amount is computed here that the solver did not give."""
from __future__ import annotations

from decimal import Decimal

from ..money import fen_to_str


def D(v) -> Decimal:
    return Decimal(str(v)) if v not in (None, "") else Decimal(0)


def steps(s, claim_node: str, claim: dict, lang: str) -> list[dict]:
    out = []
    for st in claim["steps"]:
        node = s.graph.nodes.get(f"{claim_node}.step:{st['what']}", {})
        formula = (node.get("formula_zh") or st["formula"]) if lang == "zh" else st["formula"]
        out.append({**st, "formula": formula, "target": f"{claim_node}.step:{st['what']}"})
    return out


def money_bar(inp: dict, claim: dict, flags: list[dict]) -> list[tuple[str, Decimal]]:
    """A bill's total cost split by who bore it: the insurers' payments (the case's), the aid
    (the solver's), the hospital-borne excess (the solver's flag) and the rest, left to the person."""
    excess = sum((D(f.get("amount")) for f in flags
                  if f["kind"] == "hospital_bears_excess" and f.get("claim_id") == claim["claim_id"]), Decimal(0))
    parts = [("basic", D(inp.get("basic_insurance_paid"))), ("critical", D(inp.get("critical_illness_paid"))),
             ("other", D(inp.get("other_paid"))), ("medical_aid", D(claim["aid"])), ("hospital", excess)]
    left = D(inp.get("total_cost")) - sum(v for _, v in parts)
    parts.append(("left", max(left, Decimal(0))))
    return parts


def svg_segments(parts: list[tuple[str, Decimal]], width: int = 600) -> list[dict]:
    total = sum(v for _, v in parts) or Decimal(1)
    x, out = 0, []
    for name, v in parts:
        w = int(round(width * v / total)) if v > 0 else 0
        out.append({"name": name, "amount": format(v.quantize(Decimal("0.01")), "f"), "x": x, "w": w})
        x += w
    return out


def cap_use(s, claims: list[dict]) -> list[dict]:
    """The annual cap as the solver consumed it: for each claim it capped (step annual_cap, term
    cap(raw, cap, used before, remaining)) the cap, what earlier claims used and this claim's aid."""
    out = []
    for st in s.atoms["step"]:
        kk, what, amount, formula = st.item, st.what, st.fen, st.formula
        if what != "annual_cap" or not isinstance(kk, int) or not isinstance(formula, tuple) or formula[0] != "cap":
            continue
        raw, cap, used, rem = formula[1:]
        cid = s.claim_ids[kk]
        out.append({"claim_id": cid, "cap": fen_to_str(cap), "used": fen_to_str(used), "this": fen_to_str(amount),
                    "remaining": fen_to_str(max(rem - amount, 0)),
                    "w_used": int(600 * used / cap) if cap else 0, "w_this": int(600 * amount / cap) if cap else 0})
    return sorted(out, key=lambda r: s.claim_ids.index(r["claim_id"]))


def still_needed(result: dict, w) -> list[str]:
    """Which fact or whose decision an undetermined outcome waits for, in words."""
    out = []
    p = result["premium_subsidy"]
    if p.get("status") in ("delegated", "undetermined"):
        who = p.get("delegated_to")
        out.append(f"{w.t('premium')}: {w.status(p['status'])}" + (f" → {who}" if who else ""))
    for c in result["claims"]:
        for r in c.get("reason_codes", []):
            if r["code"] == "delegated":
                out.append(f"{w.t('bill')} {c['claim_id']}: {w.reason(c)}")
    for f in result["flags"]:
        if f["kind"] == "delegated" and f.get("delegated_to"):
            src = w.clause(f.get("rule"))
            about = w.step(f["about"]) if f.get("about") else f"{w.t('bill')} {f['claim_id']}" if f.get("claim_id") else w.flag(f["kind"])
            out.append(f"{about}: {w.status('delegated')} → {f['delegated_to']} ({src['clause']})")
    return out


def warnings(result: dict) -> list[dict]:
    """Delegated and vague readings: the flags that say a standard is not (clearly) set."""
    return [f for f in result["flags"] if f["kind"] in ("delegated", "vague", "not_in_force")]


def node_text(s, n: dict, w) -> str:
    """One node of a why tree in the reader's words: a parameter by its benefit, categories and
    value, an input by the field's name, a category by its label; the clause by its locator.
    Other kinds keep the legal layer's line (legal/why.py node_line) with ids turned to words."""
    import re
    from ..legal.i18n import w as lw
    from ..legal.why import node_line
    kind, label = n.get("kind"), str(n.get("label", n.get("node")))
    loc = f"〔{w.locator(n['rule'])}〕" if n.get("rule") else ""
    if kind == "parameter" and label in s.kb.parameters:
        p = s.kb.parameters[label]
        return f"{lw('parameter', w.lang)} {w.benefits(p.benefits)} · {w.cats(p.categories)}: {w.value(label)} {loc}"
    if kind == "input":
        m = re.fullmatch(r"claims\[(\d+)\]\.(\w+)", label)
        if m and int(m.group(1)) < len(s.claim_ids):
            name = f"{w.t('bill')} {s.claim_ids[int(m.group(1))]} · {w.t(m.group(2))}"
        elif re.fullmatch(r"applicant\.identities\[\d+\]", label):
            name = w.t("identities")
        else:
            name = w.t(label.rsplit(".", 1)[-1])
        return f"{lw('input', w.lang)} {name} = {w.note(str(n.get('value')))}"
    if kind == "category":
        return (f"{lw('category', w.lang)} {w.cat(label)} {n.get('since') or ''} – {n.get('until') or ''}"
                f" ({w.source(n.get('source'))}) {loc}")
    if kind == "step":
        formula = (n.get("formula_zh") or n.get("formula")) if w.zh else n.get("formula")
        return f"{w.step(label)} {n.get('amount')} = {formula} {loc}"
    if kind == "claim":
        cat = f" [{w.cat(n['category'])}]" if n.get("category") else ""
        return f"{w.t('bill')} {label}: {w.t('aid')} {n.get('amount')}{cat} {loc}"
    if kind == "alternative":
        return f"{lw('alternative', w.lang)} {w.cat(label)}: {n.get('amount')} {loc}"
    line = re.sub(r"\s*〔[^〕]*〕|\s*\[[a-z]+/[^\]]*\]", "", node_line(s, n, w.lang))
    return f"{w.note(line)} {loc}"


def change_text(ch: str, w) -> str:
    """A what-if change (`identity.returned_poor.until=2023-05-01`) in words."""
    import re
    m = re.fullmatch(r"identity\.(\w+)\.(since|until)=(.*)", ch)
    if m:
        return f"{w.cat(m.group(1))} · {w.t(m.group(2))} = {m.group(3) if m.group(3) != 'null' else '—'}"
    m = re.fullmatch(r"claim\.([^.]+)\.(\w+)=(.*)", ch)
    if m:
        return f"{w.t('bill')} {m.group(1)} · {w.t(m.group(2))} = {m.group(3)}"
    m = re.fullmatch(r"identity([+-])=(\w+)(.*)", ch)
    if m:
        return f"{'+' if m.group(1) == '+' else '−'} {w.cat(m.group(2))}{m.group(3)}"
    m = re.fullmatch(r"param\.([^=]+)=(.*)", ch)
    if m:
        key = m.group(1)
        return f"{w.t(key) if key in ('income_base', 'rural_income_base', 'dibao_standard', 'contribution') else key} = {m.group(2)}"
    return ch


CONSUMED = {"cap_used_by": "annual_cap", "deductible_met_by": "deductible"}


def consumed_by(s, claim_id: str) -> dict[str, list[str]]:
    """The earlier claims that used up a claim's cap or met its deductible (the graph's
    cap_used_by / deductible_met_by edges, from the solver's pool atoms): {limit: [claim ids]}."""
    out: dict[str, list[str]] = {}
    g = s.graph
    for what in ("annual_cap", "deductible"):
        node = f"claim:{claim_id}.step:{what}"
        if node not in g:
            continue
        for m in g.successors(node):
            limit = CONSUMED.get(g.edges[node, m].get("rel"))
            if limit and m.startswith("claim:"):
                out.setdefault(limit, []).append(m.split(":", 1)[1])
    return out
