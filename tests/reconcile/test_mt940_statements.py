"""MT940 files as their banks write them: several statements per file (one per :20: block, each with
its own account and balances), and references that are placeholders rather than serials."""

from __future__ import annotations

from pathlib import Path

from feecollect.reconcile.statements import read_statements
from tests.conftest import bearer, row_counts

SAMPLES = Path(__file__).parent / "samples" / "mt940"


def statements(name: str):  # type: ignore[no-untyped-def]
    return read_statements(name, (SAMPLES / name).read_bytes())


def test_each_block_is_its_own_statement_with_its_own_balances():
    first, second = statements("rabobank-iban.sta")
    assert (first.account, second.account) == ("NL71RABO0123456789", "NL71RABO0123456789")
    assert (first.opening_balance_fen, first.closing_balance_fen) == (100000, 96500)
    assert (second.opening_balance_fen, second.closing_balance_fen) == (96500, 93000)
    assert [len(first.lines), len(second.lines)] == [2, 2]
    # Merged into one, the two days' balances made a false "lines are missing" warning.
    assert first.balance_problem() is None and second.balance_problem() is None


def test_a_file_of_many_accounts_keeps_every_line_with_its_own_account():
    read = statements("wolph_betterplace_sepa_mt9401.sta")
    text = (SAMPLES / "wolph_betterplace_sepa_mt9401.sta").read_text()
    assert len(read) == text.count("\n:20:") + text.startswith(":20:")
    assert sum(len(s.lines) for s in read) == text.count("\n:61:") == 97
    assert len({s.account for s in read}) > 1
    assert all(s.account and s.account.startswith("50880050/") for s in read)


def test_intermediate_balances_open_and_close_the_pages_of_a_statement():
    first, second = statements("wolph_jejik_postfinance.sta")  # :60F:…:62M:, then :60M:…:62F:
    assert (first.opening_balance_fen, first.closing_balance_fen) == (0, 22920)
    assert (second.opening_balance_fen, second.closing_balance_fen) == (22920, 15960)
    assert first.balance_problem() is None
    # The file itself does not add up on its second page: 229.20 - 79.90 + 10.10 is 159.40.
    assert "与期末余额 159.60 元不符" in (second.balance_problem() or "")


def test_nonref_is_no_serial_and_no_remark():
    lines = [line for statement in statements("wolph_jejik_postfinance.sta") for line in statement.lines]
    assert [line.serial for line in lines] == ["", "", "", ""]
    assert not any("NONREF" in line.remark for line in lines)
    assert lines[0].remark.startswith("GIRO AUS ONLINE-SIC 80532 AUFTRAGGEBER: JANE DOE")


def test_lines_are_numbered_where_they_stand_in_the_whole_file():
    _, second = statements("abnamro.sta")
    text = (SAMPLES / "abnamro.sta").read_text().splitlines()
    assert all(text[line.line_no - 1].startswith(":61:") for line in second.lines)


def test_importing_a_file_of_two_statements_stores_each_and_adds_nothing_again(client, tokens, cli):
    assert cli("accounts", "add", "123456789", "--kind", "special").exit_code == 0
    finance = bearer(tokens["finance"])
    body = (SAMPLES / "wolph_jejik_postfinance.sta").read_bytes()

    def upload() -> list[dict]:  # type: ignore[type-arg]
        response = client.post(
            "/api/v1/statements", files={"file": ("pf.sta", body, "text/plain")}, headers=finance
        )
        assert response.status_code == 201, response.text
        return response.json()["statements"]

    stored = upload()
    assert [(s["account"], s["lines"], s["new_lines"]) for s in stored] == [
        ("123456789", 2, 2),
        ("123456789", 2, 2),
    ]
    assert stored[0]["warnings"] == []
    before = row_counts(client)
    assert [s["new_lines"] for s in upload()] == [0, 0]
    assert row_counts(client) == before


TWO_ACCOUNTS = """:20:A1
:25:50880050/0194774600888
:28C:1/1
:60F:C261120CNY100,00
:61:2611211121C20,00NTRFNONREF
:86:缴款 one
:62F:C261121CNY120,00
-
:20:A2
:25:NL71 RABO 0123 4567 89 EUR
:28C:1/1
:60F:C261120CNY0,00
:61:2611211121C5,00NTRFNONREF
:86:缴款 two
:62F:C261121CNY5,00
-
"""


