"""Rank rewrites of the ASP programs by the work of grounding, not by the clock.

    valgrind --tool=callgrind --toggle-collect=clingo_control_ground \
        .venv/bin/python bench/ground_instructions.py [ASP_DIR] [N]

Grounds N generated applicants (default 300, the `make bench` mix) with the programs of ASP_DIR
(default: the package's asp/) in one solver call; callgrind's "Collected" line is then the
instructions spent inside clingo's grounder alone, deterministic to about 0.05% (run with
PYTHONHASHSEED=0). Wall and CPU time on a shared 2-core machine vary by ±5%, too much to rank a
rewrite worth 2%; atom counts mislead too (a rule that repeats a large join, or a `not p(X,_)`,
costs more than the atom it saves). Compare two copies of asp/: the one with fewer instructions
grounds faster. About 70 s per run.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import generate  # noqa: E402
from medaid_logic.case import parse_case  # noqa: E402
from medaid_logic.engine import ASP_DIR, Engine  # noqa: E402
from medaid_logic.facts import overrides_of  # noqa: E402


def main() -> None:
    programs = Path(sys.argv[1]) if len(sys.argv) > 1 else ASP_DIR
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    engine = Engine(asp_dir=programs)
    cases = [parse_case(d, engine.kb) for d in generate(n, seed=11)]
    params, interps = overrides_of(cases[0], engine.kb)
    engine.control(cases, params, interps).ground([("base", [])])


if __name__ == "__main__":
    main()
