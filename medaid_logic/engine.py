"""The one public entry point: cases in, results out.

The ASP programs are parsed once per process; a batch of applicants is grounded and solved
together in one call (chunked to bound memory), one call per group of equal caller overrides.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Iterator

import clingo
from clingo.ast import ProgramBuilder, parse_string

from .case import Case, parse_case
from .errors import CaseError
from .facts import case_facts, overrides_of
from .kb import KB, load_kb
from .result import build_result

ASP_DIR = Path(__file__).resolve().parent.parent / "asp"
CHUNK = 1000


def _program_statements(entry: Path) -> list:
    """Parse the entry program and its #includes once, as AST statements."""
    statements: list = []
    text = entry.read_text(encoding="utf-8")
    for name in re.findall(r'#include\s+"([^"]+)"\s*\.', text):
        parse_string((entry.parent / name).read_text(encoding="utf-8"), statements.append)
    rest = re.sub(r'#include\s+"[^"]+"\s*\.', "", text)
    parse_string(rest, statements.append)
    return statements


class Engine:
    def __init__(self, kb: KB | None = None, asp_dir: Path = ASP_DIR):
        self.kb = kb or load_kb()
        self.statements = _program_statements(asp_dir / "main.lp")
        self._policy_cache: dict = {}
        self.timings: dict[str, float] = defaultdict(float)

    # ---- public ---------------------------------------------------------------------
    def evaluate(self, data) -> dict:
        """One case (a dict of CASE_FORMAT) → its result; bad input raises CaseError."""
        out = self.evaluate_batch([data])[0]
        if isinstance(out, CaseError):
            raise out
        return out

    def evaluate_batch(self, items: Iterable) -> list:
        """Cases → results in order; a bad case yields its CaseError in its place."""
        items = list(items)
        results: list = [None] * len(items)
        parsed: list[tuple[int, Case]] = []
        for i, data in enumerate(items):
            try:
                parsed.append((i, data if isinstance(data, Case) else parse_case(data, self.kb)))
            except CaseError as exc:
                results[i] = exc
        groups: dict = defaultdict(list)
        for i, case in parsed:
            params, interps = overrides_of(case, self.kb)
            sig = (tuple(sorted((k, tuple(map(str, v))) for k, v in params.items())), tuple(sorted(interps.items())))
            groups[sig].append((i, case, params, interps))
        for members in groups.values():
            _, _, params, interps = members[0]
            for start in range(0, len(members), CHUNK):
                chunk = members[start:start + CHUNK]
                for (i, case, _, _), res in zip(chunk, self._solve([c for _, c, _, _ in chunk], params, interps)):
                    results[i] = res
        return results

    def stream(self, items: Iterable, chunk: int = CHUNK) -> Iterator:
        """Results for an unbounded stream of cases, in order, in bounded memory."""
        buf = []
        for item in items:
            buf.append(item)
            if len(buf) >= chunk:
                yield from self.evaluate_batch(buf)
                buf = []
        if buf:
            yield from self.evaluate_batch(buf)

    # ---- solving ----------------------------------------------------------------------
    def _policy(self, params: dict, interps: dict) -> list[clingo.Symbol]:
        key = (tuple(sorted((k, tuple(map(str, v))) for k, v in params.items())), tuple(sorted(interps.items())))
        if key not in self._policy_cache:
            self._policy_cache[key] = self.kb.param_symbols(params, interps)
        return self._policy_cache[key]

    def _solve(self, cases: list[Case], params: dict, interps: dict) -> list:
        import time
        t0 = time.perf_counter()
        ctl = clingo.Control(["--warn=none"])
        with ProgramBuilder(ctl) as builder:
            for stmt in self.statements:
                builder.add(stmt)
        facts = list(self._policy(params, interps))
        for a, case in enumerate(cases):
            facts.extend(case_facts(a, case, self.kb))
        ctl.add("base", [], "".join(f"{s}." for s in facts))
        t1 = time.perf_counter()
        ctl.ground([("base", [])])
        t2 = time.perf_counter()
        per_applicant: dict[int, list] = defaultdict(list)

        def on_model(model: clingo.Model) -> None:
            for sym in model.symbols(shown=True):
                per_applicant[sym.arguments[0].number].append(sym)

        ctl.solve(on_model=on_model)
        t3 = time.perf_counter()
        out = []
        for a, case in enumerate(cases):
            try:
                out.append(build_result(case, per_applicant.get(a, []), self.kb, params, interps))
            except CaseError as exc:
                out.append(exc)
        t4 = time.perf_counter()
        for k, v in (("load", t1 - t0), ("ground", t2 - t1), ("solve", t3 - t2), ("read_out", t4 - t3)):
            self.timings[k] += v
        return out


_default: Engine | None = None


def default_engine() -> Engine:
    global _default
    if _default is None:
        _default = Engine()
    return _default


def evaluate(case) -> dict:
    return default_engine().evaluate(case)


def evaluate_batch(cases) -> list:
    return default_engine().evaluate_batch(cases)
