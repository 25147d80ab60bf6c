"""Where the driver's time goes in a batch with forked workers (Engine.stream, jobs >= 1), per
applicant, on the `make bench` population: what the process that reads the input and the results
spends beside the workers. With two workers on two cores it competes with them.

    python bench/profile_driver.py [N]

CPU time (time.process_time) of each step the driver runs on one chunk, repeated: the input line
parsed (medaid batch's line_item), the chunk pickled to its worker, the worker's marshalled
results read back with the cyclic collector paused as Engine.stream reads them and, for
comparison, with it running (its collections traverse this process's heap: the engine, the
KB), and the output lines written (records.line_record, as `medaid batch` writes them).
"""
from __future__ import annotations

import gc
import json
import marshal
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_batch import generate  # noqa: E402
from medaid_logic.engine import Engine  # noqa: E402
from medaid_logic.limits import CHUNK  # noqa: E402
from medaid_logic.records import line_item, line_record  # noqa: E402
from medaid_logic.workers import gc_paused  # noqa: E402


def per_applicant(fn, n: int, rounds: int = 10) -> float:
    """CPU milliseconds per applicant of fn(), which handles n applicants."""
    t = time.process_time()
    for _ in range(rounds):
        fn()
    return (time.process_time() - t) / rounds / n * 1e3


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else CHUNK
    engine = Engine()
    cases = list(generate(n, kb=engine.kb))
    lines = [json.dumps(c, ensure_ascii=False).encode() for c in cases]
    sent = pickle.dumps(cases, pickle.HIGHEST_PROTOCOL)
    results = engine.evaluate_batch(cases)
    received = marshal.dumps(results)
    stats = {"cases": 0, "errors": 0, "skipped": 0}

    def unmarshal_paused():
        with gc_paused():
            marshal.loads(received)

    assert gc.isenabled()
    steps = {
        "input parsed (line_item)": lambda: [line_item(raw) for raw in lines],
        "chunk pickled to a worker": lambda: pickle.dumps(cases, pickle.HIGHEST_PROTOCOL),
        "results read, collector paused": unmarshal_paused,
        "results read, collector running": lambda: marshal.loads(received),
        "output lines (line_record)": lambda: [line_record(i, r["case_id"], r, stats) for i, r in enumerate(results)],
    }
    print(f"{n} applicants in one chunk; a chunk {len(sent) / n:,.0f} bytes pickled and its results "
          f"{len(received) / n:,.0f} bytes marshalled per applicant")
    for name, fn in steps.items():
        print(f"  {name:34} {per_applicant(fn, n):.4f} ms")


if __name__ == "__main__":
    main()
