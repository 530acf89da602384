"""Payment codes inside a statement line's free text (SPEC §5, §10).

A payer or a bank writes the code however it likes: alone, after a label (缴款码:, 缴款识别码), split
into groups by spaces or dashes, in full-width digits. Only 20 digits whose MOD 97-10 check digits
hold count: one random 20-digit number in 97 would pass, so digits are never taken out of a longer
run (an account or serial number), only whole runs or whole groups that add up to exactly 20.

>>> find_payment_code("缴款 缴款码:43032126000000000365")
'43032126000000000365'
>>> find_payment_code("缴款码 4303 2126 0000 0000 0171 张三")
'43032126000000000171'
>>> find_payment_code("４３０３２１２６０００００００００３６５")
'43032126000000000365'
>>> find_payment_code("43032126000000000366") is None  # check digits fail
True
>>> find_payment_code("6222 0000 1111 2222 43032126000000000365 转账")
'43032126000000000365'
>>> find_payment_code("账号 62220000111122224303212600000000036599") is None  # inside a longer run
True
"""

from __future__ import annotations

import re
import unicodedata

from feecollect.notices.payment_code import is_payment_code

CODE_LENGTH = 20
_WHOLE = re.compile(r"(?<![0-9])[0-9]{20}(?![0-9])")
_GROUPS = re.compile(r"[0-9]+(?:[ \-][0-9]+)+")


def find_payment_code(text: str) -> str | None:
    """The first valid payment code in ``text``, or None."""
    if not text:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    for digits in _WHOLE.findall(text):
        if is_payment_code(digits):
            return str(digits)
    for match in _GROUPS.finditer(text):
        groups = re.split(r"[ \-]", match.group())
        for start in range(len(groups)):
            joined = ""
            for group in groups[start:]:
                joined += group
                if len(joined) >= CODE_LENGTH:
                    break
            if len(joined) == CODE_LENGTH and is_payment_code(joined):
                return joined
    return None
