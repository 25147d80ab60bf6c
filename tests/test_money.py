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


# ---- the engine's own rounding, at every site of asp/ --------------------------------------
import re
from pathlib import Path

import clingo

ASP = Path(__file__).resolve().parent.parent / "asp"
# (V/10000)*R + ((V\10000)*R + 5000)/10000 with V and R any terms; the truncating form (no
# + 5000) is allowed only where the figure is a threshold compared exactly (O > floor(x) ⇔ O > x)
SITE = re.compile(r"\((\w+)/10000\)\*(\w+) \+ \(\(\1\\10000\)\*\2( \+ 5000)?\)/10000")
EXACT_THRESHOLDS = {"yr_target_floor", "flag"}


def _sites():
    out = []
    for path in sorted(ASP.rglob("*.lp")):
        text = path.read_text(encoding="utf-8")
        for rule in re.split(r"\.\s*\n", text):
            for m in SITE.finditer(rule):
                head = re.sub(r"%.*", "", rule).strip().split("(")[0].strip().split("\n")[-1]
                out.append((path.name, head, m.group(0), bool(m.group(3))))
    return out


def test_every_rounding_site_rounds_half_up():
    sites = _sites()
    assert len(sites) >= 12, sites  # deductibles, ratios, top-up, control, catalogue, premium, tilt, monitoring
    for name, head, expr, half_up in sites:
        assert half_up or head in EXACT_THRESHOLDS, f"{name}: {head} truncates {expr}"


@pytest.mark.parametrize("site", [s for s in _sites() if s[3]], ids=lambda s: f"{s[0]}:{s[1]}")
def test_engine_expression_is_exact_half_up(site):
    """The expression as written at the site, evaluated by clingo, against Decimal half-up."""
    _, _, expr, _ = site
    m = SITE.match(expr)
    program_expr = expr.replace(m.group(1), "V").replace(m.group(2), "R") if m.group(1) != m.group(2) else expr
    rng = random.Random(7)
    pairs = [(rng.randrange(0, 2_000_000_000), rng.randrange(0, 10001)) for _ in range(300)]
    pairs += [(123455, 7000), (5, 5000), (15, 5000), (2_147_480_000, 10000), (0, 0)]
    facts = "".join(f"v({i},{v},{r})." for i, (v, r) in enumerate(pairs))
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], facts + f"x(I,{program_expr}) :- v(I,V,R).\n#show x/2.")
    ctl.ground([("base", [])])
    got = {}
    ctl.solve(on_model=lambda mdl: got.update({s.arguments[0].number: s.arguments[1].number for s in mdl.symbols(shown=True)}))
    for i, (v, r) in enumerate(pairs):
        assert got[i] == int(round_half_up_fen(Decimal(v) / 100 * Decimal(r) / 10000) * 100), (expr, v, r)
