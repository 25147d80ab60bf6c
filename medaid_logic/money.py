"""Money and ratios at the edges.

Inside the engine money is integer fen and ratios integer basis points (1/10000).
Rounding rule (stated once, <interpretation/rounding>): every computed amount is rounded
once, to the fen, half up; the ASP programs do it with exact integer arithmetic.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

FEN = Decimal("0.01")
# clingo's integers are 32-bit: every figure the programs compute, sums over a year included,
# must stay below this many fen (21,474,836.47 yuan). Inputs are bounded so that they do.
MAX_FEN = 2**31 - 1
# a decimal written as text: ASCII digits only (no full-width or Arabic-Indic digits, no `_`,
# no exponent, no spaces): what a caller means is never guessed
DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
# magnitudes beyond this are no figure the engine holds: refused before any arithmetic, so that
# 1e999999 is an error naming its field, not an overflow or an integer of a million digits
MAX_ADJUSTED_EXPONENT = 15


def to_decimal(value) -> Decimal:
    """A JSON number or string as an exact Decimal (floats go through their repr, never binary)."""
    if type(value) is Decimal:   # the common case first: a validated amount
        d = value
    elif isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    elif isinstance(value, str):
        if not DECIMAL_TEXT.fullmatch(value):
            raise ValueError(f"not a decimal number written with ASCII digits (e.g. \"1234.56\"): {value[:40]!r}")
        try:
            d = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value[:40]!r}") from None
    else:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not d.is_finite():
        raise ValueError(f"not a finite number: {str(value)[:40]!r}")
    if d and not -MAX_ADJUSTED_EXPONENT <= d.adjusted() <= MAX_ADJUSTED_EXPONENT:
        raise ValueError(f"number out of range: {str(value)[:40]}")
    return d


def check_money(value) -> Decimal:
    """Input money: a finite, non-negative number of yuan with at most two decimals, small
    enough for the engine's integers (see MAX_FEN)."""
    d = to_decimal(value)
    if d < 0:
        raise ValueError("money cannot be negative")
    if d * 100 > MAX_FEN:
        raise ValueError(f"more than the engine's limit of {fen_to_str(MAX_FEN)} yuan")
    if d != d.quantize(FEN):
        raise ValueError("money has more than two decimals")
    return d


def yuan_to_fen(value) -> int:
    """Exact yuan (at most two decimals) to integer fen; more decimals are an error."""
    d = to_decimal(value)
    fen = d * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{value} has more than two decimals")
    return int(fen)


def fen_to_str(fen: int) -> str:
    if fen < 0:
        return "-%d.%02d" % divmod(-fen, 100)
    return "%d.%02d" % divmod(fen, 100)


def ratio_to_bp(value) -> int:
    d = to_decimal(value) * 10000
    if d != d.to_integral_value():
        raise ValueError(f"ratio {value} is finer than a basis point")
    return int(d)


@lru_cache(maxsize=4096)   # every result prints its few ratios, in each step's formula
def bp_to_percent(bp: int) -> str:
    d = (Decimal(bp) / 100).normalize()
    return f"{d:f}%"


@lru_cache(maxsize=4096)
def bp_to_decimal_str(bp: int) -> str:
    d = (Decimal(bp) / 10000).normalize()
    return f"{d:f}"


def round_half_up_fen(amount: Decimal) -> Decimal:
    """Reference implementation of the rounding rule, for tests against the ASP arithmetic."""
    from decimal import ROUND_HALF_UP
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)
