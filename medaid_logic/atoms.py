"""Answer atoms as plain Python values.

A shown atom is turned into a string by clingo (one call) and parsed here: measured faster
than walking clingo.Symbol objects, whose every field access crosses the C boundary.
Terms become: int; str (constants and strings alike); tuple (name, *arguments) for functions.
"""
from __future__ import annotations

import re
from collections import defaultdict

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+|[A-Za-z_][A-Za-z0-9_\']*|[(),]')


def parse_term(text: str):
    toks = _TOKEN.findall(text)
    pos = 0

    def term():
        nonlocal pos
        t = toks[pos]
        pos += 1
        if t[0] == '"':
            return t[1:-1].replace('\\"', '"').replace("\\\\", "\\").replace("\\n", "\n")
        if t[0].isdigit() or t[0] == "-":
            return int(t)
        if t == "(":  # a tuple term
            args = _args()
            return ("", *args)
        if pos < len(toks) and toks[pos] == "(":
            pos += 1
            return (t, *_args())
        return t

    def _args():
        nonlocal pos
        args = []
        if toks[pos] == ")":
            pos += 1
            return args
        while True:
            args.append(term())
            sep = toks[pos]
            pos += 1
            if sep == ")":
                return args

    return term()


class Atoms:
    """One applicant's atoms, by predicate name: lists of argument tuples (applicant dropped)."""

    def __init__(self):
        self.by: dict[str, list[tuple]] = defaultdict(list)

    def add(self, atom: tuple) -> None:
        self.by[atom[0]].append(atom[2:])

    def __getitem__(self, name: str) -> list[tuple]:
        return self.by.get(name, [])


def split_by_applicant(strings) -> dict[int, Atoms]:
    out: dict[int, Atoms] = defaultdict(Atoms)
    for s in strings:
        atom = parse_term(s)
        out[atom[1]].add(atom)
    return out
