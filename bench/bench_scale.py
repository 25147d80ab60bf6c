"""Benchmark: a province through `medaid batch --cluster local:W` (`make bench-scale`).

    python bench/bench_scale.py [--n 1570000] [--workers 2] [--scaling-n N] [--repeat 3] [--compare]

1. Generates N applicants with the mix of `make bench` (bench_batch.generate), streamed to a JSON
   Lines file (never all in memory), and runs them through `medaid batch --cluster local:W -o DIR/`
   as a separate process, sampling every half second the memory of the driver and of each worker
   together with the child it forks per slice (PSS: the engine pages a worker shares with its
   child and the driver are counted once) — the peak, and the peak in each quarter of the run.
2. The scaling from 1 to W workers, efficiency = rate_W / (W × rate_1): by default of the same
   N applicants, run again with 1 worker (a province: about 40 minutes in all on 2 cores); with
   --scaling-n M, of M applicants of their own, --repeat rounds of 1 worker then W back to back,
   median and range (a short run measures start-up as much as scaling: 20,000 applicants take
   12 s with 2 workers, 0.8 s of it start-up). With --compare also `medaid batch - --jobs W`,
   the forked workers without Dask.
Rates count the whole command, start-up (cluster, KB validation, plan) included.
Prints one JSON line per run, then the figures as Markdown for README's scale section, with the
arithmetic for a 16-core machine and a cluster of 10 such machines.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import generate  # noqa: E402

MIB = 2 ** 20
PROVINCE = 1_570_000  # Shanxi's certified recipients (2022 press texts): what the arithmetic is for


def write_population(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for case in generate(n):
            f.write(json.dumps(case, ensure_ascii=False) + "\n")


def _pss(p: psutil.Process) -> float:
    try:
        return p.memory_full_info().pss
    except (psutil.AccessDenied, AttributeError):  # no smaps: RSS, shared pages counted twice
        return p.memory_info().rss


def run(src: Path, out: Path, workers: int, partition: int | None, forked: bool = False) -> dict:
    """One `medaid batch` run: wall time, peak memory (MiB) of the driver and of the largest
    worker (with its children), and that worker peak by quarter of the run."""
    if out.exists():
        shutil.rmtree(out)
    if forked:  # stdin: the forked workers of workers.py, no Dask
        cmd = [sys.executable, "-m", "medaid_logic.cli", "batch", "-", "-o", str(out.with_suffix(".jsonl")),
               "--jobs", str(workers)]
    else:
        cmd = [sys.executable, "-m", "medaid_logic.cli", "batch", str(src), "-o", f"{out}/",
               "--cluster", f"local:{workers}"] + (["--partition", str(partition)] if partition else [])
    t0 = time.perf_counter()
    cpu0, busy0 = _children_cpu(), _machine_busy()
    stdin = open(src, "rb") if forked else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    driver = psutil.Process(proc.pid)
    peak_driver = 0.0
    timeline = []  # (seconds, the largest worker's MiB)
    while proc.poll() is None:
        try:
            peak_driver = max(peak_driver, driver.memory_info().rss / MIB)
            largest = 0.0
            for w in driver.children():  # the workers; their children: the slice each evaluates now
                try:
                    if "resource_tracker" in " ".join(w.cmdline()):
                        continue
                    mem = _pss(w) + sum(_pss(c) for c in w.children(recursive=True))
                except psutil.Error:
                    continue
                largest = max(largest, mem / MIB)
            timeline.append((time.perf_counter() - t0, largest))
        except psutil.Error:
            pass
        time.sleep(0.5)
    err = proc.stderr.read().decode()
    wall = time.perf_counter() - t0
    cpu = _children_cpu() - cpu0  # every process of the run, reaped: driver, workers, their children
    busy = _machine_busy() - busy0 if busy0 is not None else None  # the cross-check: no process lost
    if forked:
        stdin.close()
        out.with_suffix(".jsonl").unlink(missing_ok=True)
    if proc.returncode != 0:
        raise SystemExit(f"medaid batch failed ({proc.returncode}):\n{err}")
    summary = next(line for line in err.splitlines() if line.startswith("medaid batch:"))
    n = int(summary.split()[2])
    quarters = [round(max((m for t, m in timeline if k * wall / 4 <= t < (k + 1) * wall / 4), default=0.0))
                for k in range(4)]
    shutil.rmtree(out, ignore_errors=True)
    return {"workers": workers, "path": "forked" if forked else "dask", "applicants": n, "wall_s": round(wall, 2),
            "rate": round(n / wall, 1), "cpu_s": round(cpu, 1),
            "machine_busy_s": round(busy, 1) if busy is not None else None, "cpu_ms_per_applicant": round(cpu / n * 1e3, 3),
            "peak_driver_rss_mib": round(peak_driver),
            "peak_worker_pss_mib": max(quarters), "worker_pss_mib_by_quarter": quarters,
            "load_average": round(os.getloadavg()[0], 2), "summary": summary}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _machine_busy() -> float | None:
    """Core-seconds the machine has been busy (/proc/stat: all but idle and iowait), or None.
    On an otherwise idle machine a run's share of it equals its reaped CPU time, unless a process
    of the run ended unreaped (its time then goes to init, and cpu_s misses it)."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:8]]
    except OSError:
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def spread(xs: list[float]) -> str:
    med = statistics.median(xs)
    return f"{med:,.0f} ({min(xs):,.0f}–{max(xs):,.0f})" if len(xs) > 1 else f"{med:,.0f}"


