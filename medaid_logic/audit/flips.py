"""The precedence-flip search, done by the solver (asp/audit/flip_search.lp).

For one jurisdiction and year: one applicant per (category, bill) of a bounded domain of bills
(per claim kind: the searcher's variants × self-pay grid; for the whole year: each kind alone and
each two kinds together), grounded with the engine's own rules (asp/main.lp, loaded unchanged).
For every pair of categories and scope the solver chooses a bill on which the first pays more and
one on which the second does, maximising the pairs found. Each flip is then confirmed on a person
holding both (Engine.evaluate_batch): the applied category must differ on the two bills.
"""
from __future__ import annotations

from itertools import combinations

from ..case import parse_case
from ..facts import case_facts
from ..resources import asp_program
from .domain import BILL_SELF_PAY

PROGRAM = asp_program("audit", "flip_search.lp")
TIME_LIMIT = 20.0                      # seconds per solver call; the best model so far is kept


class FlipSearch:
    def __init__(self, searcher, engine):
        self.s, self.engine, self.kb = searcher, engine, searcher.kb

    def domain(self, j: str, year: int) -> dict[str, list[list[dict]]]:
        """Scope → bills (each a list of claims): per claim kind the searcher's variants × self-pay
        grid; for the year, each kind alone and each two kinds together at BILL_SELF_PAY."""
        s = self.s
        grid = s.self_pay_grid(j)
        kinds = s.kinds(j)
        out = {k: [[s.bill(j, year, k, sp, var).claim] for var in s.variants(j, k) for sp in grid] for k in kinds}
        year_bills = [[s.bill(j, year, k, sp, s.variants(j, k)[0]).claim] for k in kinds for sp in BILL_SELF_PAY]
        for k1, k2 in combinations(kinds, 2):
            for a in BILL_SELF_PAY:
                for b in BILL_SELF_PAY:
                    c1 = s.bill(j, year, k1, a, s.variants(j, k1)[0]).claim
                    c2 = dict(s.bill(j, year, k2, b, s.variants(j, k2)[0]).claim, claim_id="c2")
                    year_bills.append([c1, c2])
        out["year"] = year_bills
        return out

    def run(self, j: str, year: int, units: list[tuple]) -> tuple[list, int]:
        """The flips the solver finds: (u1, u2, scope, bill_up, bill_down), and the number of
        applicants (category × bill) it grounded."""
        s, kb = self.s, self.kb
        pairs = [(u1, u2) for u1, u2 in combinations(units, 2) if u1[0] != u2[0]]
        if not pairs:
            return [], 0
        domain = self.domain(j, year)
        facts, options, unit_ix = [], {}, {u: i for i, u in enumerate(units)}
        a = n = 0
        for scope, bills in domain.items():
            for claims in bills:
                o = f"o{n}"
                options[o] = claims
                facts.append(f"fs_option({scope},{o}).")
                for u in units:
                    case = parse_case(s.make_case(j, year, [u], claims, "search"), kb)
                    facts.append(case_facts(a, case, kb))
                    facts.append(f"fs_eval({a},u{unit_ix[u]},{o}).")
                    a += 1
                n += 1
        for p, (u1, u2) in enumerate(pairs):
            facts.append(f"fs_pair({p},u{unit_ix[u1]},u{unit_ix[u2]}).")
        ctl = self.engine.control([], {}, {}, "\n".join([PROGRAM.read_text(encoding="utf-8")] + facts), options=("--opt-mode=opt",))
        ctl.ground([("base", [])])
        best: list = []
        with ctl.solve(yield_=True, async_=True) as handle:
            while True:
                handle.resume()
                if not handle.wait(TIME_LIMIT):
                    handle.cancel()
                    break
                m = handle.model()
                if m is None:
                    break
                best = list(m.symbols(shown=True))
        chosen = {}
        for x in best:
            if x.name in ("fs_up", "fs_down"):
                chosen[(x.arguments[0].number, x.arguments[1].name, x.name)] = options[x.arguments[2].name]
        out = [(pairs[p][0], pairs[p][1], scope, chosen[(p, scope, "fs_up")], chosen[(p, scope, "fs_down")])
               for p, scope in sorted({(x.arguments[0].number, x.arguments[1].name) for x in best if x.name == "flip"})]
        return out, a
