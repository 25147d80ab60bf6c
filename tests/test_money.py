"""The rounding rule, stated once (kb/interpretations.ttl#rounding): every computed amount is
rounded once, to the fen, half up. The ASP programs multiply exactly in integers; this checks
their formula against Decimal arithmetic, and the engine on a half-fen case."""
import random
from decimal import Decimal

import pytest

from medaid_logic.money import fen_to_str, ratio_to_bp, round_half_up_fen, yuan_to_fen


def asp_times(v: int, r: int) -> int:
    # the expression used in asp/*.lp: (V/10000)*R + ((V\10000)*R + 5000)/10000
    return (v // 10000) * r + ((v % 10000) * r + 5000) // 10000


def test_asp_multiplication_is_exact_half_up():
    rng = random.Random(1)
    for _ in range(20000):
        v = rng.randrange(0, 2_000_000_000)
        r = rng.randrange(0, 15001)
        exact = round_half_up_fen(Decimal(v) / 100 * Decimal(r) / 10000)
        assert asp_times(v, r) == int(exact * 100)


def test_half_fen_rounds_up():
    # 1234.55 × 70% = 864.185 → 864.19
    assert asp_times(123455, 7000) == 86419
    assert fen_to_str(86419) == "864.19"


def test_edges():
    assert yuan_to_fen("1234.56") == 123456
    assert yuan_to_fen(Decimal("0.1")) == 10
    assert ratio_to_bp("0.70") == 7000
    with pytest.raises(ValueError):
        yuan_to_fen("1.005")
    assert fen_to_str(5) == "0.05"


def test_input_money_is_finite_and_fits_the_engines_integers():
    from medaid_logic.money import MAX_FEN, check_money
    assert MAX_FEN == 2_147_483_647  # clingo's 32-bit integers
    assert check_money("21474836.47") == Decimal("21474836.47")  # exactly the limit
    for bad in ("21474836.48", Decimal("1E+400"), float("nan"), float("inf"), "NaN", "-0.01", "1.001"):
        with pytest.raises(ValueError):
            check_money(bad)
