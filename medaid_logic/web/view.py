"""What the result page shows, gathered from the result, the solver's atoms and the KB: the
formulas in the page's language, the pictures' figures (sums of the result's amounts only) and
what is still needed. No amount is computed here that the solver did not give."""
from __future__ import annotations

from decimal import Decimal

from ..case import STATISTICS
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
    for kk, order, what, amount, pid, formula in s.atoms["step"]:
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
            out.append(f"{w.step(f.get('about'))}: {w.status('delegated')} → {f['delegated_to']} ({src['clause']})")
    return out


def warnings(result: dict) -> list[dict]:
    """Delegated and vague readings: the flags that say a standard is not (clearly) set."""
    return [f for f in result["flags"] if f["kind"] in ("delegated", "vague", "not_in_force")]


def whatif_defaults(case: dict) -> dict:
    return {"identities": case["applicant"].get("identities", []), "claims": case.get("claims", []),
            "stats": {k: v for k, v in (case.get("parameters") or {}).items() if k in STATISTICS}}
