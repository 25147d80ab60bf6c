"""What a legal question is about: the target grammar (`claim:c1.step:top_up`, `annual:tilted_aid`,
`param:<id>`, ...) and the check that a target names only what the case, the KB and the
engine's rules hold."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .probe import rules_from


class TargetError(ValueError):
    pass


@dataclass
class Target:
    kind: str            # total | premium | applied_category | claim | step | category | flag | annual | param | claim_category
    claim: str | None = None
    what: str | None = None
    name: str | None = None

    def __str__(self):
        if self.kind == "total":
            return "total"
        if self.kind in ("premium", "applied_category"):
            return self.kind
        if self.kind == "claim":
            return f"claim:{self.claim}"
        if self.kind == "step":
            return f"claim:{self.claim}.step:{self.what}" if self.claim else f"annual:{self.name}.step:{self.what}"
        if self.kind == "claim_category":
            return f"claim:{self.claim}.category:{self.name}"
        return f"{self.kind}:{self.name}"


_T = re.compile(r"^(?:(total|premium|applied_category)|(claim|category|flag|annual|param):([^.]+)(?:\.(step|category):(.+))?)$")


def parse_target(text: str) -> Target:
    """`claim:c1`, `claim:c1.step:top_up`, `claim:c1.category:dibao`, `premium`, `total`,
    `category:dibao`, `flag:monitoring`, `annual:tilted_aid[.step:what]`, `param:<id>`."""
    m = _T.match(text.strip())
    if not m:
        raise TargetError(f"not a target: {text!r} (expected total, premium, claim:<id>[.step:<what>|.category:<cat>], "
                          "category:<id>, flag:<kind>, annual:<kind>[.step:<what>], param:<kb id>)")
    if m.group(1):
        return Target(m.group(1))
    kind, name, sub, subname = m.group(2), m.group(3), m.group(4), m.group(5)
    if kind == "param" and sub is None:
        return Target("param", name=text.strip()[len("param:"):])
    if kind == "claim":
        if sub == "step":
            return Target("step", claim=name, what=subname)
        if sub == "category":
            return Target("claim_category", claim=name, name=subname)
        return Target("claim", claim=name)
    if kind == "annual" and sub == "step":
        return Target("step", name=name, what=subname)
    if sub:
        raise TargetError(f"{kind}: takes no .{sub}")
    return Target(kind, name=name)


# the item an annual entry is computed on (step/7's second argument); None: a year-end item
# q(Context, Category) of claims.lp, one per category that settles quota claims
ANNUAL_ITEM = {"tilted_aid": "year", "chronic_quota_settlement": None}

_kinds_cache: dict = {}


def known_kinds(engine) -> dict[str, list[str]]:
    """The flag kinds, annual kinds and step names the engine's programs can derive, read from
    the heads of their flag/4, annual/4 and step/7 rules (so a target can be checked)."""
    key = id(engine)
    if key not in _kinds_cache:
        rules = rules_from(engine.statements)

        def consts(name, arity, pos, where=None):
            return sorted({r.head_args[pos] for r in rules.get((name, arity), [])
                           if re.fullmatch(r"[a-z_]\w*", r.head_args[pos]) and (where is None or where(r))})
        _kinds_cache[key] = {
            "flag": consts("flag", 4, 1), "annual": consts("annual", 4, 1),
            "claim_step": consts("step", 7, 3, lambda r: not re.fullmatch(r"[a-z_]\w*", r.head_args[1])),
            "year_step": consts("step", 7, 3, lambda r: r.head_args[1] == "year"),
        }
    return _kinds_cache[key]


def check_target(s, t: Target) -> None:
    """A target names only what exists: the case's claims, the KB's categories and parameters,
    and flag kinds, annual kinds and steps the engine's rules derive. Else TargetError naming
    the bad part."""
    k = known_kinds(s.engine)
    if t.claim:
        s.claim_index(t.claim)
    if t.kind in ("category", "claim_category") and t.name not in s.kb.categories:
        raise TargetError(f"{t}: unknown category {t.name!r} (categories: {', '.join(sorted(s.kb.categories))})")
    if t.kind == "flag" and t.name not in k["flag"]:
        raise TargetError(f"{t}: unknown flag kind {t.name!r} (flags: {', '.join(k['flag'])})")
    if (t.kind == "annual" or (t.kind == "step" and not t.claim)) and t.name not in k["annual"]:
        raise TargetError(f"{t}: unknown annual kind {t.name!r} (annual: {', '.join(k['annual'])})")
    if t.kind == "step":
        steps = k["year_step"] if (not t.claim and ANNUAL_ITEM.get(t.name) == "year") else k["claim_step"]
        if t.what not in steps:
            raise TargetError(f"{t}: unknown step {t.what!r} (steps here: {', '.join(steps)})")
    if t.kind == "param" and t.name not in s.kb.parameters:
        raise TargetError(f"{t}: unknown KB parameter {t.name!r} (see `medaid parameters`)")


