"""Answers for legal staff: why, why-not, what-if, clauses, minimal change, decision records.

Everything here is read from the solver's own atoms (``Engine.evaluate_with_atoms``) and the
KB; nothing recomputes an amount in Python. Entry point: :class:`Explainer`.

Target syntax (``medaid why CASE TARGET``)::

    total                      the year's total aid
    premium                    the premium subsidy
    claim:<claim_id>           a claim's aid
    claim:<id>.step:<what>     one step of a claim (self_pay, deductible, deductible_base,
                               ordinary_aid, annual_cap, top_up, catalogue_cost_aid)
    claim:<id>.category:<cat>  (why-not) the claim paid under <cat>
    category:<id>              a category (held; for why-not: applied for the year)
    flag:<kind>                a flag (monitoring, direct_aid, no_deposit, ...)
    annual:<kind>              an annual entry (tilted_aid, chronic_quota_settlement)
    annual:<kind>.step:<what>  one of its steps
    param:<kb parameter id>    a KB parameter (graph leaf)
    applied_category           the category take-the-highest applied (its rule and year totals)
"""
from .explainer import Explainer  # noqa: F401
from .session import Session  # noqa: F401
from .targets import TargetError, parse_target  # noqa: F401
