"""The questions a legal officer asks of one case, in one object (the CLI and the workbench call
the modules directly; this is the library's entry point)."""
from __future__ import annotations

from ..engine import Engine
from .i18n import category_label, w
from .minimal import minimal_change
from .rdf import decision_graph
from .session import Session
from .targets import parse_target
from .whatif import what_if
from .why import clauses, why
from .whynot import why_not


class Explainer:
    """The questions a legal officer asks of one case (see the sibling modules)."""

    def __init__(self, data: dict, engine: Engine | None = None, lang: str = "zh"):
        self.session = Session(data, engine)
        self.lang = lang

    @property
    def kb(self):
        return self.session.kb

    def why(self, target: str) -> dict:
        return why(self.session, parse_target(target), self.lang)

    def why_not(self, target: str) -> dict:
        return why_not(self.session, parse_target(target), self.lang)

    def what_if(self, changes: list[str]) -> dict:
        return what_if(self.session, changes, self.lang)

    def clauses(self) -> list[dict]:
        return clauses(self.session)

    def minimal_change(self, target: str) -> dict:
        return minimal_change(self.session, parse_target(target))

    def rdf(self):
        return decision_graph(self.session)

    def label(self, key):
        return w(key, self.lang)

    def category(self, cid):
        return category_label(self.kb, cid, self.lang)
