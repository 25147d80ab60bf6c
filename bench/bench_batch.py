"""Benchmark: batch evaluation of generated applicants through the same path as `medaid batch`
(Engine.stream: validation, facts, grounding, solving, read-out with explanations kept).

    python bench/bench_batch.py [N] [--chunk C]

Prints applicants per second, the time split (load, ground, solve, read-out) and peak memory.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from medaid_logic.engine import batch_engine  # noqa: E402
from medaid_logic.limits import CHUNK  # noqa: E402

# The population's mix of categories where one was chosen for a jurisdiction; any other
# jurisdiction of the KB (a new city) is generated with the categories the KB holds there.
CATS = {
    "shanxi": ["tekun", "dibao", "dibao_edge", "illness_poor", "returned_poor", "monitored"],
    "taiyuan": ["tekun", "dibao", "dibao_edge", "illness_poor", "returned_poor", "monitored", "low_income", "key_entitled_veteran"],
    "wuhai": ["tekun", "dibao", "dibao_edge", "illness_poor", "monitored", "returned_poor"],
    "wuxi": ["tekun", "dibao", "dibao_edge", "distressed_child", "hardship_worker", "severe_disability", "expenditure_hardship_patient"],
}
KINDS = ["inpatient", "inpatient", "inpatient", "outpatient_chronic", "outpatient_special_drug", "outpatient_general"]


def day(rng, year):
    return date(year, 1, 1) + timedelta(days=rng.randrange(0, 364))


def population(kb) -> dict[str, list[str]]:
    """Jurisdiction → the categories its applicants are drawn from; the jurisdictions are the KB's."""
    return {j: CATS.get(j) or [c.id for c in kb.categories_in(j)] for j in kb.jurisdictions}


def required_places(kb, j: str) -> list[str]:
    """The applicant fields naming a place that j's rules require of everyone (hukou, insured_in)."""
    return sorted({kb.applicant_field_required[p.kind] for p in kb.parameters_of(j)
                   if p.kind in kb.applicant_field_required and p.categories == ["everyone"]})


def generate(n: int, seed: int = 7, kb=None):
    from medaid_logic.kb import load_kb
    kb = kb or load_kb()
    cats = population(kb)
    places = {j: required_places(kb, j) for j in cats}
    rng = random.Random(seed)
    for i in range(n):
        j = rng.choice(list(cats))
        year = 2023
        idents = []
        for c in rng.sample(cats[j], min(len(cats[j]), rng.randint(1, 3))):
            since = date(2021, 1, 1) if rng.random() < 0.7 else day(rng, year)
            until = None
            if rng.random() < 0.2:  # changes identity within the year
                until = max(since + timedelta(days=30), day(rng, year))
                until = min(until, date(year, 12, 31))
                if until <= since:
                    until = None
            idents.append({"category": c, "since": since.isoformat(), "until": until and until.isoformat()})
        claims = []
        for k in range(rng.randint(1, 4)):
            kind = rng.choice(KINDS)
            ip = rng.randrange(1000, 120000)
            basic = ip * rng.randrange(40, 70) // 100
            crit = (ip - basic) * rng.randrange(0, 30) // 100
            extra = rng.choice([0, 0, ip // 10])
            c = {"claim_id": f"c{k}", "kind": kind, "in_province": rng.random() < 0.9, "referred": rng.random() < 0.95,
                 "local": rng.choice(["city", "county", None]), "total_cost": ip + extra, "in_policy_cost": ip,
                 "basic_insurance_paid": basic, "critical_illness_paid": crit, "other_paid": 0}
            if extra:
                c["hospital_class"] = rng.choice(["provincial_1", "municipal_2", "county_2", "level_2", "level_3"])
            if kind == "inpatient":
                d = day(rng, year)
                c["admitted"], c["discharged"] = d.isoformat(), min(d + timedelta(days=rng.randint(1, 20)), date(year, 12, 31)).isoformat()
            else:
                c["date"] = day(rng, year).isoformat()
            if kind == "outpatient_chronic":
                c["chronic_management"] = rng.choice(["per_visit", "quota"])
            if c["local"] is None:
                del c["local"]
            claims.append(c)
        case = {"case_id": f"b{i}", "jurisdiction": j, "year": year,
                "applicant": {"identities": idents, "birth_date": "1960-05-05"}, "claims": claims,
                "parameters": {"income_base": 29178, "contribution": 380}}
        case["applicant"].update(dict.fromkeys(places[j], j))
        if j == "wuhai":
            case["parameters"].update({"income_base": 48000, "rural_income_base": 24000})
        yield case


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=20000)
    ap.add_argument("--chunk", type=int, default=CHUNK, help="cases per solver call (default: the batch chunk)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (the target is stated for one); 0: in this process")
    ap.add_argument("--split", type=int, default=5000, help="applicants timed in-process for the split")
    args = ap.parse_args()
    t0 = time.perf_counter()
    engine, validated = batch_engine()  # as `medaid batch` starts: the KB validated meanwhile
    t_setup = time.perf_counter() - t0
    # the population as the lines of an input file, made before the clock starts: the timed
    # driver reads them as `medaid batch` reads its file (the generator costs more than that)
    t = time.perf_counter()
    lines = [json.dumps(c, ensure_ascii=False) for c in generate(args.n, kb=engine.kb)]
    t_generate = time.perf_counter() - t
    t1 = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    n = errors = 0
    aid_total = 0
    for res in engine.stream(map(json.loads, lines), chunk=args.chunk, jobs=args.jobs):
        if not n:
            validated()
        n += 1
        if isinstance(res, Exception):
            errors += 1
        else:
            aid_total += int(res["total_aid"].replace(".", ""))
    dt = time.perf_counter() - t1
    cpu1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_main, cpu_workers = ((b.ru_utime + b.ru_stime) - (a.ru_utime + a.ru_stime) for a, b in zip(cpu0, cpu1))
    peak_worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    peak_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # where the time goes, measured in this process on a sample
    t = time.perf_counter()
    engine.timings.clear()
    for _ in engine.stream(generate(args.split, seed=11, kb=engine.kb), chunk=args.chunk, jobs=0):
        pass
    t_split = time.perf_counter() - t
    split = dict(engine.timings)
    parse = t_split - sum(split.values())
    print(f"applicants: {n} ({errors} rejected), chunk {args.chunk}, jobs {args.jobs}; generated in {t_generate:.2f} s (not counted)")
    print(f"time: {dt:.2f} s  ->  {n / dt:,.0f} applicants/s ({args.jobs} process(es); setup {t_setup:.2f} s not counted)")
    print(f"start-up included: {dt + t_setup:.2f} s  ->  {n / (dt + t_setup):,.0f} applicants/s")
    # CPU seconds: on a shared machine the wall clock counts other people's work too
    if args.jobs > 0:
        print(f"cpu: workers {cpu_workers:.2f} s ({n / cpu_workers:,.0f} applicants per worker CPU-second), "
              f"main {cpu_main:.2f} s (input lines read, results read); machine load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"split of {args.split} in-process ({args.split / t_split:,.0f}/s): "
          + ", ".join(f"{k} {v:.2f} s" for k, v in split.items()) + f", validation+facts {parse:.2f} s")
    print(f"peak memory (before the split sample): main {peak_main:.0f} MiB, largest worker {peak_worker:.0f} MiB; total aid {aid_total / 100:,.2f} yuan")


if __name__ == "__main__":
    main()