def _cpu(runs: list[dict]) -> str:
    """The median CPU per applicant of the runs' processes, and of the machine's busy time."""
    cpu = statistics.median(r["cpu_ms_per_applicant"] for r in runs)
    busy = [r["machine_busy_s"] / r["applicants"] * 1e3 for r in runs if r["machine_busy_s"] is not None]
    return f"{cpu:.2f}" + (f" ({statistics.median(busy):.2f})" if busy else "")


def _memory(runs: list[dict]) -> str:
    """The runs' peak memory: the driver's, a worker's with its child, and that by quarter."""
    quarters = (max(q) for q in zip(*(r["worker_pss_mib_by_quarter"] for r in runs)))
    return (f"driver {max(r['peak_driver_rss_mib'] for r in runs)} MiB RSS; a worker with its child "
            f"{max(r['peak_worker_pss_mib'] for r in runs)} MiB PSS (by quarter of the run: "
            f"{' / '.join(map(str, quarters))})")


def cpu_efficiency(rounds, W: int) -> str:
    """CPU per applicant with 1 worker over with W: the overhead of running in parallel, which the
    neighbours' load does not change (wall-clock scaling needs W idle cores)."""
    xs = [o["cpu_ms_per_applicant"] / m["cpu_ms_per_applicant"] for o, m, _ in rounds]
    return f"{statistics.median(xs):.2f} (range {min(xs):.2f}–{max(xs):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=PROVINCE, help="applicants (Shanxi certifies about 1.57 million)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scaling-n", type=int, help="applicants for the 1 → W scaling (default: the population itself, "
                    "run once more with 1 worker after the main run; another N: a population of its own, --repeat "
                    "rounds of 1 worker then W; 0: none)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of the scaling on a population of its own (the spread)")
    ap.add_argument("--partition", type=int, help="lines per partition (default: medaid's, one solver chunk)")
    ap.add_argument("--compare", action="store_true", help="also run the forked workers (--jobs W, no Dask)")
    args = ap.parse_args()
    W = args.workers
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    md = []
    try:
        main_run = None
        if args.n:
            src = tmp / "population.jsonl"
            t = time.perf_counter()
            write_population(src, args.n)
            print(f"generated {args.n:,} applicants ({src.stat().st_size / MIB:,.0f} MiB) in "
                  f"{time.perf_counter() - t:.1f} s", flush=True)
            main_run = run(src, tmp / "out", W, args.partition)
            print(json.dumps(main_run, ensure_ascii=False), flush=True)
        rounds = []
        if args.n and args.scaling_n in (None, args.n):  # the scaling of the population itself
            one = run(src, tmp / "out1", 1, args.partition)
            print(json.dumps(one, ensure_ascii=False), flush=True)
            fork = run(src, tmp / "outF", W, None, forked=True) if args.compare else None
            if fork:
                print(json.dumps(fork, ensure_ascii=False), flush=True)
            rounds.append((one, main_run, fork))
        if args.n:
            src.unlink()
        if args.scaling_n and args.scaling_n != args.n:
            small = tmp / "scaling.jsonl"
            write_population(small, args.scaling_n)
            for _ in range(args.repeat):
                one = run(small, tmp / "out1", 1, args.partition)
                print(json.dumps(one, ensure_ascii=False), flush=True)
                many = run(small, tmp / "outW", W, args.partition)
                print(json.dumps(many, ensure_ascii=False), flush=True)
                fork = run(small, tmp / "outF", W, None, forked=True) if args.compare else None
                if fork:
                    print(json.dumps(fork, ensure_ascii=False), flush=True)
                rounds.append((one, many, fork))
        loads = [r["load_average"] for rr in rounds for r in rr if r] + ([main_run["load_average"]] if main_run else [])
        md.append(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on this machine "
                  f"({os.cpu_count()} cores; load average at the end of each run "
                  f"{min(loads):.1f}–{max(loads):.1f}" if loads else "")
        md[-1] += "), `python bench/bench_scale.py " + " ".join(sys.argv[1:]) + "`:\n"
        md.append("| run | applicants | wall | applicants/s | CPU ms per applicant (all processes; the machine's busy time) | peak memory |")
        md.append("|---|---|---|---|---|---|")
        if main_run:
            md.append(f"| `--cluster local:{W}` | {main_run['applicants']:,} | {main_run['wall_s']:,.0f} s "
                      f"({main_run['wall_s'] / 60:.1f} min) | {main_run['rate']:,.0f} | {_cpu([main_run])} | "
                      f"{_memory([main_run])} |")
        if rounds:
            for k, label in ((0, "`--cluster local:1`"), (1, f"`--cluster local:{W}`"), (2, f"`--jobs {W}` from stdin (forked workers, no Dask)")):
                runs = [r[k] for r in rounds if r[k] and r[k] is not main_run]  # not the main run twice
                if not runs:
                    continue
                md.append(f"| {label}" + (f", {len(runs)} runs: median (range)" if len(runs) > 1 else "")
                          + f" | {runs[0]['applicants']:,} | "
                          f"{spread([r['wall_s'] for r in runs])} s | {spread([r['rate'] for r in runs])} | "
                          f"{_cpu(runs)} | {_memory(runs)} |")
            effs = [m["rate"] / (W * o["rate"]) for o, m, _ in rounds]
            r1 = statistics.median(o["rate"] for o, _, _ in rounds)
            eff = statistics.median(effs)
            md.append("")
            md.append(f"Scaling 1 → {W} workers, efficiency = rate_{W} / ({W} × rate_1), per round: "
                      + ", ".join(f"{m['rate']:,.0f} / ({W} × {o['rate']:,.0f}) = {e:.2f}" for (o, m, _), e in zip(rounds, effs))
                      + f"; median **{eff:.2f}** (range {min(effs):.2f}–{max(effs):.2f}). CPU per applicant, "
                      f"1 worker / {W} workers: {cpu_efficiency(rounds, W)}.")
            for label, cores in (("16 cores", 16), ("10 machines × 16 cores", 160)):
                rate = cores * r1 * eff
                md.append(f"- **{label}**: {cores} × {r1:,.0f}/s × {eff:.2f} = {rate:,.0f}/s → "
                          f"{PROVINCE:,} / {rate:,.0f} = {PROVINCE / rate:,.0f} s ({PROVINCE / rate / 60:.1f} min) "
                          f"of evaluation, plus start-up and the driver's one scan of the input")
        print("\n" + "\n".join(md))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
