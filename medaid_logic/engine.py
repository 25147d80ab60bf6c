"""The one public entry point: cases in, results out.

The ASP programs are parsed once per process; a batch of applicants is grounded and solved
together in one call (chunked to bound memory), one call per group of equal caller overrides.
"""
from __future__ import annotations

import marshal
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable, Iterator

import clingo
from clingo.ast import ProgramBuilder, parse_string

from .case import Case, parse_case
from . import limits
from .errors import CaseError, EngineFailure
from .facts import case_facts, overrides_of
from .kb import KB, load_kb, load_kb_validating_aside
from .atoms import Atoms, read_shown, split_by_applicant
from .resources import asp_dir
from .workers import gc_paused
from .result import build_result
from .words import LANGS, catalogue

ASP_DIR = asp_dir()
CHUNK = limits.CHUNK
# chunks a batch worker solves before it is replaced. clingo interns every symbol for the life
# of a process and grounding slows as that table grows (a chunk of 500 grounds in 0.75 ms per
# applicant in a fresh fork, 1.2 ms after 20 chunks), so a fresh fork per chunk is the fastest
# (bench/bench_batch.py --jobs 1 when it landed: 611/s against 535/s with 10 chunks of 1,000 per
# worker; with the workers' heap on huge pages, 2 chunks per worker: 928–935/s against 939–949/s)
RECYCLE = 1


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
        self._spare: clingo.Control | None = None
        self.timings: dict[str, float] = defaultdict(float)

    # ---- public ---------------------------------------------------------------------
    def evaluate(self, data) -> dict:
        """One case (a dict of CASE_FORMAT) → its result; bad input raises CaseError, a
        failure of the engine on an accepted case raises EngineFailure."""
        out = self.evaluate_batch([data])[0]
        if isinstance(out, Exception):
            raise out
        return out

    def evaluate_with_atoms(self, data, extra_program: str = "") -> tuple[dict, "Atoms"]:
        """One case → (result, the applicant's shown atoms): for explanations built on the
        solver's own derivation. `extra_program` adds rules (e.g. #show lines) for this call."""
        case = data if isinstance(data, Case) else parse_case(data, self.kb)
        params, interps = overrides_of(case, self.kb)
        kept: dict = {}
        res = self._solve([case], params, interps, extra_program=extra_program, keep=kept)[0]
        if isinstance(res, CaseError):
            raise res
        return res, kept[0]

    def evaluate_batch(self, items: Iterable) -> list:
        """Cases → results in order; a bad case yields its CaseError in its place, a case the
        engine fails on its EngineFailure: never a neighbour's result."""
        # the call allocates some 100 objects per applicant (cases, rows, results) that outlive it
        # and hold no cycle: the collector's passes over them and over the KB cost more than the
        # read-out itself (bench/profile_applicant.py); what cycles it leaves, the next collection takes
        with gc_paused():
            return self._evaluate_batch(list(items))

    def _evaluate_batch(self, items: list) -> list:
        results: list = [None] * len(items)
        groups: dict = defaultdict(list)
        for i, data in enumerate(items):
            if isinstance(data, Exception):  # an input the caller could not even read
                results[i] = data
                continue
            try:
                case = data if isinstance(data, Case) else parse_case(data, self.kb)
                params, interps = overrides_of(case, self.kb)
            except CaseError as exc:
                results[i] = exc
                continue
            except Exception as exc:  # a defect in validation: this case's failure only
                results[i] = EngineFailure.of(exc)
                continue
            groups[self._group_key(params, interps)].append((i, case, params, interps))
        for members in groups.values():
            _, _, params, interps = members[0]
            for call in _solver_calls(members):
                cases = [c for _, c, _, _ in call]
                for (i, _, _, _), res in zip(call, self._solve_isolating(cases, params, interps)):
                    results[i] = res
        return results

    def _solve_isolating(self, cases: list[Case], params: dict, interps: dict) -> list:
        """_solve, and where it fails, each case alone: a failure is its own case's."""
        try:
            return self._solve(cases, params, interps)
        except Exception as exc:
            if len(cases) == 1:
                return [EngineFailure.of(exc)]
            return [self._solve_isolating([c], params, interps)[0] for c in cases]

    def evaluate_together(self, cases: list[Case], extra_program: str = "") -> tuple[list, dict]:
        """Validated cases grounded and solved in one call (no chunking), with an extra program
        that may relate them — the audit's searches. Returns the results (or CaseError) in order
        and each case's shown atoms by its position (applicant index)."""
        groups = {self._group_key(*overrides_of(c, self.kb)) for c in cases}
        if len(groups) > 1:
            raise ValueError("evaluate_together: the cases carry different parameter overrides")
        params, interps = overrides_of(cases[0], self.kb) if cases else ({}, {})
        kept: dict = {}
        results = self._solve(cases, params, interps, extra_program=extra_program, keep=kept)
        return results, kept

    def stream(self, items: Iterable, chunk: int = CHUNK, jobs: int = 1) -> Iterator:
        """Results for an unbounded stream of cases, in order, in bounded memory.

        jobs = 0 solves in this process. jobs >= 1 solves the chunks in that many forked worker
        processes (workers.ordered_map: recycled, a dead worker detected, all ended on close).
        A chunk whose worker died is solved again one case per process, so the case that kills
        a worker is the only one to get an error."""
        chunks = _chunked(items, chunk)
        if jobs <= 0:
            for part in chunks:
                yield from self.evaluate_batch(part)
            return
        from .workers import WorkerDied, ordered_map
        global _worker_engine
        _worker_engine = self
        self.before_fork()
        for part, results in ordered_map(_evaluate_in_worker, chunks, jobs=jobs, recycle=RECYCLE):
            if isinstance(results, WorkerDied):
                results = []
                for _, alone in ordered_map(_evaluate_in_worker, ([c] for c in part), jobs=1, recycle=1):
                    results.append(EngineFailure(str(alone)) if isinstance(alone, WorkerDied) else _unmarshalled(alone)[0])
            yield from _unmarshalled(results)

    # ---- solving ----------------------------------------------------------------------
    @staticmethod
    def _group_key(params: dict, interps: dict) -> tuple:
        """Cases with equal caller overrides share their policy facts and one solver call."""
        return (tuple(sorted((k, tuple(map(str, v))) for k, v in params.items())), tuple(sorted(interps.items())))

    def policy_facts(self, params: dict, interps: dict) -> str:
        """The policy facts (KB export, with a group's overrides), cached per group."""
        key = self._group_key(params, interps)
        if key not in self._policy_cache:
            self._policy_cache[key] = "\n".join(f"{s}." for s in self.kb.param_symbols(params, interps))
        return self._policy_cache[key]

    def control(self, cases: list[Case], params: dict, interps: dict, extra_program: str = "",
                options: tuple = ()) -> clingo.Control:
        """A solver loaded with the programs, the policy facts, the cases' facts and any extra
        program (not yet grounded): the one way in for evaluation, the audit's searches and tests."""
        ctl = self._take_spare(params, interps, options) or self._loaded(params, interps, options)
        program = [case_facts(a, case, self.kb) for a, case in enumerate(cases)]
        if extra_program:
            program.append(extra_program)
        ctl.add("base", [], "\n".join(program))
        return ctl

    def before_fork(self) -> None:
        """What each forked worker would otherwise compute for itself, once per chunk (a worker
        solves one: RECYCLE), done here once: a spare solver loaded (load_spare), and both
        catalogues the results are worded from read (words.catalogue: Babel parsing the .po
        files took 0.045 of 0.99 ms per applicant in a chunk of 500)."""
        self.load_spare()
        for lang in LANGS:
            catalogue(lang)

    def load_spare(self) -> None:
        """A solver loaded for the KB's own parameters (programs and policy facts, no case), kept
        for the next control() of that group. Made before forking workers: each child takes its
        copy ready, so the programs and policy facts are loaded once per run, not once per chunk."""
        if self._spare is None:
            self._spare = self._loaded({}, {})

    def _take_spare(self, params: dict, interps: dict, options: tuple) -> clingo.Control | None:
        if self._spare is None or params or interps or options:
            return None
        spare, self._spare = self._spare, None
        return spare

    def _loaded(self, params: dict, interps: dict, options: tuple = ()) -> clingo.Control:
        """A solver with the programs and a group's policy facts, no case yet."""
        ctl = clingo.Control(["--warn=none", *options])
        with ProgramBuilder(ctl) as builder:
            for stmt in self.statements:
                builder.add(stmt)
        ctl.add("base", [], self.policy_facts(params, interps))
        return ctl

    @staticmethod
    def read_model(symbols, shown_only: bool = True) -> dict[int, Atoms]:
        """The model's shown symbols → each applicant's atoms; shown_only: show.lp's atoms and
        no others (no extra program's #show), which the batch path reads faster."""
        return read_shown(symbols) if shown_only else split_by_applicant(symbols)

    def _solve(self, cases: list[Case], params: dict, interps: dict, extra_program: str = "",
               keep: dict | None = None) -> list:
        t0 = time.perf_counter()
        ctl = self.control(cases, params, interps, extra_program)
        shown = None if extra_program else _GroundModel(ctl)
        t1 = time.perf_counter()
        ctl.ground([("base", [])])
        t2 = time.perf_counter()
        if shown is not None and shown.decided:
            symbols = shown.symbols
        else:
            if shown is not None:  # a shown atom the grounder left open: solve as usual
                ctl = self.control(cases, params, interps, extra_program)
                ctl.ground([("base", [])])
            models: list = []
            ctl.solve(on_model=lambda model: models.append(model.symbols(shown=True)))
            symbols = models[0] if models else []
        per_applicant = self.read_model(symbols, shown_only=not extra_program)
        if keep is not None:
            keep.update(per_applicant)
        t3 = time.perf_counter()
        out = []
        for a, case in enumerate(cases):
            try:
                out.append(build_result(case, per_applicant[a], self.kb, params, interps))
            except CaseError as exc:
                out.append(exc)
            except Exception as exc:  # a read-out defect: this case's failure, not its neighbours'
                out.append(EngineFailure.of(exc))
        t4 = time.perf_counter()
        for k, v in (("load", t1 - t0), ("ground", t2 - t1), ("solve", t3 - t2), ("read_out", t4 - t3)):
            self.timings[k] += v
        return out


