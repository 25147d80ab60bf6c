"""One evaluation kept for questions: the result, the solver's atoms and the derivation graph
(graph.py). The questions themselves are the sibling modules (why, whynot, whatif, minimal);
the facade over them is explainer.py."""
from __future__ import annotations

import copy
import re

from ..engine import Engine, default_engine
from ..resources import asp_program
from .graph import build_graph, is_quota_item
from .targets import Target, TargetError

# atoms the legal layer reads beyond show.lp (every one has the applicant first)
EXTRA_SHOW = """
#show cand/4. #show cand_fails/4. #show claim_param/6. #show covers/3. #show eligible/3. #show key/4.
#show excluded/4. #show rules_for/3. #show holds/6. #show cond_ok/3. #show claim_everyone/5.
#show prem_cand0/3. #show prem_fails/3. #show year_rules/2. #show item_pool/3. #show item/3.
"""

# the legal layer's own programs, grounded for the one applicant a question is about
LEGAL_PROGRAMS = ("cap_used_by.lp", "whynot_candidates.lp", "app_figures.lp")


class Session:
    """A case evaluated once, with the atoms and the derivation graph behind its result."""

    def __init__(self, data: dict, engine: Engine | None = None, extra_program: str = ""):
        self.engine = engine or default_engine()
        self.kb = self.engine.kb
        self.data = copy.deepcopy(data)
        self.result, self.atoms = self.engine.evaluate_with_atoms(
            self.data, EXTRA_SHOW + "".join(asp_program("legal", f).read_text(encoding="utf-8") for f in LEGAL_PROGRAMS)
            + extra_program)
        self.claim_ids = [c["claim_id"] for c in self.data.get("claims", [])]
        self.graph = build_graph(self)

    # ---- helpers ---------------------------------------------------------------------
    def rule_of(self, pid) -> str | None:
        p = self.kb.parameters.get(pid) if isinstance(pid, str) else None
        return p.rule if p else None

    def locator(self, rule: str | None) -> str | None:
        return self.kb.locator(rule) if rule else None

    def claim_index(self, claim_id: str) -> int:
        try:
            return self.claim_ids.index(claim_id)
        except ValueError:
            raise TargetError(f"no claim {claim_id!r} in the case (claims: {', '.join(self.claim_ids)})") from None

    def item_node(self, k) -> str:
        if k == "year":
            return "annual:tilted_aid"
        if is_quota_item(k):
            return "annual:chronic_quota_settlement"
        return f"claim:{self.claim_ids[k]}"

    def input_value(self, path: str):
        cur = self.data
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
            if part.startswith("["):
                i = int(part[1:-1])
                cur = cur[i] if isinstance(cur, list) and i < len(cur) else None
            else:
                cur = cur.get(part) if isinstance(cur, dict) else None
            if cur is None:
                return None
        return cur

    def nodes_for(self, target: Target) -> list[str]:
        g = self.graph
        if target.kind in ("total", "premium", "applied_category"):
            ids = [target.kind]
        elif target.kind == "claim":
            self.claim_index(target.claim)
            ids = [f"claim:{target.claim}"]
        elif target.kind == "step":
            base = f"claim:{target.claim}" if target.claim else f"annual:{target.name}"
            if target.claim:
                self.claim_index(target.claim)
            ids = [f"{base}.step:{target.what}"]
        elif target.kind == "flag":
            ids = [n for n in g if n == f"flag:{target.name}" or n.startswith(f"flag:{target.name}@")]
        elif target.kind == "category":
            ids = [f"category:{target.name}"]
        elif target.kind == "annual":
            ids = [f"annual:{target.name}"]
        elif target.kind == "param":
            ids = [f"param:{target.name}"]
        else:
            ids = []
        return [n for n in ids if n in g]
