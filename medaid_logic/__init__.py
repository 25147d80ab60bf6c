"""medaid-logic: China's medical-assistance policy as RDF facts and answer-set programs.

One public entry point evaluates cases: :func:`evaluate` (one case) and :func:`evaluate_batch`.
"""
from .engine import Engine, evaluate, evaluate_batch
from .errors import CaseError, KBError

__all__ = ["Engine", "evaluate", "evaluate_batch", "CaseError", "KBError"]
