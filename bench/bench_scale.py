"""Benchmark: a province through `medaid batch --cluster local:W` (`make bench-scale`).

    python bench/bench_scale.py [--n 1570000] [--workers 2] [--scaling-n 20000] [--partition 5000]

Generates N applicants with the mix of `make bench` (bench_batch.generate), streamed to a JSON
Lines file (never all in memory), runs them through `medaid batch --cluster local:W -o DIR/`
as a separate process, and samples the memory of its process tree every half second: the
driver, and each Dask worker together with the engine it forks per partition. Then the scaling
from 1 to W workers on --scaling-n applicants: efficiency = rate_W / (W × rate_1). Rates count
the whole command, start-up (cluster, plan) included.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import generate  # noqa: E402


def write_population(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for case in generate(n):
            f.write(json.dumps(case, ensure_ascii=False) + "\n")


def run(src: Path, out: Path, workers: int, partition: int) -> dict:
    """One `medaid batch --cluster local:W` run: wall time and peak memory (MiB) by role."""
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "medaid_logic.cli", "batch", str(src), "-o", f"{out}/",
           "--cluster", f"local:{workers}", "--partition", str(partition)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    driver = psutil.Process(proc.pid)
    peak_driver = peak_worker = 0.0
    timeline = []  # (seconds, the largest worker's MiB)
    while proc.poll() is None:
        try:
            peak_driver = max(peak_driver, driver.memory_info().rss / 2**20)
            largest = 0.0
            for w in driver.children():  # Dask workers; their children are the engines forked per partition
                try:
                    mem = w.memory_info().rss + sum(c.memory_info().rss for c in w.children(recursive=True))
                except psutil.Error:
                    continue
                largest = max(largest, mem / 2**20)
            peak_worker = max(peak_worker, largest)
            timeline.append((time.perf_counter() - t0, largest))
        except psutil.Error:
            pass
        time.sleep(0.5)
    err = proc.stderr.read().decode()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"medaid batch failed ({proc.returncode}):\n{err}")
    summary = next(line for line in err.splitlines() if line.startswith("medaid batch:") and "applicants" in line)
    n = int(summary.split()[2])
    thirds = [max((m for t, m in timeline if k * wall / 3 <= t < (k + 1) * wall / 3), default=0.0) for k in range(3)]
    return {"workers": workers, "applicants": n, "wall_s": round(wall, 2), "rate": round(n / wall, 1),
            "peak_driver_mib": round(peak_driver), "peak_worker_mib": round(peak_worker),
            "worker_mib_by_third": [round(x) for x in thirds], "summary": summary}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_570_000, help="applicants (Shanxi certifies about 1.57 million)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scaling-n", type=int, default=20_000, help="applicants for the 1 → W scaling runs (0: skip)")
    ap.add_argument("--partition", type=int, default=5000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        src = tmp / "population.jsonl"
        t = time.perf_counter()
        write_population(src, args.n)
        print(f"generated {args.n} applicants ({src.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - t:.1f} s")
        main_run = run(src, tmp / "out", args.workers, args.partition)
        print(json.dumps(main_run, ensure_ascii=False))
        print(f"{main_run['applicants']} applicants on local:{args.workers}: {main_run['wall_s']} s wall, "
              f"{main_run['rate']:,.0f} applicants/s; peak memory driver {main_run['peak_driver_mib']} MiB, "
              f"worker (with its engine) {main_run['peak_worker_mib']} MiB; largest worker by third of the run "
              f"{main_run['worker_mib_by_third']} MiB")
        if args.scaling_n:
            small = tmp / "scaling.jsonl"
            write_population(small, args.scaling_n)
            one = run(small, tmp / "out1", 1, args.partition)
            many = run(small, tmp / f"out{args.workers}", args.workers, args.partition)
            eff = many["rate"] / (args.workers * one["rate"])
            print(f"scaling on {args.scaling_n}: 1 worker {one['rate']:,.0f}/s ({one['wall_s']} s), "
                  f"{args.workers} workers {many['rate']:,.0f}/s ({many['wall_s']} s): efficiency "
                  f"{many['rate']:,.0f} / ({args.workers} × {one['rate']:,.0f}) = {eff:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
