"""The solver searches: bounded domains of bills (amounts, kinds, dates, places) and identities,
grounded with the engine's own programs and searched by the solver for witnesses: a pair of
categories whose order of aid flips with the bill (asp/audit/flip_search.lp), aid plus insurance
above the cost, less aid for more self-pay, less aid for an extra identity, a premium subsidy above
the contribution (asp/audit/safety_search.lp). Python builds the domain and the relations between
its applicants, and reads the solver's findings back.

The domain is built from the KB (categories held, claim kinds regulated, hospital classes and
diseases named, the years where a provision starts or lapses, the yuan figures of the rules as
boundary values); Python holds no policy figure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from ..case import parse_case
from ..errors import CaseError
from ..kb import KB
from ..resources import asp_program
from .domain import (DEFAULT_STATISTICS, DUAL_SELF_PAY, INSURANCE_PAID, SELF_PAY_GRID, YEAR_OTHER_KIND_SELF_PAY,
                     YEAR_SELF_PAY, YEAR_STAY_BESIDE_OTHER_KIND, Bill, fen)
from .flips import FlipSearch
from .static import claim_kinds

SAFETY_PROGRAM = asp_program("audit", "safety_search.lp")


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


@dataclass
class SearchResult:
    flips: list = field(default_factory=list)          # (J, year, u1, u2, scope, ev_a, ev_b)
    over_guarantee: list = field(default_factory=list)  # (ev, detail)
    monotonic: list = field(default_factory=list)       # (ev_lo, ev_hi)
    extra_identity: list = field(default_factory=list)  # (ev_single, ev_dual)
    premium_over: list = field(default_factory=list)    # (ev, amount, contribution)
    errors: list = field(default_factory=list)          # (ev)
    checked: list = field(default_factory=list)         # (J, year, property, cases compared, violations)
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

    def year_bills(self, j: str, year: int) -> list[Bill]:
        """Two-bill years with an in-region stay: a March stay in the city, then a second claim
        (a stay out of the province, or another kind the rules regulate; amounts in domain.py);
        what the year settles over both (tilted aid, caps) is then part of the comparison."""
        kinds = self.kinds(j)
        if "inpatient" not in kinds:
            return []
        seconds = [("inpatient", "out_of_province")] + [(k, self.variants(j, k)[0]) for k in kinds if k != "inpatient"]
        out = []
        for k2, v2 in seconds:
            stay = k2 == "inpatient"
            for s2 in (YEAR_SELF_PAY if stay else YEAR_OTHER_KIND_SELF_PAY):
                c2 = dict(self.bill(j, year, k2, s2, v2).claim, claim_id="c2")
                for s1 in (YEAR_SELF_PAY if stay else (YEAR_STAY_BESIDE_OTHER_KIND,)):
                    c1 = dict(self.bill(j, year, "inpatient", s1).claim, admitted=f"{year}-03-03", discharged=f"{year}-03-10")
                    out.append(Bill("inpatient", s1, f"year:{k2}:{v2}:{s2}", c1, [c2]))
        return out

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
        years = self.year_bills(j, year)
        for u in units:
            for b in years:
                items.append((self.make_case(j, year, [u], b.claims, f"audit-{j}-{year}-{u[0]}-{b.variant}-{b.self_pay}"), (u,), b))
        pairs = [(u1, u2) for u1, u2 in combinations(units, 2) if u1[0] != u2[0]]
        # an extra identity never yields less aid: each pair on the dual bills, on the two-bill
        # years and for the premium
        ext_items = []
        for u1, u2 in pairs:
            for kind in self.kinds(j):
                for s in DUAL_SELF_PAY:
                    var = self.variants(j, kind)[0]
                    b = self.bill(j, year, kind, s, var)
                    ext_items.append((self.make_case(j, year, [u1, u2], [b.claim], f"audit-{j}-{year}-{u1[0]}+{u2[0]}-{kind}-{var}-{s}"), (u1, u2), b))
            for b in years:
                ext_items.append((self.make_case(j, year, [u1, u2], b.claims, f"audit-{j}-{year}-{u1[0]}+{u2[0]}-{b.variant}-{b.self_pay}"), (u1, u2), b))
            ext_items.append((self.make_case(j, year, [u1, u2], [], f"audit-{j}-{year}-{u1[0]}+{u2[0]}-premium"), (u1, u2), None))
        prem_items = [(self.make_case(j, year, [u], [], f"audit-{j}-{year}-{u[0]}-premium"), (u,), None) for u in units]
        # premium subsidies against the contribution, also just below the rules' fixed amounts
        contributions = sorted({v - 20 for p in self.params_of(j) if p.kind in ("premium_amount", "premium_minimum")
                                for v in p.values if isinstance(v, Decimal) and v > 20})
        for c in contributions:
            prem_items += [(self.make_case(j, year, [u], [], f"audit-{j}-{year}-{u[0]}-premium-contribution-{c}", contribution=c), (u,), None)
                           for u in units]
        singles, ext, prem, found, counts = self._safety(items, ext_items, prem_items)
        sr.checked.extend((j, year, prop, n, v) for prop, (n, v) in counts.items())
        sr.cases_evaluated += len(singles) + len(ext) + len(prem)
        sr.errors.extend(ev for ev in singles if ev.error)
        sr.over_guarantee.extend(found["over_guarantee"])
        sr.monotonic.extend(found["monotonic"])
        sr.extra_identity.extend(found["extra_identity"])
        sr.premium_over.extend(found["premium_over"])
        # order of aid between two categories flips with the bill: searched by the solver
        # (asp/audit/flip_search.lp over the engine's own rules, medaid_logic/audit/flips.py),
        # then confirmed on a person holding both: the applied category changes
        found_flips, grounded = FlipSearch(self, self.engine).run(j, year, units)
        sr.cases_evaluated += grounded
        dual_items = []
        for u1, u2, scope, up, down in found_flips:
            for side, claims in (("up", up), ("down", down)):
                cid = f"audit-{j}-{year}-{u1[0]}+{u2[0]}-{scope}-{side}-" + "-".join(f"{c['kind']}-{c['in_policy_cost']}" for c in claims)
                dual_items.append((self.make_case(j, year, [u1, u2], claims, cid), (u1, u2), None))
        duals = self._evaluate(dual_items)
        sr.cases_evaluated += len(duals)
        for n, (u1, u2, scope, _, _) in enumerate(found_flips):
            d_up, d_down = duals[2 * n], duals[2 * n + 1]
            if d_up.result and d_down.result and d_up.result.get("applied_category") != d_down.result.get("applied_category"):
                sr.flips.append((j, year, u1, u2, scope, d_up, d_down))

    def _safety(self, items: list[tuple], ext_items: list[tuple], prem_items: list[tuple]):
        """The four safety properties, decided by the solver (asp/audit/safety_search.lp) over the
        engine's own rules, all applicants grounded together with the relations that pair them:
        more self-pay on the same unit and bill series, an extra identity on the same bill, the
        premium against the contribution. Returns the evaluated singles, duals and premium cases
        and, per property, the witnesses in the shape SearchResult holds (the first violation of
        each series / dual, as the report lists them)."""
        every = items + ext_items + prem_items
        parsed, index, evs = [], {}, []
        for n, (case, units, bill) in enumerate(every):
            try:
                index[n] = len(parsed)
                parsed.append(parse_case(case, self.kb))
            except CaseError as exc:
                index.pop(n)
                evs.append(Evaluated(case, None, exc, units, bill, case["year"], case["jurisdiction"]))
                continue
            evs.append(None)
        n_single, n_ext = len(items), len(ext_items)
        rel = [f"sf_single({index[n]})." for n in range(n_single) if n in index]
        series: dict = {}
        for n in range(n_single):
            case, units, bill = items[n]
            series.setdefault((units, bill.kind, bill.variant), []).append(n)
        nexts = []
        for members in series.values():
            members.sort(key=lambda n: items[n][2].self_pay)
            live = [n for n in members if n in index]
            nexts += list(zip(live, live[1:]))
        rel += [f"sf_next({index[a]},{index[b]})." for a, b in nexts]
        single_at = {(items[n][1][0], items[n][2].kind, items[n][2].variant, items[n][2].self_pay): n for n in range(n_single)}
        base_contribution = prem_items[0][0]["parameters"]["contribution"] if prem_items else None
        prem_at = {prem_items[k][1][0]: n_single + n_ext + k for k in range(len(prem_items))
                   if prem_items[k][0]["parameters"]["contribution"] == base_contribution}
        extra_pairs = []
        for k, (case, units, bill) in enumerate(ext_items):
            n12 = n_single + k
            for u in units:
                n1 = prem_at.get(u) if bill is None else single_at.get((u, bill.kind, bill.variant, bill.self_pay))
                if n1 is not None and n12 in index and n1 in index:
                    extra_pairs.append((n12, n1))
        rel += [f"sf_extra({index[a]},{index[b]})." for a, b in extra_pairs]
        rel += [f"sf_premium({index[n]})." for n in range(n_single + n_ext, len(every)) if n in index]
        results, atoms = self.engine.evaluate_together(parsed, "\n".join([SAFETY_PROGRAM.read_text(encoding="utf-8")] + rel))
        for n, (case, units, bill) in enumerate(every):
            if n in index:
                res = results[index[n]]
                err = res if isinstance(res, CaseError) else None
                evs[n] = Evaluated(case, None if err else res, err, units, bill, case["year"], case["jurisdiction"])
        # a case whose result could not be built (e.g. a statistic missing) witnesses nothing
        violations = {n: {(p, d) for p, d in atoms[index[n]]["sf_violation"]}
                      for n in index if index[n] in atoms and evs[n].result}
        at_pos = {index[n]: n for n in index}
        found: dict = {"over_guarantee": [], "monotonic": [], "extra_identity": [], "premium_over": []}
        for n in range(n_single):
            for p, d in violations.get(n, ()):
                if p == "over_guarantee":
                    found["over_guarantee"].append((evs[n], d))
        for members in series.values():
            live = [n for n in members if n in violations]
            for lo, hi in zip(live, live[1:]):
                if ("monotonic", index[hi]) in violations[lo]:
                    found["monotonic"].append((evs[lo], evs[hi]))
                    break
        for k in range(n_ext):
            n12 = n_single + k
            hit = [at_pos[d] for p, d in violations.get(n12, ()) if p == "extra_identity"]
            for n1 in (b for a, b in extra_pairs if a == n12):
                if n1 in hit and n1 in violations:
                    found["extra_identity"].append((evs[n1], evs[n12]))
                    break
        for n in range(n_single + n_ext, len(every)):
            for p, d in violations.get(n, ()):
                if p == "premium_over":
                    found["premium_over"].append((evs[n], d[1], d[2]))
        # per property: how many cases (or pairs of cases) were compared, and how many violate it
        counts = {"over_guarantee": (sum(1 for n in range(n_single) if n in violations), 0),
                  "monotonic": (len(nexts), 0), "extra_identity": (len(extra_pairs), 0),
                  "premium_over": (sum(1 for n in range(n_single + n_ext, len(every)) if n in violations), 0)}
        for n, vs in violations.items():
            for prop in {p for p, _ in vs}:
                counts[prop] = (counts[prop][0], counts[prop][1] + 1)
        return evs[:n_single], evs[n_single:n_single + n_ext], evs[n_single + n_ext:], found, counts
