"""The bounded domain the solver searches, as audit assumptions (not policy): the self-pay amounts
tried, what insurance paid on a generated bill, the statistics a case needs where the KB holds
none, and the money helpers the searches and the findings share. Its own module so that the
searches (search.py, flips.py) and the findings read it without importing each other."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# self-pay amounts (yuan) every search tries, besides the KB's own figures
SELF_PAY_GRID = (0, 500, 3000, 8000, 20000, 50000, 90000, 150000, 400000)
INSURANCE_PAID = 10000          # what basic insurance paid on every generated bill
DUAL_SELF_PAY = (3000, 150000)  # bills tried for the extra-identity property
BILL_SELF_PAY = (3000, 20000, 150000)  # self-pay of each claim of a year's bill and of a witness pair's bills
# self-pay of each claim of a two-bill year for the safety search: an in-region stay and a second
# stay out of the province, each at every amount; 60000 puts a stay just under the lower caps so
# that what the year settles afterwards (tilted aid) decides which identity pays more. Another
# kind beside the stay is tried at its small and large amount with the stay at 60000 only (the
# domain grows with every kind and every pair of identities)
YEAR_SELF_PAY = (20000, 60000, 150000)
YEAR_STAY_BESIDE_OTHER_KIND = 60000
YEAR_OTHER_KIND_SELF_PAY = (3000, 150000)
# statistics a case needs when the KB holds none for the place and year (audit assumptions,
# not policy: any positive figure exercises the rules)
DEFAULT_STATISTICS = {"income_base": 30000, "rural_income_base": 20000, "dibao_standard": 9000, "contribution": 380}


def money(v) -> str:
    return f"{Decimal(str(v)):.2f}"


def fen(s) -> int:
    return int((Decimal(str(s)) * 100).to_integral_value())


@dataclass
class Bill:
    kind: str
    self_pay: int
    variant: str              # base | early | out_of_province | catalogue | quota | disease:<d> | year:<second claim>
    claim: dict
    more: list = field(default_factory=list)   # the year's further claims (a two-bill year)

    @property
    def claims(self) -> list[dict]:
        return [self.claim] + self.more
