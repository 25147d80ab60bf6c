"""The solver searches: bounded domains of bills (amounts, kinds, dates, places) and identities,
evaluated in batches on the engine's own programs (Engine.evaluate_batch), then searched for
witnesses: a pair of categories whose order of aid flips with the bill, aid plus insurance above
the cost, less aid for more self-pay, less aid for an extra identity, a premium subsidy above the
contribution.

The domain is built from the KB (categories held, claim kinds regulated, hospital classes and
diseases named, the years where a provision starts or lapses, the yuan figures of the rules as
boundary values); Python holds no policy figure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from ..errors import CaseError
from ..kb import FOREVER, KB

# self-pay amounts (yuan) every search tries, besides the KB's own figures
SELF_PAY_GRID = (0, 500, 3000, 8000, 20000, 50000, 90000, 150000, 400000)
INSURANCE_PAID = 10000          # what basic insurance paid on every generated bill
DUAL_SELF_PAY = (3000, 150000)  # bills tried for the extra-identity property
# statistics a case needs when the KB holds none for the place and year (audit assumptions,
# not policy: any positive figure exercises the rules)
DEFAULT_STATISTICS = {"income_base": 30000, "rural_income_base": 20000, "dibao_standard": 9000, "contribution": 380}


def money(v) -> str:
    return f"{Decimal(str(v)):.2f}"


@dataclass
class Bill:
    kind: str
    self_pay: int
    variant: str              # base | early | out_of_province | catalogue | quota | disease:<d>
    claim: dict


@dataclass
class Evaluated:
    case: dict
    result: dict | None
    error: CaseError | None
    units: tuple
    bill: Bill | None
    year: int
    jurisdiction: str

    @property
    def total(self) -> int:
        return fen(self.result["total_aid"]) if self.result else 0


def fen(s) -> int:
    return int((Decimal(str(s)) * 100).to_integral_value())


@dataclass
class SearchResult:
    flips: list = field(default_factory=list)          # (J, year, u1, u2, scope, ev_a, ev_b)
    over_guarantee: list = field(default_factory=list)  # (ev, detail)
    monotonic: list = field(default_factory=list)       # (ev_lo, ev_hi)
    extra_identity: list = field(default_factory=list)  # (ev_single, ev_dual)
    premium_over: list = field(default_factory=list)    # (ev, amount, contribution)
    errors: list = field(default_factory=list)          # (ev)
    cases_evaluated: int = 0


class Searcher:
    def __init__(self, kb: KB, engine, years_of):
        self.kb, self.engine, self.years_of = kb, engine, years_of

    # ---- domain ------------------------------------------------------------------------
    def rule_jurisdictions(self, j: str) -> list[str]:
        return [j] + ([self.kb.parents[j]] if j in self.kb.parents else [])

    def params_of(self, j: str):
        js = self.rule_jurisdictions(j)
        return [p for p in self.kb.parameters.values() if p.jurisdiction in js]

    def units(self, j: str) -> list[tuple]:
        out = [(c.id, None) for c in self.kb.categories_in(j)]
        subs = set()
        for p in self.kb.parameters.values():
            if p.jurisdiction == j:
                for c in p.categories:
                    if "/" in c:
                        cat, sub = c.split("/", 1)
                        if cat in self.kb.categories and j in self.kb.categories[cat].held_in:
                            subs.add((cat, sub))
        return out + sorted(subs)

    def kinds(self, j: str) -> list[str]:
        from .static import claim_kinds
        regulated = {b for p in self.params_of(j) for b in p.benefits}
        return [k for k in claim_kinds(self.kb) if k in regulated]

    def kb_statistic(self, j: str, year: int, name: str) -> Decimal | None:
        """The figure the KB itself holds for J's statistic in the year (None: the KB has none)."""
        value = None
        for u in self.kb.statistic_uses:
            if u.jurisdiction == j and u.statistic == name:
                value = next((s.value for s in self.kb.statistics
                              if s.place == u.place and s.statistic == name and s.year == year + u.year_offset), None)
        return value

    def statistics(self, j: str, year: int) -> dict:
        out = {}
        for name, default in DEFAULT_STATISTICS.items():
            value = self.kb_statistic(j, year, name)
            out[name] = value if value is not None else Decimal(default)
        return out

    def self_pay_grid(self, j: str) -> list[int]:
        extra = set()
        for p in self.params_of(j):
            if p.unit == "yuan" and p.kind not in ("premium_amount", "premium_minimum"):
                for v in p.values:
                    if isinstance(v, Decimal) and 0 < v < 10 ** 7:
                        extra.update({int(v), int(v) + 1000})
        return sorted(set(SELF_PAY_GRID) | extra)

    def hospital_class(self, j: str) -> str:
        classes = sorted({r[len("hospital_class("):-1] for p in self.params_of(j) for r in p.requires
                          if r.startswith("hospital_class(")})
        return classes[0] if classes else "level_3"

    def diseases(self, j: str) -> list[str]:
        return sorted({r[len("disease("):-1] for p in self.params_of(j) for r in p.requires if r.startswith("disease(")}) or ["gaucher"]

    def has_kind(self, j: str, kind: str) -> bool:
        return any(p.kind == kind for p in self.params_of(j))

    def bill(self, j: str, year: int, kind: str, self_pay: int, variant: str = "base") -> Bill:
        in_policy = INSURANCE_PAID + self_pay
        c = {"claim_id": "c1", "kind": kind, "in_province": variant != "out_of_province", "local": "city",
             "referred": True, "total_cost": in_policy, "in_policy_cost": in_policy,
             "basic_insurance_paid": INSURANCE_PAID, "critical_illness_paid": 0, "other_paid": 0}
        if kind == "inpatient":
            c["admitted"], c["discharged"] = ((f"{year}-01-05", f"{year}-01-10") if variant == "early"
                                              else (f"{year}-06-01", f"{year}-06-10"))
            c["relocated"] = False
        else:
            c["date"] = f"{year}-01-10" if variant == "early" else f"{year}-06-15"
        if kind == "outpatient_chronic":
            c["chronic_management"] = "quota" if variant == "quota" else "per_visit"
        if kind == "rare_disease":
            c["disease"] = variant.split(":", 1)[1] if variant.startswith("disease:") else self.diseases(j)[0]
        if variant == "catalogue":
            c["total_cost"] = in_policy + self_pay // 2
            c["hospital_class"] = self.hospital_class(j)
        return Bill(kind, self_pay, variant, c)

    def variants(self, j: str, kind: str) -> list[str]:
        out = ["base"]
        if kind == "inpatient":
            out += ["early", "out_of_province", "catalogue"]
        if kind == "outpatient_chronic" and self.has_kind(j, "quota_year_end"):
            out.append("quota")
        if kind == "rare_disease":
            out = [f"disease:{d}" for d in self.diseases(j)]
        return out

    def make_case(self, j: str, year: int, units, claims: list[dict], case_id: str,
                  contribution=None) -> dict:
        idents = []
        for cat, sub in units:
            ident = {"category": cat, "since": f"{year - 1}-01-01", "until": None}
            if sub:
                ident["subtype"] = sub
            idents.append(ident)
        stats = self.statistics(j, year)
        if contribution is not None:
            stats["contribution"] = contribution
        return {"case_id": case_id, "jurisdiction": j, "year": year,
                "applicant": {"identities": idents, "birth_date": f"{year - 40}-07-01",
                              "hukou": j, "residence": {"place": j, "since": f"{year - 10}-01-01"},
                              "insured_in": j},
                "claims": claims,
                "parameters": {k: float(v) if v != int(v) else int(v) for k, v in stats.items()}}

    # ---- evaluation --------------------------------------------------------------------------
    def _evaluate(self, items: list[tuple]) -> list[Evaluated]:
        cases = [it[0] for it in items]
        results = self.engine.evaluate_batch(cases)
        out = []
        for (case, units, bill), res in zip(items, results):
            err = res if isinstance(res, CaseError) else None
            out.append(Evaluated(case, None if err else res, err, units, bill, case["year"], case["jurisdiction"]))
        return out

    def run(self, jurisdictions: list[str]) -> SearchResult:
        sr = SearchResult()
        for j in jurisdictions:
            for year in self.years_of(j):
                self._search(j, year, sr)
        return sr

    def _search(self, j: str, year: int, sr: SearchResult) -> None:
        units = self.units(j)
        grid = self.self_pay_grid(j)
        items = []
        for u in units:
            for kind in self.kinds(j):
                for var in self.variants(j, kind):
                    for s in grid:
                        b = self.bill(j, year, kind, s, var)
                        items.append((self.make_case(j, year, [u], [b.claim], f"audit-{j}-{year}-{u[0]}-{kind}-{var}-{s}"), (u,), b))
        singles = self._evaluate(items)
        sr.cases_evaluated += len(singles)
        for ev in singles:
            if ev.error:
                sr.errors.append(ev)
        ok = [ev for ev in singles if ev.result]
        # aid + insurance never exceeds the cost
        for ev in ok:
            c = ev.bill.claim
            paid = fen(c["basic_insurance_paid"]) + fen(c["critical_illness_paid"]) + fen(c["other_paid"])
            if ev.total + paid > fen(c["total_cost"]):
                sr.over_guarantee.append((ev, ev.total + paid - fen(c["total_cost"])))
        # more self-pay never yields less aid
        series: dict = {}
        for ev in ok:
            series.setdefault((ev.units, ev.bill.kind, ev.bill.variant), []).append(ev)
        for evs in series.values():
            evs.sort(key=lambda e: e.bill.self_pay)
            for lo, hi in zip(evs, evs[1:]):
                if hi.total < lo.total:
                    sr.monotonic.append((lo, hi))
                    break
        # order of aid between two categories flips with the bill: searched by the solver
        # (asp/audit/flip_search.lp over the engine's own rules, medaid_logic/audit/flips.py),
        # then confirmed on a person holding both: the applied category changes
        from .flips import FlipSearch
        pairs = [(u1, u2) for u1, u2 in combinations(units, 2) if u1[0] != u2[0]]
        found, grounded = FlipSearch(self, self.engine).run(j, year, units)
        sr.cases_evaluated += grounded
        dual_items = []
        for u1, u2, scope, up, down in found:
            for side, claims in (("up", up), ("down", down)):
                cid = f"audit-{j}-{year}-{u1[0]}+{u2[0]}-{scope}-{side}-" + "-".join(f"{c['kind']}-{c['in_policy_cost']}" for c in claims)
                dual_items.append((self.make_case(j, year, [u1, u2], claims, cid), (u1, u2), None))
        duals = self._evaluate(dual_items)
        sr.cases_evaluated += len(duals)
        for n, (u1, u2, scope, _, _) in enumerate(found):
            d_up, d_down = duals[2 * n], duals[2 * n + 1]
            if d_up.result and d_down.result and d_up.result.get("applied_category") != d_down.result.get("applied_category"):
                sr.flips.append((j, year, u1, u2, scope, d_up, d_down))
        # an extra identity never yields less aid
        ext_items = []
        for u1, u2 in pairs:
            for kind in self.kinds(j):
                for s in DUAL_SELF_PAY:
                    var = self.variants(j, kind)[0]
                    b = self.bill(j, year, kind, s, var)
                    ext_items.append((self.make_case(j, year, [u1, u2], [b.claim], f"audit-{j}-{year}-{u1[0]}+{u2[0]}-{kind}-{var}-{s}"), (u1, u2), b))
            ext_items.append((self.make_case(j, year, [u1, u2], [], f"audit-{j}-{year}-{u1[0]}+{u2[0]}-premium"), (u1, u2), None))
        prem_items = [(self.make_case(j, year, [u], [], f"audit-{j}-{year}-{u[0]}-premium"), (u,), None) for u in units]
        # premium subsidies against the contribution, also just below the rules' fixed amounts
        contributions = sorted({v - 20 for p in self.params_of(j) if p.kind in ("premium_amount", "premium_minimum")
                                for v in p.values if isinstance(v, Decimal) and v > 20})
        for c in contributions:
            prem_items += [(self.make_case(j, year, [u], [], f"audit-{j}-{year}-{u[0]}-premium-contribution-{c}", contribution=c), (u,), None)
                           for u in units]
        evs = self._evaluate(ext_items + prem_items)
        sr.cases_evaluated += len(evs)
        ext, prem = evs[:len(ext_items)], evs[len(ext_items):]
        single_by = {(ev.units[0], ev.bill.kind, ev.bill.variant, ev.bill.self_pay): ev for ev in ok}
        prem_by = {ev.units[0]: ev for ev in prem if ev.result and ev.case["parameters"]["contribution"] == prem[0].case["parameters"]["contribution"]}
        for ev in ext:
            if not ev.result:
                continue
            for u in ev.units:
                if ev.bill is None:
                    single = prem_by.get(u)
                    got = fen(ev.result["premium_subsidy"].get("amount") or 0)
                    want = fen(single.result["premium_subsidy"].get("amount") or 0) if single else 0
                else:
                    single = single_by.get((u, ev.bill.kind, ev.bill.variant, ev.bill.self_pay))
                    got, want = ev.total, single.total if single else 0
                if single and got < want:
                    sr.extra_identity.append((single, ev))
                    break
        for ev in prem:
            if not ev.result:
                continue
            amount = ev.result["premium_subsidy"].get("amount")
            contribution = fen(ev.case["parameters"]["contribution"])
            if amount is not None and fen(amount) > contribution:
                sr.premium_over.append((ev, fen(amount), contribution))
