"""The first failed condition of a rule, read from the rule itself.

For a goal atom (some arguments known, others open) and every rule of the engine's programs
with that head, the rule body is cut into prefixes — its first 1, 2, ... literals, in the order
written — and each prefix becomes a probe rule run with the engine's own programs:

    wn(A, Goal, Rule, P, (Vars...)) :- <head arguments = goal>, literal_1, ..., literal_P.

The longest prefix that holds tells which condition failed first and with which bindings. The
rule bodies come from clingo.ast (the statements the engine parsed), never from prose.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from clingo.ast import ASTType

_VAR = re.compile(r'"(?:[^"\\]|\\.)*"|\b([A-Z][A-Za-z0-9_\']*)\b')
_CMP = re.compile(r"^(.*?)\s*(<=|>=|!=|<|>|=)\s*(.*)$")
# the programs name a single-use variable of a positive body literal _V1, _V2 ... (asp/README.md:
# gringo projects `_` through an auxiliary atom); a trace shows it as the `_` it stands for
_SINGLE_USE = re.compile(r"\b_V[0-9]+\b")


def _text(node) -> str:
    return _SINGLE_USE.sub("_", str(node))


def variables(text: str) -> list[str]:
    out = []
    for m in _VAR.finditer(text):
        v = m.group(1)
        if v and v not in out:
            out.append(v)
    return out


@dataclass
class Lit:
    text: str
    sign: int = 0                 # 0 positive, 1 not
    name: str | None = None       # predicate of a symbolic atom
    args: list[str] = field(default_factory=list)
    kind: str = "atom"            # atom | comparison | aggregate


@dataclass
class Rule:
    index: int
    name: str
    head_args: list[str]
    body: list[Lit]
    text: str


def rules_from(statements) -> dict[tuple[str, int], list[Rule]]:
    out: dict = {}
    n = 0
    for st in statements:
        if st.ast_type != ASTType.Rule or st.head.ast_type != ASTType.Literal:
            continue
        atom = st.head.atom
        if atom.ast_type != ASTType.SymbolicAtom or atom.symbol.ast_type != ASTType.Function:
            continue
        f = atom.symbol
        body = []
        for lit in st.body:
            if lit.ast_type == ASTType.Literal and lit.atom.ast_type == ASTType.SymbolicAtom and lit.atom.symbol.ast_type == ASTType.Function:
                s = lit.atom.symbol
                body.append(Lit(_text(lit), int(lit.sign), s.name, [_text(a) for a in s.arguments]))
            elif lit.ast_type == ASTType.Literal and lit.atom.ast_type == ASTType.Comparison:
                body.append(Lit(_text(lit), int(lit.sign), kind="comparison"))
            else:
                body.append(Lit(_text(lit), kind="aggregate"))
        n += 1
        out.setdefault((f.name, len(f.arguments)), []).append(Rule(n, f.name, [_text(a) for a in f.arguments], body, _text(st)))
    return out


def term(v) -> str:
    """A Python value of atoms.parse_term back to clingo syntax."""
    if isinstance(v, int):
        return str(v)
    if isinstance(v, tuple):
        name, args = v[0], v[1:]
        return f"{name}({','.join(term(a) for a in args)}{',' if name == '' and len(args) == 1 else ''})"
    if re.fullmatch(r"[a-z_][A-Za-z0-9_']*", v):
        return v
    return json.dumps(v, ensure_ascii=False)


def _safe_prefixes(rule: Rule, bound: set[str]) -> list[int]:
    """Prefix lengths whose probe rule is safe (every variable of a negative literal or a
    comparison bound earlier)."""
    ok, bound = [], set(bound)
    for i, lit in enumerate(rule.body):
        vs = set(variables(lit.text))
        safe = True
        if lit.kind == "aggregate":
            m = re.match(r"^\s*([A-Z]\w*)\s*=\s*#", lit.text)
            if m:
                bound.add(m.group(1))
            else:
                safe = False
        elif lit.kind == "comparison":
            m = _CMP.match(lit.text)
            if m and m.group(2) == "=" and re.fullmatch(r"[A-Z]\w*", m.group(1).strip()) and set(variables(m.group(3))) <= bound:
                bound.add(m.group(1).strip())
            elif not vs <= bound:
                safe = False
        elif lit.sign:
            safe = vs <= bound
        else:
            bound |= vs
        if not safe:
            return ok
        ok.append(i + 1)
    return ok


@dataclass
class Goal:
    name: str
    args: list           # Python values or None (open)

    def text(self) -> str:
        return f"{self.name}({','.join('_' if a is None else term(a) for a in self.args)})"


def probe_program(goals: list[Goal], rules: dict) -> tuple[str, dict]:
    lines, meta = [], {}
    for gi, g in enumerate(goals):
        for rule in rules.get((g.name, len(g.args)), []):
            eqs, bound, fits = [], set(), True
            for h, v in zip(rule.head_args, g.args):
                if v is None:
                    continue
                if re.fullmatch(r"[A-Z]\w*", h):
                    eqs.append(f"{h}={term(v)}")
                    bound.add(h)
                elif not variables(h) and h != term(v):
                    fits = False      # the head's constant differs from the goal's
                elif isinstance(v, str) and re.match(r"^[a-z_]\w*\(", h):
                    fits = False      # a function term never unifies with the goal's constant
            if not fits:
                continue
            meta[(gi, rule.index)] = rule
            seen = [h for h in rule.head_args if h in bound]
            for p in [0] + _safe_prefixes(rule, bound):
                for lit in rule.body[:p]:
                    for v in variables(lit.text):
                        if v not in seen:
                            seen.append(v)
                vs = [v for v in seen if not v.startswith("_")]
                # a leading constant keeps the term a tuple of two or more (atoms.parse_term
                # does not read the one-element tuple `(X,)`)
                tup = "(" + ",".join(["w"] + vs) + ")"
                body = ", ".join(eqs + [lit.text for lit in rule.body[:p]])
                lines.append(f"wn(0,{gi},{rule.index},{p},{tup}) :- {body}.")
                meta[(gi, rule.index, p)] = vs
    lines.append("#show wn/5.")
    return "\n".join(lines), meta


@dataclass
class Finding:
    goal: Goal
    rule: Rule
    reached: int                   # literals of the body that hold
    bindings: list[dict]           # variable values where the longest prefix held

    @property
    def holds(self) -> bool:
        return self.reached == len(self.rule.body)

    @property
    def failed(self) -> Lit | None:
        return None if self.holds else self.rule.body[self.reached]

    def failed_text(self) -> str | None:
        lit = self.failed
        return None if lit is None else substitute(lit.text, self.bindings[0] if self.bindings else {})


def substitute(text: str, b: dict) -> str:
    return _VAR.sub(lambda m: term(b[m.group(1)]) if m.group(1) and m.group(1) in b else m.group(0), text)


def run(engine, data: dict, goals: list[Goal], rules: dict) -> list[Finding]:
    if not goals:
        return []
    program, meta = probe_program(goals, rules)
    _, atoms = engine.evaluate_with_atoms(data, program)
    best: dict = {}
    for row in atoms["wn"]:
        gi, ri, p, tup = row.goal, row.rule, row.reached, row.bindings
        cur = best.get((gi, ri))
        if cur is None or p > cur[0]:
            best[(gi, ri)] = (p, [tup])
        elif p == cur[0]:
            cur[1].append(tup)
    out = []
    for (gi, ri), (p, tups) in sorted(best.items()):
        rule = meta[(gi, ri)]
        names = meta.get((gi, ri, p), [])
        binds = []
        for t in tups[:8]:
            vals = t[2:] if isinstance(t, tuple) and t and t[0] == "" else ()
            binds.append(dict(zip(names, vals)))
        # the reached count is the longest safe prefix that held; a failure inside an unsafe tail
        # is reported at the first literal after it
        out.append(Finding(goals[gi], rule, p, binds))
    return out
