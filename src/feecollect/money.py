"""Money is integer fen inside the service and ``Decimal`` yuan at its edges; never ``float``.

>>> to_fen(Decimal("1234.565"))
123457
>>> format_yuan(123450)
'1234.50'
>>> parse_yuan("1,234.50")
Traceback (most recent call last):
...
ValueError: '1,234.50' is not an amount in yuan with exactly two decimals
>>> parse_yuan("-0.05")
-5
>>> parse_yuan("１２.００")
Traceback (most recent call last):
...
ValueError: '１２.００' is not an amount in yuan with exactly two decimals
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

FEN_PER_YUAN = 100
_ONE = Decimal(1)
_AMOUNT = re.compile(r"-?[0-9]{1,15}\.[0-9]{2}")  # ASCII digits: \d takes any script's


def to_fen(yuan: Decimal) -> int:
    """Round an exact yuan amount half-up to the fen (0.005 rounds away from zero)."""
    return int((yuan * FEN_PER_YUAN).quantize(_ONE, rounding=ROUND_HALF_UP))


def fen_to_decimal(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def format_yuan(fen: int) -> str:
    """The wire form of an amount: yuan as a string with exactly two decimals."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """Parse the wire form (exactly two decimals, no separators) into fen."""
    if not _AMOUNT.fullmatch(text):
        raise ValueError(f"{text!r} is not an amount in yuan with exactly two decimals")
    return int(Decimal(text) * FEN_PER_YUAN)


def format_rate(rate: Decimal) -> str:
    """A rate as a plain decimal string with at least two decimals (rates may be finer than a fen).

    >>> format_rate(Decimal("1.2")), format_rate(Decimal("512")), format_rate(Decimal("0.0045"))
    ('1.20', '512.00', '0.0045')
    """
    text = format(rate.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def chinese_capital(fen: int) -> str:
    """The amount in Chinese capital numerals (大写) as printed on notices and bills.

    cn2an spells the digits and places the 零; per 《会计基础工作规范》 §52 an amount that ends at 元 or 角
    takes 整, one with 分 does not.

    >>> chinese_capital(123450), chinese_capital(100405), chinese_capital(2000), chinese_capital(10100000001)
    ('壹仟贰佰叁拾肆元伍角整', '壹仟零肆元零伍分', '贰拾元整', '壹亿零壹佰万元零壹分')
    >>> chinese_capital(-5000)
    '负伍拾元整'
    """
    import cn2an  # about 0.1 s to import: only paid by code that prints amounts in words

    words = str(cn2an.an2cn(format_yuan(abs(fen)), "rmb"))
    if fen % 10 == 0 and not words.endswith("整"):
        words += "整"
    return ("负" if fen < 0 else "") + words
