"""The engine takes its model from the grounder, not the solver (engine._GroundModel): that is
sound only while the engine's programs decide every atom by grounding — no choice, no
disjunction, no constraint, nothing external or optimised. This pins it, and checks that
where the grounder does leave a shown atom open the call is solved as usual."""
from __future__ import annotations

import clingo
from clingo.ast import ASTType

from medaid_logic import engine as engine_mod
from medaid_logic.engine import Engine, _GroundModel

OPEN = {ASTType.Disjunction, ASTType.Aggregate, ASTType.HeadAggregate, ASTType.TheoryAtom}
FORBIDDEN = {ASTType.Minimize, ASTType.External, ASTType.Heuristic, ASTType.Edge, ASTType.ProjectAtom,
             ASTType.ProjectSignature, ASTType.TheoryDefinition}


def _problems(statements) -> list[str]:
    out = []
    for st in statements:
        if st.ast_type in FORBIDDEN:
            out.append(f"{st.ast_type.name}: {st}")
        elif st.ast_type == ASTType.Rule:
            head = st.head
            if head.ast_type in OPEN:
                out.append(f"a rule with a choice or disjunction: {st}")
            elif head.ast_type == ASTType.Literal and head.atom.ast_type == ASTType.BooleanConstant:
                out.append(f"a constraint: {st}")
            elif head.ast_type == ASTType.Literal and head.sign != 0:
                out.append(f"a negated head: {st}")
    return out


def test_engine_programs_decide_every_atom_by_grounding():
    problems = _problems(Engine().statements)
    assert not problems, "\n".join(problems)


def test_the_check_sees_what_would_leave_an_atom_open():
    statements: list = []
    clingo.ast.parse_string("{ a }. b ; c. :- d. a :- not b. #minimize { 1 : a }.", statements.append)
    kinds = " ".join(_problems(statements))
    assert "choice" in kinds and "constraint" in kinds and "Minimize" in kinds
    assert len(_problems(statements)) == 4


def test_an_open_shown_atom_clears_decided():
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], "{ a }. b. #show a/0. #show b/0.")
    model = _GroundModel(ctl)
    ctl.ground([("base", [])])
    assert not model.decided
    assert sorted(map(str, model.symbols)) == ["a", "b"]


def test_an_undecided_call_is_solved_and_gives_the_same_results(monkeypatch, engine):
    import json
    from pathlib import Path
    root = Path(__file__).resolve().parent / "cases"
    cases = [json.loads(p.read_text("utf-8"))["case"] for d in ("shanxi", "taiyuan", "wuhai", "wuxi")
             for p in sorted((root / d).glob("*.json"))]
    decided = engine.evaluate_batch(cases)
    monkeypatch.setattr(engine_mod._GroundModel, "output_atom",
                        lambda self, symbol, atom: (setattr(self, "decided", False), self.symbols.append(symbol)))
    solved = engine.evaluate_batch(cases)
    assert [json.dumps(r, default=str, sort_keys=True) for r in solved] == \
           [json.dumps(r, default=str, sort_keys=True) for r in decided]

