"""Payment codes (SPEC §5, a contract with the banks): 20 digits = the centre's 6-digit division code
+ 2-digit year + 10-digit sequence + 2 check digits, ISO 7064 MOD 97-10 over the first 18.

>>> code = make_payment_code("430321", 2026, 42)
>>> code
'43032126000000004245'
>>> is_payment_code(code), is_payment_code(code[:-1] + "2"), is_payment_code("4303212600000000421")
(True, False, False)
>>> is_payment_code("４３０３２１２６００００００００４２４５")  # full-width digits
False
>>> describe(code)
('430321', 2026, 42)
"""

from __future__ import annotations

import re

from stdnum.iso7064 import mod_97_10

MAX_SEQUENCE = 10**10 - 1


def make_payment_code(division: str, year: int, sequence: int) -> str:
    if not re.fullmatch(r"\d{6}", division):
        raise ValueError(f"division code {division!r} must be 6 digits")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence {sequence} does not fit 10 digits")
    body = f"{division}{year % 100:02d}{sequence:010d}"
    return body + mod_97_10.calc_check_digits(body)


def is_payment_code(text: str) -> bool:
    """20 digits whose check digits hold; any other string of digits is not a payment code.

    For digits, ISO 7064 MOD 97-10 validity is exactly "the number is 1 modulo 97"; reconciliation asks
    this of every statement line, so it is computed here directly (a test checks it agrees with
    ``stdnum.iso7064.mod_97_10.is_valid`` on random codes).
    """
    # ASCII digits only: isdecimal() alone admits full-width and other scripts' digits.
    return len(text) == 20 and text.isascii() and text.isdecimal() and int(text) % 97 == 1


def describe(code: str) -> tuple[str, int, int]:
    """Division, year and sequence of a valid code."""
    if not is_payment_code(code):
        raise ValueError(f"{code!r} is not a payment code")
    return code[:6], 2000 + int(code[6:8]), int(code[8:18])
