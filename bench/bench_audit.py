"""Benchmark: `medaid audit` on the real KB (the issue's bound: under a minute on this machine).

    python bench/bench_audit.py

Prints the wall time of a full audit (static checks and the solver's searches), the findings by
severity and peak memory. Timing lives here, never in a test.
"""
from __future__ import annotations

import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from medaid_logic.audit import run_audit  # noqa: E402


def main() -> None:
    t = time.perf_counter()
    report = run_audit()
    dt = time.perf_counter() - t
    by = Counter(f["severity"] for f in report["findings"])
    print(f"audit: {dt:.1f} s for {len(report['findings'])} findings "
          f"({', '.join(f'{k} {v}' for k, v in sorted(by.items()))}); bound 60 s: {'met' if dt < 60 else 'NOT met'}")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
