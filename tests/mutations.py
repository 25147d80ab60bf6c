"""Mutation fuzzer over examples/ and tests/cases/: every outcome is a result or a CaseError.

    python tests/mutations.py [--n 5000] [--seed 1]      (`make fuzz`)

Each mutation of a valid case is turned into the bytes a caller would send and read the way
`medaid evaluate` reads them (strict_json.loads, then Engine.evaluate, then the result encoded
as UTF-8). Outcomes: accepted (a result), rejected (a CaseError naming a field path), or a crash
(any other exception, or an output that cannot be encoded). Mutations of a kind that is always
bad input (a wrong type, an unknown code, an out-of-range number, bad bytes, deep nesting, a
duplicate key, ...) must be rejected: an acceptance of one is a silent acceptance and counts as
a failure as much as a crash. Mutations whose validity depends on where they land (a missing
field, a control character in a string) may go either way.
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from medaid_logic.case import loads  # noqa: E402
from medaid_logic.errors import CaseError  # noqa: E402

# keys whose string values are codes of the case format (any other string is free text)
CODE_KEYS = {"jurisdiction", "category", "subtype", "kind", "local", "hospital_class", "chronic_management",
             "disease", "precedence"}
CONTROL = [chr(c) for c in (0, 7, 8, 9, 10, 12, 13, 27, 127)] + ["\u2028", "\ufeff", "\ue000"]
OUT_OF_RANGE = ["-1", "-0.01", "1e999999", "1e30", "9" * 40, "0.001", "21474836.48", "1e-999999", "NaN", "Infinity"]


def seeds() -> list[dict]:
    out = []
    for path in sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "tests" / "cases").rglob("*.json")):
        spec = loads(path.read_bytes())
        if "error" not in spec.get("expect", {}):
            out.append(spec.get("case", spec))
    return out


def _slots(value, path=()):
    """(path, value) of every value inside a case, containers included."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _slots(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _slots(v, path + (i,))


def _set(case, path, value):
    cur = case
    for p in path[:-1]:
        cur = cur[p]
    cur[path[-1]] = value


def _dumps(case) -> bytes:
    return json.dumps(case, ensure_ascii=False, default=str).encode("utf-8")


def _pick(rng, case, want):
    slots = [(p, v) for p, v in _slots(case) if p and want(p, v)]
    return rng.choice(slots) if slots else (None, None)


def _key(path):
    return next((p for p in reversed(path) if isinstance(p, str)), None)


