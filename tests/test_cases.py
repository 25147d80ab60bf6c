"""Hand-computed cases (tests/cases/**.json): each expected figure was computed by hand from
its clause, with the arithmetic in the file. Only the fields `expect` names are compared."""
import json
from decimal import Decimal
from pathlib import Path

import pytest

from medaid_logic.case import loads
from medaid_logic.errors import CaseError

CASES = sorted(Path(__file__).parent.joinpath("cases").rglob("*.json"))


def _ids():
    return [str(p.relative_to(Path(__file__).parent / "cases")) for p in CASES]


@pytest.mark.parametrize("path", CASES, ids=_ids())
def test_case(path, engine):
    spec = loads(path.read_text(encoding="utf-8"))
    expect = spec["expect"]
    assert spec.get("arithmetic") or "error" in expect, f"{path.name}: no arithmetic"
    if "error" in expect:
        with pytest.raises(CaseError) as err:
            engine.evaluate(spec["case"])
        assert err.value.field == expect["error"]["field"], err.value.message
        return
    r = engine.evaluate(spec["case"])
    check(r, expect)


def check_sources(what: str, rule, source, steps) -> None:
    """Every amount names its rule, and the source attached is that rule's clause (the locator
    the rule id carries, without a #part)."""
    pairs = [(what, rule, source)] + [(f"{what}.{s['what']}", s.get("rule"), s.get("source")) for s in steps]
    for name, rl, src in pairs:
        if rl is None:
            assert src is None, f"{name}: a source without a rule"
            continue
        assert src and src.get("text"), f"{name}: rule {rl} without its clause text"
        locator = rl.split("#")[0].split("/", 1)[1]
        assert locator.endswith(src["clause"]), f"{name}: rule {rl} cites clause {src['clause']}"


def _money(v):
    return None if v is None else f"{Decimal(str(v)):.2f}"


def check(r: dict, expect: dict) -> None:
    for key in ("applied_category",):
        if key in expect:
            assert r[key] == expect[key], f"{key}: {r[key]} != {expect[key]}"
    if "total_aid" in expect:
        assert r["total_aid"] == _money(expect["total_aid"]), f"total_aid {r['total_aid']} != {expect['total_aid']}"
    claims = {c["claim_id"]: c for c in r["claims"]}
    for cid, ce in expect.get("claims", {}).items():
        c = claims[cid]
        for k, v in ce.items():
            if k == "aid":
                assert c["aid"] == _money(v), f"claim {cid} aid {c['aid']} != {v} ({c.get('reason') or c['steps']})"
            elif k == "limited_by":
                assert set(c["limited_by"]) == set(v), f"claim {cid} limited_by {c['limited_by']} != {v}"
            elif k == "steps":
                got = {s["what"]: s["amount"] for s in c["steps"]}
                for what, amount in v.items():
                    assert got.get(what) == _money(amount), f"claim {cid} step {what}: {got.get(what)} != {amount}"
            else:
                assert c[k] == v, f"claim {cid} {k}: {c[k]} != {v}"
    for c in r["claims"]:
        check_sources(c["claim_id"], c.get("rule"), c.get("source"), c["steps"])
    for a in r["annual"]:
        check_sources(a["kind"], a.get("rule"), a.get("source"), a["steps"])
    if "year_totals" in expect:
        got = {t["category"]: t for t in r["precedence"]["aid"]["year_totals"]}
        assert set(got) == set(expect["year_totals"]), f"year_totals {sorted(got)} != {sorted(expect['year_totals'])}"
        for cat, te in expect["year_totals"].items():
            assert got[cat]["total"] == _money(te["total"]), f"year total {cat}: {got[cat]['total']} != {te['total']}"
            assert got[cat].get("tilted_aid") == _money(te.get("tilted_aid")), f"year tilted aid {cat}: {got[cat].get('tilted_aid')}"
    if "tie_with" in expect:
        assert (r["precedence"] or {}).get("aid", {}).get("tie_with") == expect["tie_with"], r["precedence"]
        assert any(n.startswith("take the highest:") for n in r["notes"]), r["notes"]
    if "annual_claims" in expect:
        got = {a["kind"]: a["claims"] for a in r["annual"]}
        for kind, ids in expect["annual_claims"].items():
            assert got.get(kind) == ids, f"annual {kind} claims: {got.get(kind)} != {ids}"
    if "annual" in expect:
        got = {a["kind"]: a["aid"] for a in r["annual"]}
        for kind, amount in expect["annual"].items():
            assert got.get(kind) == _money(amount), f"annual {kind}: {got.get(kind)} != {amount}"
    if "premium_subsidy" in expect:
        for k, v in expect["premium_subsidy"].items():
            got = r["premium_subsidy"].get(k)
            if k == "amount":
                v = _money(v)
            assert got == v, f"premium_subsidy.{k}: {got} != {v}"
    if "insurance_tilt" in expect:
        if expect["insurance_tilt"] is None:
            assert r["insurance_tilt"] is None
        else:
            for k, v in expect["insurance_tilt"].items():
                assert r["insurance_tilt"].get(k) == v, f"insurance_tilt.{k}: {r['insurance_tilt'].get(k)} != {v}"
    if "categories" in expect:
        assert {c["category"] for c in r["categories"]} == set(expect["categories"])
    kinds = {f["kind"] for f in r["flags"]}
    for k in expect.get("flags", []):
        assert k in kinds, f"flag {k} missing; flags: {sorted(kinds)}"
    for k in expect.get("flags_absent", []):
        assert k not in kinds, f"flag {k} present"
    for fd in expect.get("flag_details", []):
        assert any(all(str(f.get(k)) == str(v) if k not in ("amount",) else f.get(k) == _money(v) for k, v in fd.items())
                   for f in r["flags"]), f"no flag matches {fd}; flags: {r['flags']}"
