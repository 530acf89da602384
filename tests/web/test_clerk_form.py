"""The clerk's registration form: fee items are chosen from the department's, reliefs ticked from
the schedules' list; a refusal says per field what is wrong, in Chinese, and keeps what was typed."""

from __future__ import annotations

import re

from tests.helpers import RIC, USCC
from tests.web.conftest import csrf_of, sign_in


def _form(csrf: str, **changes: object) -> dict[str, object]:
    return {
        "csrf_token": csrf,
        "case_no": "F-1",
        "window": "W01",
        "service_date": "2026-12-01",
        "applicant_name": "示范市星河商贸有限公司",
        "id_type": "uscc",
        "id_no": USCC,
        "item": ["XZ-BDC-002", "XZ-BDC-003", "", "", ""],
        "quantity": ["", "2", "", "", ""],
    } | changes


def _field_errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'<span class="field-error" data-field="([^"]+)">([^<]*)</span>', page))


def test_the_form_offers_the_departments_items_with_their_units_and_its_reliefs(client, passwords):
    sign_in(client, "clerk", passwords["clerk"])
    page = client.get("/clerk").text
    assert page.count('<select name="item">') == 5 and "<textarea" not in page
    assert "不动产登记费" in page and "按件）" in page  # ZRZY's items, each with its unit
    assert "居民身份证工本费" not in page, "another department's items are not offered"
    assert 'name="flag" value="small_micro_enterprise"' in page and "小微企业免收" in page


def test_a_clerk_registers_from_chosen_rows_with_a_ticked_relief(client, passwords):
    sign_in(client, "clerk", passwords["clerk"])
    csrf = csrf_of(client.get("/clerk").text)
    done = client.post(
        "/clerk/cases", data=_form(csrf, flag=["small_micro_enterprise"]), follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/clerk/cases/F-1"
    case = client.get("/clerk/cases/F-1").text
    assert "小微企业免收" in case and "减 100%" in case and "自然资源和规划局" in case


def test_a_refusal_says_per_field_what_is_wrong_and_keeps_what_was_typed(client, passwords):
    sign_in(client, "clerk", passwords["clerk"])
    csrf = csrf_of(client.get("/clerk").text)
    bad_id = RIC[:-1] + ("0" if RIC[-1] != "0" else "1")
    refused = client.post(
        "/clerk/cases",
        data=_form(csrf, id_type="ric", id_no=bad_id, quantity=["", "2.5", "", "", ""], service_date="12/01"),
    )
    errors = _field_errors(refused.text)
    assert errors == {"service_date": "办理日期：不是有效日期（格式 YYYY-MM-DD）"}, "dates are checked first"
    refused = client.post(
        "/clerk/cases", data=_form(csrf, id_type="ric", id_no=bad_id, quantity=["", "2.5", "", "", ""])
    )
    errors = _field_errors(refused.text)
    assert errors["applicant.id_no"] == "证件号码：居民身份证号码校验位错误，请核对"
    assert errors["row:XZ-BDC-003"].startswith(
        "第 2 个收费项目（不动产权属证书工本费（每增加一本））：数量不正确"
    )
    assert (
        "登记失败" in refused.text
        and "Input should" not in refused.text
        and "check digit" not in refused.text
    )
    assert f'value="{bad_id}"' in refused.text and 'value="2.5"' in refused.text
    assert re.search(r'<option value="XZ-BDC-003" selected>', refused.text)


def test_a_case_number_already_registered_is_refused_in_chinese(client, passwords):
    sign_in(client, "clerk", passwords["clerk"])
    csrf = csrf_of(client.get("/clerk").text)
    client.post("/clerk/cases", data=_form(csrf))
    again = client.post("/clerk/cases", data=_form(csrf))
    assert "该办件号已登记" in again.text and "already registered" not in again.text