def _is_money(path, v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and _key(path) not in ("year",) \
        and path[0] in ("claims", "parameters", "applicant") and _key(path) != "disability_certificate_grade"


def wrong_type(rng, case):
    path, v = _pick(rng, case, lambda p, v: v is not None and not (p[0] == "parameters" and len(p) == 1))
    if path is None:
        return None
    if isinstance(v, bool):
        new = rng.choice(["true", 1, 0, [v], {"v": v}])
    elif isinstance(v, (int, float)) or hasattr(v, "as_tuple"):
        new = rng.choice([True, False, [v], {"v": v}])
    elif isinstance(v, str):
        new = rng.choice([123, True, [v], {"v": v}])
    elif isinstance(v, list):
        new = rng.choice(["x", 1, {"0": v}])
    else:
        new = rng.choice(["x", 1, [v]])
    _set(case, path, new)
    return _dumps(case)


def missing_field(rng, case):
    path, _ = _pick(rng, case, lambda p, v: isinstance(p[-1], str))
    if path is None:
        return None
    cur = case
    for p in path[:-1]:
        cur = cur[p]
    del cur[path[-1]]
    return _dumps(case)


def unknown_code(rng, case):
    path, _ = _pick(rng, case, lambda p, v: isinstance(v, str) and _key(p) in CODE_KEYS)
    if path is None:
        return None
    _set(case, path, rng.choice(["zz_unknown", "DIBAO", "dibao ", "", "inpatient\u0000"]))
    return _dumps(case)


def unknown_field(rng, case):
    path, _ = _pick(rng, case, lambda p, v: isinstance(v, dict) and _key(p) != "parameters")
    target = case if path is None or rng.random() < 0.3 else path
    obj = case if target is case else None
    if obj is None:
        cur = case
        for p in path:
            cur = cur[p]
        obj = cur
    obj[rng.choice(["extra", "Claims", "case_id ", "totalCost", "__proto__"])] = 1
    return _dumps(case)


def out_of_range(rng, case):
    path, _ = _pick(rng, case, lambda p, v: _is_money(p, v) or _key(p) == "year")
    if path is None:
        return None
    marker = "\u0001NUMBER\u0001"
    _set(case, path, marker)
    text = json.dumps(case, ensure_ascii=False, default=str)
    return text.replace(json.dumps(marker), rng.choice(OUT_OF_RANGE)).encode("utf-8")


def foreign_digits(rng, case):
    path, v = _pick(rng, case, _is_money)
    if path is None:
        return None
    digits = str(int(v)) if int(v) == v else str(v)
    table = rng.choice([str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"), str.maketrans("0123456789", "０１２３４５６７８９"),
                        None])
    new = digits.translate(table) if table else (digits[:1] + "_" + digits[1:] if len(digits) > 1 else digits + "_0")
    _set(case, path, new)
    return _dumps(case)


def bad_date(rng, case):
    path, v = _pick(rng, case, lambda p, v: _key(p) in ("since", "until", "admitted", "discharged", "date", "birth_date")
                    and isinstance(v, str))
    if path is None:
        return None
    _set(case, path, rng.choice([v + "T00:00:00", v.replace("-", ""), v.replace("-", "/"), 1672531200,
                                 v[:8] + "32", "２０２３-０１-０１", v + " ", "2023-13-01"]))
    return _dumps(case)


def control_chars(rng, case):
    path, v = _pick(rng, case, lambda p, v: isinstance(v, str))
    if path is None:
        return None
    i = rng.randrange(len(v) + 1)
    _set(case, path, v[:i] + rng.choice(CONTROL) + v[i:])
    return _dumps(case)


def deep_nesting(rng, case):
    path, _ = _pick(rng, case, lambda p, v: True)
    depth = rng.choice([40, 200, 1200, 5000])
    marker = "\u0001DEEP\u0001"
    if path is None:
        return None
    _set(case, path, marker)
    text = json.dumps(case, ensure_ascii=False, default=str)
    nest = rng.choice([("[" * depth, "]" * depth), ('{"a":' * depth, "}" * depth)])
    return text.replace(json.dumps(marker), nest[0] + "1" + nest[1]).encode("utf-8")


def bad_bytes(rng, case):
    raw = bytearray(_dumps(case))
    i = rng.randrange(len(raw))
    bad = rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\x80", b"\xe4\xb8", b"\xf8\x88\x80\x80\x80"])
    raw[i:i] = bad
    return bytes(raw)


def truncated(rng, case):
    raw = _dumps(case)
    return raw[:rng.randrange(len(raw))]


def duplicate_key(rng, case):
    text = json.dumps(case, ensure_ascii=False, default=str)
    keys = [k for k in ('"case_id": ', '"year": ', '"kind": ', '"since": ', '"total_cost": ', '"referred": ')
            if k in text]
    k = rng.choice(keys)
    i = text.index(k)
    return (text[:i] + k + "null, " + text[i:]).encode("utf-8")


def lone_surrogate(rng, case):
    path, v = _pick(rng, case, lambda p, v: isinstance(v, str))
    if path is None:
        return None
    marker = "\u0001SURR\u0001"
    _set(case, path, marker)
    text = json.dumps(case, ensure_ascii=False, default=str)
    return text.replace(json.dumps(marker), json.dumps(v)[:-1] + rng.choice(["\\ud800", "\\udfff", "\\udc00x"]) + '"').encode()


def too_many_claims(rng, case):
    from medaid_logic import limits
    if not case.get("claims"):
        return None
    n = limits.current().max_claims + 1
    case["claims"] = [dict(case["claims"][k % len(case["claims"])], claim_id=f"m{k}") for k in range(n)]
    return _dumps(case)


def bad_override(rng, case):
    key = rng.choice(["inpatient/dibao/ratio", "identity/exit_stay_limit", "income_base", "precedence"])
    case.setdefault("parameters", {})
    case["parameters"][key] = rng.choice([[], [0.5, 0.6], True, {"v": 1}, None, "1e30", -1, 1.5, "per_day"])
    if case["parameters"][key] == "per_day" and key == "precedence":
        pass
    return _dumps(case)


# kind: (mutator, always bad input?)
MUTATORS = {
    "wrong_type": (wrong_type, True), "missing_field": (missing_field, False), "unknown_code": (unknown_code, True),
    "unknown_field": (unknown_field, True), "out_of_range": (out_of_range, True),
    "foreign_digits": (foreign_digits, True), "bad_date": (bad_date, True), "control_chars": (control_chars, False),
    "deep_nesting": (deep_nesting, True), "bad_bytes": (bad_bytes, True), "truncated": (truncated, True),
    "duplicate_key": (duplicate_key, True), "lone_surrogate": (lone_surrogate, True),
    "too_many_claims": (too_many_claims, True), "bad_override": (bad_override, False),
}


def mutations(n: int, seed: int, base: list[dict] | None = None):
    """(kind, must_reject, bytes) for n mutations, reproducible from the seed."""
    rng = random.Random(seed)
    base = base or seeds()
    kinds = sorted(MUTATORS)
    made = 0
    while made < n:
        kind = kinds[made % len(kinds)] if made < len(kinds) else rng.choice(kinds)
        fn, must = MUTATORS[kind]
        raw = fn(rng, copy.deepcopy(rng.choice(base)))
        if raw is None:
            continue
        made += 1
        yield kind, must, raw


def outcome(engine, raw: bytes):
    """('accepted', result) | ('rejected', CaseError) | ('crash', repr) for one input."""
    try:
        result = engine.evaluate(loads(raw))
        json.dumps(result, ensure_ascii=False).encode("utf-8")
        return "accepted", result
    except CaseError as exc:
        if not isinstance(exc.field, str) or not isinstance(exc.message, str) or not exc.message:
            return "crash", f"malformed error {exc.args!r}"
        try:
            json.dumps(exc.as_json(), ensure_ascii=False).encode("utf-8")
        except Exception as enc:  # noqa: BLE001 — the error object itself must be printable
            return "crash", f"error object not encodable: {enc!r}"
        return "rejected", exc
    except Exception as exc:  # noqa: BLE001 — any other exception is what the fuzzer looks for
        return "crash", f"{type(exc).__name__}: {exc}"[:300]


def run(engine, n: int, seed: int) -> dict:
    stats = {"tried": 0, "accepted": 0, "rejected": 0, "crashes": [], "silent": [], "slowest": (0.0, None)}
    for kind, must, raw in mutations(n, seed):
        t = time.perf_counter()
        what, detail = outcome(engine, raw)
        dt = time.perf_counter() - t
        stats["tried"] += 1
        if dt > stats["slowest"][0]:
            stats["slowest"] = (dt, kind)
        if what == "crash":
            stats["crashes"].append((kind, detail, raw[:300]))
        elif what == "accepted":
            stats["accepted"] += 1
            if must:
                stats["silent"].append((kind, raw[:300]))
        else:
            stats["rejected"] += 1
    return stats


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    from medaid_logic.engine import Engine
    engine = Engine()
    t = time.perf_counter()
    s = run(engine, args.n, args.seed)
    print(f"mutations tried {s['tried']}, accepted {s['accepted']}, rejected {s['rejected']}, "
          f"crashes {len(s['crashes'])}, silent acceptances {len(s['silent'])}; "
          f"{time.perf_counter() - t:.1f} s, slowest {s['slowest'][0]:.2f} s ({s['slowest'][1]})")
    for kind, detail, raw in s["crashes"][:20]:
        print(f"CRASH {kind}: {detail}\n    {raw!r}")
    for kind, raw in s["silent"][:20]:
        print(f"SILENT {kind}: {raw!r}")
    return 1 if s["crashes"] or s["silent"] else 0


if __name__ == "__main__":
    sys.exit(main())
