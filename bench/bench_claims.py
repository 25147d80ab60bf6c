"""Benchmark: one applicant with many claims (the work limit's worst case).

    python bench/bench_claims.py [N ...]     (default 400)

Each N is evaluated in a fresh process (peak memory is that process's), through the path of
`medaid evaluate`. The target (issue 12): 400 claims in under 1 s and 300 MB.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def case(n: int) -> dict:
    claims = []
    for k in range(n):
        d = date(2023, 1, 1) + timedelta(days=k % 360)
        c = {"claim_id": f"c{k}", "kind": "inpatient" if k % 3 else "outpatient_chronic", "in_province": True,
             "referred": True, "total_cost": 5000 + k, "in_policy_cost": 5000 + k, "basic_insurance_paid": 2500,
             "critical_illness_paid": 0, "other_paid": 0}
        if k % 3:
            c.update(admitted=d.isoformat(), discharged=d.isoformat())
        else:
            c.update(date=d.isoformat(), chronic_management="per_visit")
        claims.append(c)
    return {"case_id": f"many-{n}", "jurisdiction": "taiyuan", "year": 2023,
            "applicant": {"identities": [{"category": "dibao", "since": "2021-01-01", "until": None},
                                         {"category": "returned_poor", "since": "2021-01-01", "until": None}],
                          "birth_date": "1960-05-05"},
            "claims": claims, "parameters": {"income_base": 29178, "contribution": 380}}


def one(n: int) -> None:
    from medaid_logic import limits
    from medaid_logic.engine import Engine
    limits.configure(max_claims=max(n, 1))
    engine = Engine()
    data = json.loads(json.dumps(case(n)))
    t = time.perf_counter()
    result = engine.evaluate(data)
    dt = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n} claims: {dt:.2f} s, peak {peak:.0f} MiB (process, KB and programs included); total aid {result['total_aid']}")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        one(int(sys.argv[2]))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [400]
    base = subprocess.run([sys.executable, __file__, "--one", "0"], capture_output=True, text=True)
    print(f"baseline (no claims): {base.stdout.strip() or base.stderr.strip()}")
    for n in sizes:
        r = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True)
        print(r.stdout.strip() or r.stderr.strip()[-500:])


if __name__ == "__main__":
    main()