class _GroundModel:
    """The model of the engine's programs, taken from the grounder in place of the solver.

    The programs are stratified, with no choice, disjunction or constraint
    (tests/test_stratified.py): grounding decides every atom, and the one model is the shown
    facts the grounder outputs. Registered as the control's observer with replace=True, this
    collects them and the solver is never given the ground program (fewer atoms to pass on,
    no solve call). A shown atom that is not a fact (atom != 0: something the grounder left
    open) clears `decided`, and the call is solved as usual."""

    def __init__(self, ctl: clingo.Control):
        self.symbols: list = []
        self.decided = True
        ctl.register_observer(self, replace=True)

    def output_atom(self, symbol, atom: int) -> None:
        if atom:
            self.decided = False
        self.symbols.append(symbol)


def _solver_calls(members: list) -> Iterator[list]:
    """A group's cases cut into solver calls: at most CHUNK cases, and at most
    limits.claims_per_solve claims (a call grounds them all at once: bounded memory)."""
    budget = limits.current().claims_per_solve
    call: list = []
    claims = 0
    for m in members:
        n = len(m[1].claims)
        if call and (len(call) >= CHUNK or claims + n > budget):
            yield call
            call, claims = [], 0
        call.append(m)
        claims += n
    if call:
        yield call


def _chunked(items: Iterable, size: int) -> Iterator[list]:
    buf = []
    for item in items:
        buf.append(item)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


