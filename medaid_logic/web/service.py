"""The workbench's calls into the engine: one function per CLI verb, making exactly the calls the
CLI makes (cli.py, cli_legal.py, cli_audit.py), so the API's answers equal the CLI's.

Everything here is synchronous and blocking; the app runs it off the event loop.
"""
from __future__ import annotations

import json
import os
import queue
import threading
from concurrent.futures import Future
from typing import Iterable, Iterator

from ..case import loads
from ..engine import Engine, default_engine
from ..errors import CaseError
from ..legal.session import Session
from ..legal.targets import TargetError, parse_target

FORMATS = ("json", "text", "dot")


def engine() -> Engine:
    return default_engine()


def session(case: dict) -> Session:
    return Session(case, engine())


def evaluate(case) -> dict:
    return engine().evaluate(case)


class Batcher:
    """Concurrent evaluate requests solved together: each worker thread takes what is queued
    (up to `most`) and makes one Engine.evaluate_batch call of it — the batch verb's own path,
    so every result is the one `evaluate` gives. A lone request waits for nothing; under load,
    one grounding serves many requests (one solver call costs about as much for 1 case as for 20)."""

    def __init__(self, workers: int | None = None, most: int = 64):
        self.most = most
        self._q: queue.Queue = queue.Queue()
        self._threads = [threading.Thread(target=self._run, daemon=True, name=f"medaid-batcher-{i}")
                         for i in range(workers or max(1, os.cpu_count() or 1))]
        for t in self._threads:
            t.start()

    def submit(self, case) -> Future:
        f: Future = Future()
        self._q.put((case, f))
        return f

    def _run(self):
        while True:
            items = [self._q.get()]
            while len(items) < self.most:
                try:
                    items.append(self._q.get_nowait())
                except queue.Empty:
                    break
            try:
                results = engine().evaluate_batch([c for c, _ in items])
            except BaseException as exc:   # a broken KB or engine: every waiting request hears of it
                for _, f in items:
                    f.set_exception(exc)
                continue
            for (_, f), res in zip(items, results):
                if isinstance(res, CaseError):
                    f.set_exception(res)
                else:
                    f.set_result(res)


_batcher: Batcher | None = None
_batcher_lock = threading.Lock()


def batcher() -> Batcher:
    global _batcher
    with _batcher_lock:
        if _batcher is None:
            _batcher = Batcher()
        return _batcher


def text_of(result: dict, lang: str) -> str:
    from ..render import render_text
    return render_text(result, engine().kb, lang)


def batch_lines(lines: Iterable[tuple[int, str]], chunk: int = 200) -> Iterator[str]:
    """(line number, text) → one JSON line each, order kept, exactly as `medaid batch` writes
    them (records.py's reading of a line and its record): a bad line gives its error record, a
    blank line its skip record, and neither costs another line."""
    from ..records import Blank, line_item, line_record
    pending: list[tuple[int, object]] = []
    stats = {"cases": 0, "errors": 0, "skipped": 0}

    def flush():
        items = [it for _, it in pending]
        solved = iter(engine().evaluate_batch([it for it in items if not isinstance(it, (Blank, CaseError))]))
        for n, it in pending:
            res = it if isinstance(it, (Blank, CaseError)) else next(solved)
            cid = it.get("case_id") if isinstance(it, dict) else None
            yield line_record(n, cid, res, stats).decode("utf-8")
        pending.clear()

    for n, line in lines:
        pending.append((n, line_item(line.encode("utf-8") if isinstance(line, str) else line)))
        if len(pending) >= chunk:
            yield from flush()
    if pending:
        yield from flush()


def why(case: dict, target: str, lang: str = "zh", fmt: str = "json"):
    from ..legal.why import graph_dot, graph_json, subtree, tree_text
    from ..legal.why import why as why_
    s = session(case)
    ans = why_(s, parse_target(target), lang)
    if fmt == "json":
        return {**ans, "graph": graph_json(subtree(s, ans["roots"]))}
    if fmt == "dot":
        return graph_dot(s, subtree(s, ans["roots"]), lang)
    return tree_text(s, ans, lang)


def why_not(case: dict, target: str, lang: str = "zh", minimal: bool = False, fmt: str = "json"):
    from ..legal.answers import why_not_answer, why_not_dot_answer
    s = session(case)
    t = parse_target(target)
    if fmt == "dot":
        return why_not_dot_answer(s, t, lang)
    ans, text = why_not_answer(s, t, lang, minimal)
    return ans if fmt == "json" else text


def what_if(case: dict, changes: list[str], lang: str = "zh", fmt: str = "json"):
    from ..legal.whatif import what_if as what_if_, what_if_text
    ans = what_if_(session(case), changes, lang)
    kb = ans.pop("session").kb
    if fmt == "json":
        return ans
    if fmt == "dot":
        from ..legal.dot import what_if_dot
        return what_if_dot(ans)
    return what_if_text(ans, lang, kb)


def clauses(case: dict, lang: str = "zh", fmt: str = "json"):
    from ..legal.why import clauses as clauses_, clauses_text
    items = clauses_(session(case))
    if fmt == "json":
        return items
    if fmt == "dot":
        from ..legal.dot import clauses_dot
        return clauses_dot(items)
    return clauses_text(items, lang)


EXPORT_FORMATS = {"turtle": "text/turtle", "json-ld": "application/ld+json", "json": "application/json",
                  "dot": "text/vnd.graphviz"}


def export(case: dict, fmt: str = "turtle", lang: str = "zh") -> str | dict:
    """The decision record (PROV-O, Turtle or JSON-LD) or the derivation graph (json, dot)."""
    from ..legal.rdf import decision_graph
    from ..legal.why import graph_dot, graph_json
    s = session(case)
    if fmt in ("turtle", "json-ld"):
        return decision_graph(s).serialize(format=fmt)
    if fmt == "dot":
        return graph_dot(s, s.graph, lang)
    return graph_json(s.graph)


class AuditCache:
    """The audit of the KB, computed once per process on first use (it takes tens of seconds)
    and shared by every request; concurrent first requests wait for the one computation."""

    def __init__(self, search: bool = True):
        self.search = search
        self._report: dict | None = None
        self._lock = threading.Lock()

    def report(self) -> dict:
        with self._lock:
            if self._report is None:
                from ..audit import run_audit
                self._report = run_audit(None, None, search=self.search)
            return self._report

    def ready(self) -> bool:
        return self._report is not None


def filter_report(report: dict, jurisdiction: str | None = None, kind: str | None = None,
                  severity: str | None = None) -> dict:
    """The report's findings (and coverage rows) of one jurisdiction / kind / severity."""
    fs = [f for f in report["findings"]
          if (not jurisdiction or jurisdiction in f["jurisdictions"]) and (not kind or f["kind"] == kind)
          and (not severity or f["severity"] == severity)]
    cov = [r for r in report["coverage"] if not jurisdiction or r["jurisdiction"] == jurisdiction]
    return {**report, "findings": fs, "coverage": cov}
