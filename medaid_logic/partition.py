"""The partition function: input records in, result records out, as `medaid batch` writes them.

Plain Python, so that any engine that maps a function over partitions can call it — a Dask
task (medaid_logic.cluster, tested), a Spark `mapPartitions` (examples/spark/batch_on_spark.py,
run with pyspark in local mode) or a Ray task:

    records = sc.textFile(src).zipWithIndex().mapPartitions(
        lambda rows: (lambda rows: evaluate_partition([l for l, _ in rows], first_line=rows[0][1] + 1)
                      if rows else [])(list(rows)))

first_line numbers the records as in the whole file (default: from 1 in each partition).

Each input record is a case as a dict, or one JSON Lines line (str or bytes); each output
record is exactly what `medaid batch` writes for that line: the result with `"line": N` first,
an error record, or a blank-line record (batch.py), in input order. One warm engine per
process (KB and programs loaded once); `jobs=1` evaluates in a forked child of that engine, so
the process holding it never grows (clingo keeps every symbol it interned).
"""
from __future__ import annotations

import json
from collections import deque
from typing import Iterable

from .limits import CHUNK
from .records import line_item, line_record
from .money import yuan_to_fen


def evaluate_partition(records: Iterable, first_line: int = 1, jobs: int = 0, reform: dict | None = None) -> list[dict]:
    """Result records (dicts) for the input records, in order; line numbers from first_line."""
    return [json.loads(line) for line in partition_lines(records, first_line, jobs, reform)[0]]


def partition_lines(records: Iterable, first_line: int = 1, jobs: int = 0, reform: dict | None = None,
                    chunk: int = CHUNK, engine=None, file: str | None = None) -> tuple[list[bytes], "Tally"]:
    """The JSON Lines of the result records, and their tally (for the run's summary).
    `reform` ({jurisdiction: parameters}, medaid_logic.reform) is laid over each case's parameters;
    `engine` is the process's default engine unless given (a cluster worker's, cluster.py);
    `file`, the input file's name, goes in each record after `line` (an input of several files)."""
    from .engine import default_engine
    owed: deque = deque()
    n0 = first_line

    def items():
        for n, rec in enumerate(records, start=n0):
            item = rec if isinstance(rec, (dict, Exception)) else line_item(rec.encode("utf-8") if isinstance(rec, str) else rec)
            if reform and isinstance(item, dict):
                from .reform import apply_reform
                item = apply_reform(item, reform)
            owed.append((n, item.get("case_id") if isinstance(item, dict) else None))
            yield item

    stats = {"cases": 0, "errors": 0, "skipped": 0}
    tally = Tally()
    lines = []
    for res in (engine or default_engine()).stream(items(), chunk=chunk, jobs=jobs):
        n, case_id = owed.popleft()
        lines.append(line_record(n, case_id, res, stats, file))
        tally.add(res)
    tally.applicants = stats["cases"] + stats["errors"]  # a blank line is no applicant
    tally.errors, tally.skipped = stats["errors"], stats["skipped"]
    return lines, tally


class Tally:
    """What a run's summary counts: applicants, errors, aid (fen) in total and per jurisdiction."""

    def __init__(self):
        self.applicants = self.errors = self.skipped = 0
        self.aid: dict[str, int] = {}
        self.premium: dict[str, int] = {}

    def add(self, res) -> None:
        if isinstance(res, dict):
            j = res["jurisdiction"]
            self.aid[j] = self.aid.get(j, 0) + yuan_to_fen(res["total_aid"])
            self.premium[j] = self.premium.get(j, 0) + premium_fen(res)

    def merge(self, other: "Tally | dict") -> None:
        d = other if isinstance(other, dict) else other.as_json()
        self.applicants += d["applicants"]
        self.errors += d["errors"]
        self.skipped += d["skipped"]
        for field in ("aid", "premium"):
            mine = getattr(self, field)
            for j, v in d[field].items():
                mine[j] = mine.get(j, 0) + v

    def as_json(self) -> dict:
        return {"applicants": self.applicants, "errors": self.errors, "skipped": self.skipped,
                "aid": dict(sorted(self.aid.items())), "premium": dict(sorted(self.premium.items()))}


def premium_fen(res: dict) -> int:
    """The premium subsidy a result grants (fen): its amount when computed, else nothing."""
    p = res.get("premium_subsidy") or {}
    return yuan_to_fen(p["amount"]) if p.get("status") == "computed" and p.get("amount") is not None else 0

