"""Applicant identity numbers: unified social credit codes (USCC) and resident ID card numbers (RIC).

python-stdnum computes the check characters; two of its rules are too strict for real numbers and are
relaxed here, as ../shared/DOMAIN-NOTES.md records:

- ``stdnum.cn.uscc`` refuses codes whose registration-authority character is a letter, though GB 32100
  assigns letters (A–G, N, Y) to authorities such as 民政 or 工会. We check the structure ourselves (an
  authority character from ``1–9 A–G N Y``, a category digit, six division digits, nine code
  characters) and keep stdnum's check character.
- ``stdnum.cn.ric`` refuses numbers whose area code was retired or renamed (python-stdnum issue #442);
  people keep IDs issued before such changes. We accept an unknown area code when its province part is
  a real province and the check digit and birth date are valid.

A checksum failure is always an error.

>>> validate_uscc(" 9111 0000 6000 3734 1L ")
'91110000600037341L'
>>> validate_uscc("9111000060003734XL")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
feecollect.identity.InvalidIdentity: unified social credit code 9111000060003734XL: its check character ...
>>> validate_ric("11010519491231002x")
'11010519491231002X'
>>> validate_ric("110105194913310021")
Traceback (most recent call last):
...
feecollect.identity.InvalidIdentity: resident ID 110105194913310021: its birth date is not a date
>>> validate_uscc("N2110000MB0P123459")  # a letter authority code, which stdnum alone refuses
'N2110000MB0P123459'
>>> validate_ric("990105199001010022")
Traceback (most recent call last):
...
feecollect.identity.InvalidIdentity: resident ID 990105199001010022: 990105 is not an area code
"""

from __future__ import annotations

import re
from typing import Literal

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

IdType = Literal["uscc", "ric"]
ID_TYPES: tuple[IdType, ...] = ("uscc", "ric")

_USCC_SHAPE = re.compile(r"[1-9A-GNY][0-9][0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}[0-9A-HJ-NPQRTUWXY]")
# GB/T 2260 province-level codes (first two digits of an area code).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "  # noqa: SIM905 (a list of 34 literals reads worse)
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)


class InvalidIdentity(ValueError):
    """``reason`` names what is wrong (length, shape, digits, check, birth_date, area, id_type)."""

    def __init__(self, message: str, reason: str = "shape") -> None:
        super().__init__(message)
        self.reason = reason


def validate_uscc(number: str) -> str:
    compact = uscc.compact(number)
    label = f"unified social credit code {compact}"
    if len(compact) != 18:
        raise InvalidIdentity(f"{label}: must be 18 characters, not {len(compact)}", "length")
    if not _USCC_SHAPE.fullmatch(compact):
        raise InvalidIdentity(
            f"{label}: not the shape of a USCC (authority, category, division, code, check)", "shape"
        )
    if uscc.calc_check_digit(compact) != compact[-1]:
        raise InvalidIdentity(f"{label}: its check character is wrong", "check")
    return compact


def validate_ric(number: str) -> str:
    compact = ric.compact(number)
    label = f"resident ID {compact}"
    try:
        return ric.validate(compact)
    except InvalidLength:
        raise InvalidIdentity(f"{label}: must be 18 characters, not {len(compact)}", "length") from None
    except InvalidFormat:
        raise InvalidIdentity(f"{label}: the first 17 characters must be digits", "digits") from None
    except InvalidChecksum:
        raise InvalidIdentity(f"{label}: its check digit is wrong", "check") from None
    except InvalidComponent:
        try:
            ric.get_birth_date(compact)
        except ValidationError:
            raise InvalidIdentity(f"{label}: its birth date is not a date", "birth_date") from None
        if compact[:2] not in _PROVINCES:
            raise InvalidIdentity(f"{label}: {compact[:6]} is not an area code", "area") from None
        return compact  # a retired or renamed area code in a real province


def validate(id_type: str, number: str) -> str:
    if id_type == "uscc":
        return validate_uscc(number)
    if id_type == "ric":
        return validate_ric(number)
    raise InvalidIdentity(f"id_type {id_type!r} is not one of {', '.join(ID_TYPES)}", "id_type")
