"""Demo data for the embedded default: users with fresh tokens and a few cases with notices."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor
from feecollect.cases import repository as case_repository
from feecollect.cases import service as cases
from feecollect.cases.service import CaseData, departments_of
from feecollect.money import format_yuan
from feecollect.notices import repository as notice_repository
from feecollect.notices import service as notices
from feecollect.schedules.catalogue import Catalogue
from feecollect.settings import Settings
from feecollect.users import repository as user_repository
from feecollect.users import service as users
from feecollect.users.principal import Principal
from feecollect.users.service import Role

DEMO = Actor("demo", "operator")
USERS = (
    ("admin", Role.admin, None),
    ("clerk-zrzy", Role.clerk, "ZRZY"),
    ("clerk-zjj", Role.clerk, "ZJJ"),
    ("finance", Role.finance, None),
    ("auditor", Role.auditor, None),
)
# Check digits computed with python-stdnum; the names are fictitious.
CASES = (
    (
        "DEMO-2026-0001",
        "W01",
        "ZRZY",
        "示范市星河商贸有限公司",
        "uscc",
        "91110000600037341L",
        ("small_micro_enterprise",),
        (("XZ-BDC-002", None), ("XZ-BDC-003", "2")),
    ),
    ("DEMO-2026-0002", "W01", "ZRZY", "张三", "ric", "11010519491231002X", (), (("XZ-BDC-001", None),)),
    (
        "DEMO-2026-0003",
        "W05",
        "ZJJ",
        "示范市城建置业有限公司",
        "uscc",
        "91110000MA0000001L",
        (),
        (("JS-PT-001", "12000"), ("JS-RF-001", "10000")),
    ),
)


@dataclass
class Seeded:
    tokens: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    passwords: list[tuple[str, str]] = field(default_factory=list)
    notices: list[tuple[str, str, str]] = field(default_factory=list)


def seed(session: Session, catalogue: Catalogue, settings: Settings) -> Seeded:
    """Idempotent: existing users get a new token (an old one cannot be shown again), existing cases stay."""
    seeded = Seeded()
    secret = settings.secret_key.get_secret_value()
    for name, role, department in USERS:
        if user_repository.by_name(session, name) is None:
            _, token = users.add_user(
                session,
                secret,
                DEMO,
                name=name,
                role=role.value,
                department=department,
                known_departments=departments_of(catalogue),
            )
        else:
            token = users.rotate_token(session, secret, DEMO, name)
        seeded.tokens.append((name, role.value, department, token))
        # A fresh web password each run, shown once like the token.
        password = secrets.token_urlsafe(9)
        users.set_password(session, DEMO, name, password)
        seeded.passwords.append((name, password))
    today = datetime.now(settings.zone).date()
    for case_no, window, department, name, id_type, id_no, flags, items in CASES:
        case = case_repository.by_case_no(session, case_no)
        if case is None:
            data = CaseData(
                case_no,
                window,
                department,
                today,
                name,
                id_type,
                id_no,
                flags,
                tuple((code, None if q is None else Decimal(q)) for code, q in items),
            )
            case = cases.register(session, catalogue, DEMO, data)
        notice = notice_repository.live_for_case(session, case.id)
        if notice is None:
            clerk = Principal(f"clerk-{department.lower()}", Role.clerk, department)
            notice = notices.issue(session, catalogue, settings, clerk, case_no)
        seeded.notices.append((case_no, notice.payment_code, format_yuan(notice.amount_fen)))
    return seeded


DEMO_BANK = "DEMOBANK"


def pay_through_the_bank_client(settings: Settings, payment_code: str, amount: str) -> dict[str, str] | None:
    """Pay one demo notice as a bank would: signed, over HTTP, through the reference client (against the
    app in-process). Returns the notice's bill (on a later run, the one the first run's payment produced)."""
    import warnings

    with warnings.catch_warnings():  # starlette suggests httpx2 for its test client; none is needed here
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from feecollect.api.app import create_app
    from feecollect.bank import service as banks
    from feecollect.db.engine import unit_of_work
    from feecollect.devtools.bank_client import BankClient
    from feecollect.einvoices import repository as bills

    app = create_app(settings)
    master = settings.secret_key.get_secret_value()
    with unit_of_work(app.state.sessionmaker) as session:
        key, secret = banks.fresh_key(session, master, DEMO, DEMO_BANK, "示范代收银行")
    with TestClient(app) as http:
        BankClient(http, key, secret).look_up_and_pay(f"DEMO-{payment_code}", payment_code, channel="counter")
    with unit_of_work(app.state.sessionmaker) as session:
        notice = notice_repository.by_code(session, payment_code)
        bill = bills.live_bill_of_notice(session, notice.id) if notice else None
        found = (
            None
            if bill is None
            else {"code": bill.bill_code, "number": bill.number, "check": bill.check_code}
        )
    app.state.engine.dispose()
    return found


DEMO_SPECIAL_ACCOUNT = "43050162360800000001"


def reconcile_today(
    settings: Settings, seeded: Seeded, report_dir: str = "demo-output"
) -> tuple[dict[str, Any], str]:
    """The daily job on demo data: a special-account statement (CCB corporate CSV, GBK) holding the
    notice the bank called back, one it never called back and a credit with no payment code, imported
    and reconciled for today. Run again, it imports nothing and finds the same."""
    from pathlib import Path

    from feecollect.db.engine import make_engine, make_sessionmaker, unit_of_work
    from feecollect.reconcile.accounts import add_account, is_registered
    from feecollect.reconcile.daily import import_and_reconcile
    from feecollect.reconcile.importing import parse_files
    from feecollect.reconcile.results import day_report, day_report_name
    from feecollect.schedules.service import current_catalogue

    today = datetime.now(settings.zone).date()
    (_, unpaid_code, unpaid_amount), (_, paid_code, paid_amount) = seeded.notices[:2]
    rows = [
        (paid_amount, "张三", f"缴款码:{paid_code}", 1),
        (
            unpaid_amount,
            "示范市星河商贸有限公司",
            f"缴款码 {' '.join(unpaid_code[i : i + 4] for i in range(0, 20, 4))}",
            2,
        ),
        ("100.00", "李四", "往来款", 3),
    ]
    statement = (
        "中国建设银行账户明细\n"
        "账号,账户名称,交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,对方开户机构,"
        "记账日期,摘要,备注,账户明细编号-交易流水号\n"
        + "".join(
            f"{DEMO_SPECIAL_ACCOUNT},示范市财政局非税收入财政专户,{today:%Y%m%d} 1{n}:00:00,,"
            f'"{amount}",,人民币,{name},62170000100012345{n},建行示范支行,{today:%Y%m%d},缴款,'
            f"{remark},DEMO{today:%Y%m%d}{n:04d}\n"
            for amount, name, remark, n in rows
        )
    ).encode("gbk")
    sessions = make_sessionmaker(make_engine(settings.database_url))
    with unit_of_work(sessions) as session:
        if not is_registered(session, DEMO_SPECIAL_ACCOUNT):
            add_account(
                session,
                DEMO,
                DEMO_SPECIAL_ACCOUNT,
                "special",
                None,
                "中国建设银行示范市分行",
                set(),
                account_name="示范市财政局非税收入财政专户",
            )
    with unit_of_work(sessions) as session:
        parsed = parse_files([(f"ccb-{today}.csv", statement)], settings.zone)
        done = import_and_reconcile(session, settings, current_catalogue(session), DEMO, parsed, day=today)
    with unit_of_work(sessions) as session:
        report = Path(report_dir) / day_report_name(today)
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_bytes(day_report(session, today))
    summary = done.outcome.summary
    sessions.kw["bind"].dispose()
    return summary, str(report)
