"""Payment codes in statement text: the check agrees with python-stdnum, and only whole runs count."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_97_10

from feecollect.notices.payment_code import is_payment_code, make_payment_code
from feecollect.reconcile.codes import find_payment_code


@given(st.text(alphabet="0123456789", min_size=18, max_size=22))
def test_the_fast_check_agrees_with_stdnum(digits):
    assert is_payment_code(digits) == (len(digits) == 20 and mod_97_10.is_valid(digits))


@given(
    st.integers(min_value=1, max_value=10**10 - 1), st.sampled_from(["", "缴款码:", "缴款识别码 ", "附言"])
)
def test_every_issued_code_is_found_in_the_ways_payers_write_it(sequence, label):
    code = make_payment_code("430321", 2026, sequence)
    spaced = " ".join(code[i : i + 4] for i in range(0, 20, 4))
    wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for text in (f"{label}{code}", f"{label}{spaced} 转账", f"张三{wide}", f"{label}{code[:10]}-{code[10:]}"):
        assert find_payment_code(text) == code


@given(st.integers(min_value=1, max_value=10**10 - 1), st.text(alphabet="0123456789", min_size=1, max_size=5))
def test_a_code_inside_a_longer_number_is_not_taken(sequence, extra):
    code = make_payment_code("430321", 2026, sequence)
    assert find_payment_code(f"账号{extra}{code}") is None
    assert find_payment_code(f"账号{extra} {code}") == code
