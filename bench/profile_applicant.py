"""Where each millisecond of one applicant goes, on the `make bench` population, in this process.

    python bench/profile_applicant.py [N] [--chunk C] [--atoms] [--one-process]

CPU time (time.process_time: steadier on a shared machine than the wall clock). Runs Engine's own
steps one by one on chunks of C applicants (default: the batch chunk), each chunk in a worker
forked as a batch's are (workers.ordered_map, one task each as engine.RECYCLE: clingo's table of
interned symbols starts small; --one-process solves every chunk here, the table growing), each
as Engine.evaluate_batch runs a call (the garbage collector paused) and prints milliseconds per applicant for: validation
(parse_case + overrides), facts (the fact program's text), control (a solver loaded with the
programs and the facts), grounding, solving (model symbols taken), read-out (symbols to
per-applicant atoms), result building; and the ground atoms per applicant.
--atoms also lists the predicates with the most ground atoms per applicant.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_batch import generate  # noqa: E402
from medaid_logic.case import parse_case  # noqa: E402
from medaid_logic.engine import Engine  # noqa: E402
from medaid_logic.facts import overrides_of  # noqa: E402
from medaid_logic.result import build_result  # noqa: E402

def read_model(engine, symbols):
    if hasattr(engine, "read_model"):
        return engine.read_model(symbols)
    from medaid_logic.atoms import split_by_applicant  # the engine before read_model (for a before/after)
    return split_by_applicant(map(str, symbols))


PHASES = ("validation", "facts", "control", "ground", "solve", "read_out", "result")


def ground_model(ctl):
    """The engine's observer that takes the model from the grounder, where the engine has one."""
    from medaid_logic import engine
    return engine._GroundModel(ctl) if hasattr(engine, "_GroundModel") else None


def batch_call():
    """What Engine.evaluate_batch runs a call in (the collector paused), where the engine has it."""
    from medaid_logic import engine
    return getattr(engine, "gc_paused", contextlib.nullcontext)()


def profile(engine: Engine, items: list, chunk: int, count_atoms: bool) -> tuple[dict, int, Counter]:
    t = dict.fromkeys(PHASES, 0.0)
    atoms, by_pred = 0, Counter()
    for start in range(0, len(items), chunk):
        with batch_call():
            part = items[start:start + chunk]
            t0 = time.process_time()
            cases = [parse_case(d, engine.kb) for d in part]
            overrides = [overrides_of(c, engine.kb) for c in cases]
            t1 = time.process_time()
            # the bench population has one override group: the engine solves it in one call
            params, interps = overrides[0]
            assert all(engine._group_key(*o) == engine._group_key(params, interps) for o in overrides)
            from medaid_logic.facts import case_facts
            facts = [case_facts(a, c, engine.kb) for a, c in enumerate(cases)]
            t2 = time.process_time()
            ctl = engine.control(cases, params, interps)  # writes the facts again: taken off below
            shown = ground_model(ctl)
            t3 = time.process_time()
            ctl.ground([("base", [])])
            t4 = time.process_time()
            if shown is not None:  # the engine takes the model from the grounder
                symbols = shown.symbols
            else:
                models: list = []
                ctl.solve(on_model=lambda m: models.append(m.symbols(shown=True)))
                symbols = models[0]
            t5 = time.process_time()
            per_applicant = read_model(engine, symbols)
            t6 = time.process_time()
            for a, case in enumerate(cases):
                build_result(case, per_applicant[a], engine.kb, params, interps)
            t7 = time.process_time()
            for k, v in zip(PHASES, (t1 - t0, t2 - t1, (t3 - t2) - (t2 - t1), t4 - t3, t5 - t4, t6 - t5, t7 - t6)):
                t[k] += v
            atoms += len(ctl.symbolic_atoms)
            if count_atoms:
                by_pred.update(f"{s.symbol.name}/{len(s.symbol.arguments)}" for s in ctl.symbolic_atoms)
            del facts
    return t, atoms, by_pred


_forked_engine = None   # the engine the chunk workers are forked with


def _profile_chunk(task: tuple) -> tuple[dict, int, Counter]:
    part, chunk, count_atoms = task
    return profile(_forked_engine, part, chunk, count_atoms)


def profile_forked(engine: Engine, items: list, chunk: int, count_atoms: bool) -> tuple[dict, int, Counter]:
    """profile, each chunk in a worker of its own forked as a batch's are (workers.ordered_map,
    one task per worker: the same heap, arenas and collector)."""
    from medaid_logic.workers import WorkerDied, ordered_map
    global _forked_engine
    _forked_engine = engine
    t = dict.fromkeys(PHASES, 0.0)
    atoms, by_pred = 0, Counter()
    if hasattr(engine, "before_fork"):  # each child takes the programs, policy facts and words loaded
        engine.before_fork()
    elif hasattr(engine, "load_spare"):  # the engine before before_fork (for a before/after)
        engine.load_spare()
    tasks = ((items[start:start + chunk], chunk, count_atoms) for start in range(0, len(items), chunk))
    for (part, _, _), got in ordered_map(_profile_chunk, tasks, jobs=1, recycle=1):
        if isinstance(got, WorkerDied):
            raise SystemExit(f"the child profiling a chunk of {len(part)} failed: {got}")
        for k, v in got[0].items():
            t[k] += v
        atoms += got[1]
        by_pred.update(got[2])
    return t, atoms, by_pred


def main() -> None:
    from medaid_logic.limits import CHUNK
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=5000)
    ap.add_argument("--chunk", type=int, default=CHUNK)
    ap.add_argument("--atoms", action="store_true")
    ap.add_argument("--one-process", action="store_true", help="every chunk in this process (clingo's symbols growing)")
    args = ap.parse_args()
    engine = Engine()
    engine.evaluate_batch(list(generate(5)))  # warm: KB and programs loaded once
    items = list(generate(args.n, seed=11))
    t, atoms, by_pred = (profile if args.one_process else profile_forked)(engine, items, args.chunk, args.atoms)
    total = sum(t.values())
    where = "in this process" if args.one_process else "a fresh worker per chunk"
    print(f"{args.n} applicants, chunk {args.chunk} ({where}): {args.n / total:,.0f}/s, "
          f"{1000 * total / args.n:.2f} ms per applicant; {atoms / args.n:.0f} ground atoms per applicant")
    for k in PHASES:
        print(f"  {k:<11} {1000 * t[k] / args.n:6.3f} ms")
    if args.atoms:
        print("ground atoms per applicant, by predicate (policy facts included, divided too):")
        for name, n in by_pred.most_common(40):
            print(f"  {name:<28} {n / args.n:7.2f}")


if __name__ == "__main__":
    main()