def test_each_statement_goes_to_its_own_account_however_the_file_writes_the_number(client, tokens, cli):
    for number in ("0194774600888", "NL71RABO0123456789"):
        assert cli("accounts", "add", number, "--kind", "special").exit_code == 0
    response = client.post(
        "/api/v1/statements",
        files={"file": ("two.sta", TWO_ACCOUNTS.encode(), "text/plain")},
        headers=bearer(tokens["finance"]),
    )
    assert response.status_code == 201, response.text
    assert [(s["account"], s["new_lines"]) for s in response.json()["statements"]] == [
        ("0194774600888", 1),
        ("NL71RABO0123456789", 1),
    ]


def test_the_account_given_overrides_the_one_the_file_names(client, tokens, cli):
    assert cli("accounts", "add", "4305-0162-3608-0000-0001", "--kind", "special").exit_code == 0
    response = client.post(
        "/api/v1/statements",
        files={"file": ("two.sta", TWO_ACCOUNTS.encode(), "text/plain")},
        data={"account": "4305 0162 3608 0000 0001"},
        headers=bearer(tokens["finance"]),
    )
    assert response.status_code == 201, response.text
    assert {s["account"] for s in response.json()["statements"]} == {"43050162360800000001"}


def test_structured_details_give_the_payer_their_account_and_the_purpose():
    (statement,) = statements("php_Kontist.sta")
    third = statement.lines[2]
    assert (third.counterparty_name, third.counterparty_account) == (
        "DM PUTZ + STUCK UG HAFTUNGSBESCHRANKT",
        "DE32334400000003909884",
    )
    assert third.remark == "Rechnung-Nr.: INV-00002 v. 13.02.21"


def test_a_payment_code_wrapped_over_two_purpose_fields_is_found_whole():
    from feecollect.notices.payment_code import make_payment_code
    from feecollect.reconcile.codes import find_payment_code

    code = make_payment_code("430321", 2026, 365)
    text = (
        ":20:W\n:25:123\n:28C:1\n:60F:C261120CNY0,00\n:61:2611211121C1,00NTRFNONREF\n"
        f":86:166?00GUTSCHRIFT?20SVWZ+JIAOKUAN {code[:11]}?21{code[11:]}?32ZHANG SAN\n"
        ":62F:C261121CNY1,00\n-\n"
    )
    ((line,),) = [s.lines for s in read_statements("w.sta", text.encode())]
    assert find_payment_code(line.remark) == code and line.counterparty_name == "ZHANG SAN"


def test_a_bank_writing_the_payers_iban_as_reference_is_read_with_the_long_reference_variant():
    read = statements("wolph_ASNB_mt940.txt")
    text = (SAMPLES / "wolph_ASNB_mt940.txt").read_text()
    assert sum(len(s.lines) for s in read) == text.count("\n:61:")
    first = read[0].lines[0]
    assert first.amount_fen == -6500 and first.remark.startswith("NL47INGB9999999999 hr gjlm paulissen")


def test_a_statement_numbering_only_its_page_is_read_and_lines_keep_their_numbers():
    text = ":20:P\n:25:123\n:28C: /1\n\n:60F:C261120CNY0,00\n:61:2611211121C1,00NTRFNONREF\n:62F:C261121CNY1,00\n-\n"
    ((line,),) = [s.lines for s in read_statements("p.sta", text.encode())]
    assert (line.amount_fen, line.line_no) == (100, 6)


def test_a_statement_number_wrapped_onto_the_next_line_is_read_and_lines_keep_their_numbers():
    text = ":20:P\n:25:123\n:28C:00001/\n001\n:60F:C261120CNY0,00\n:61:2611211121C1,00NTRFNONREF\n:62F:C261121CNY1,00\n-\n"
    ((line,),) = [s.lines for s in read_statements("p.sta", text.encode())]
    assert (line.amount_fen, line.line_no) == (100, 6)