_worker_engine: Engine | None = None


def _evaluate_in_worker(part: list) -> list | bytes:
    """A chunk's results, marshalled where they are plain JSON values (every result is: only an
    error is an object), which the worker writes in a third of pickle's time (0.015 against 0.041
    ms per applicant) and the driver reads a little faster; else the list, pickled as usual."""
    results = _worker_engine.evaluate_batch(part)
    try:
        return marshal.dumps(results)
    except ValueError:  # an error among them (marshal takes exact built-in types only)
        return results


def _unmarshalled(results: list | bytes) -> list:
    """A chunk's results as the worker sent them; unmarshalled with the collector paused: some
    400 new objects per result, none in a cycle, whose collections would traverse the driver's
    heap (the engine, the KB): 0.050 against 0.015 ms per result (bench/profile_driver.py)."""
    if not isinstance(results, bytes):
        return results
    with gc_paused():
        return marshal.loads(results)


_default: Engine | None = None


def default_engine() -> Engine:
    global _default
    if _default is None:
        _default = Engine()
    return _default


def batch_engine() -> tuple[Engine, Callable[[], None]]:
    """The engine a batch runs on, and the check to pass before its first record is written:
    the default engine where this process has one; else one loaded now, its KB validated in a
    forked child meanwhile (kb.load_kb_validating_aside), and the default once the check passed."""
    if _default is not None:
        return _default, lambda: None
    kb, validation = load_kb_validating_aside()
    engine = Engine(kb)

    def validated() -> None:
        global _default
        validation.result()
        _default = _default or engine
    return engine, validated


def evaluate(case) -> dict:
    return default_engine().evaluate(case)


def evaluate_batch(cases) -> list:
    return default_engine().evaluate_batch(cases)
