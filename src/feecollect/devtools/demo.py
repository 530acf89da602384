"""Demo data for the embedded default, a whole day of it: users with fresh tokens, cases of several
departments with notices, bank payments with their bills, a construction project paid, billed and
settled, and the day's special-account statement reconciled with a few exceptions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor
from feecollect.cases import repository as case_repository
from feecollect.cases import service as cases
from feecollect.cases.service import CaseData, departments_of
from feecollect.money import format_yuan, parse_yuan
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
    ("admin", Role.admin, None, "系统管理员"),
    ("clerk-zrzy", Role.clerk, "ZRZY", "王芳"),
    ("clerk-zjj", Role.clerk, "ZJJ", "李强"),
    ("clerk-gaj", Role.clerk, "GAJ", "赵敏"),
    ("finance", Role.finance, None, "陈静"),
    ("auditor", Role.auditor, None, "刘洋"),
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
    ("DEMO-2026-0004", "W03", "GAJ", "李娜", "ric", "430321199001010024", (), (("XZ-GA-001", None),)),
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
    project_notice: tuple[str, str, str] | None = None


def seed(session: Session, catalogue: Catalogue, settings: Settings) -> Seeded:
    """Idempotent: existing users get a new token (an old one cannot be shown again), existing cases stay."""
    seeded = Seeded()
    secret = settings.secret_key.get_secret_value()
    for name, role, department, display_name in USERS:
        if user_repository.by_name(session, name) is None:
            _, token = users.add_user(
                session,
                secret,
                DEMO,
                name=name,
                role=role.value,
                department=department,
                known_departments=departments_of(catalogue),
                display_name=display_name,
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
    seeded.project_notice = _declared_project(session, catalogue, settings, today)
    return seeded


DEMO_PROJECT = "XM-2026-001"
DEMO_PROJECT_PARAMS = {
    "floor_area_m2": "12000.50",
    "above_ground_area_m2": "9000",
    "land_area_m2": "20000",
    "farmland_m2": "500",
    "forest_land_m2": "800",
    "road_excavation_m2": "150",
}


def _declared_project(
    session: Session, catalogue: Catalogue, settings: Settings, today: date
) -> tuple[str, str, str]:
    """A residential project under the one-form system, declared with its one notice for all departments."""
    from feecollect.projects import repository as project_repository
    from feecollect.projects import service as projects
    from feecollect.projects.declaration import Declaration

    project = project_repository.by_project_no(session, DEMO_PROJECT)
    if project is None:
        declaration = Declaration(
            project_no=DEMO_PROJECT,
            name="示范市星河花园一期",
            developer_name="示范市星河房地产开发有限公司",
            developer_uscc="91110000600037341L",
            division="430321",
            project_type="residential",
            params=tuple((name, Decimal(v)) for name, v in sorted(DEMO_PROJECT_PARAMS.items())),
            flags=frozenset(),
            declared_on=today,
        )
        project = projects.declare(session, catalogue, DEMO, declaration)
    notice = notice_repository.live_for_project(session, project.id)
    if notice is None:
        clerk = Principal("clerk-zjj", Role.clerk, "ZJJ")
        notice = projects.issue_bundle(session, catalogue, settings, clerk, DEMO_PROJECT)
    return DEMO_PROJECT, notice.payment_code, format_yuan(notice.amount_fen)


def settle_demo_project(settings: Settings) -> str:
    """Finance settles the paid project at its declared figures, so the fees split to each department's
    revenue at once. Run again, it reports the settlement already made."""
    from feecollect.db.engine import make_engine, make_sessionmaker, unit_of_work
    from feecollect.projects import repository as project_repository
    from feecollect.projects import service as projects
    from feecollect.projects.settlement_service import settle_project
    from feecollect.schedules.service import current_catalogue

    sessions = make_sessionmaker(make_engine(settings.database_url))
    with unit_of_work(sessions) as session:
        project = projects.get(session, DEMO_PROJECT)
        if project_repository.settlement_of(session, project.id) is None:
            finance = Principal("finance", Role.finance, None)
            actual = {name: Decimal(v) for name, v in DEMO_PROJECT_PARAMS.items()}
            settle_project(session, current_catalogue(session), settings, finance, DEMO_PROJECT, actual)
        status = projects.get(session, DEMO_PROJECT).status
    sessions.kw["bind"].dispose()
    return str(status)


DEMO_BANK = "DEMOBANK"


def pay_through_the_bank_client(settings: Settings, payment_codes: list[str]) -> dict[str, dict[str, str]]:
    """Pay demo notices as a bank would: signed, over HTTP, through the reference client (against the
    app in-process). Returns each notice's bill (on a later run, the one the first run's payment made)."""
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
        client = BankClient(http, key, secret)
        for payment_code in payment_codes:
            client.look_up_and_pay(f"DEMO-{payment_code}", payment_code, channel="counter")
    found = {}
    with unit_of_work(app.state.sessionmaker) as session:
        for payment_code in payment_codes:
            notice = notice_repository.by_code(session, payment_code)
            bill = bills.live_bill_of_notice(session, notice.id) if notice else None
            if bill is not None:
                found[payment_code] = {
                    "code": bill.bill_code,
                    "number": bill.number,
                    "check": bill.check_code,
                }
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
    rows = [(amount, _PAYERS[origin], f"缴款码:{code}") for origin, code, amount in paid_notices(seeded)]
    notices = {case_no: (code, amount) for case_no, code, amount in seeded.notices}
    (unpaid_code, unpaid_amount), (short_code, short_amount) = (
        notices["DEMO-2026-0001"],
        notices["DEMO-2026-0003"],
    )
    spaced = " ".join(unpaid_code[i : i + 4] for i in range(0, 20, 4))
    short = format_yuan(parse_yuan(short_amount) - 10_000)
    rows += [
        (unpaid_amount, _PAYERS["DEMO-2026-0001"], f"缴款码 {spaced}"),  # paid at the bank, never called back
        (short, _PAYERS["DEMO-2026-0003"], f"缴款码{short_code}"),  # 100 yuan short of the notice
        ("100.00", "李四", "往来款"),  # no payment code at all
    ]
    statement = (
        "中国建设银行账户明细\n"
        "账号,账户名称,交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,对方开户机构,"
        "记账日期,摘要,备注,账户明细编号-交易流水号\n"
        + "".join(
            f"{DEMO_SPECIAL_ACCOUNT},示范市财政局非税收入财政专户,{today:%Y%m%d} 1{n}:00:00,,"
            f'"{amount}",,人民币,{name},62170000100012345{n},建行示范支行,{today:%Y%m%d},缴款,'
            f"{remark},DEMO{today:%Y%m%d}{n:04d}\n"
            for n, (amount, name, remark) in enumerate(rows, start=1)
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


_PAYERS = {
    "DEMO-2026-0001": "示范市星河商贸有限公司",
    "DEMO-2026-0002": "张三",
    "DEMO-2026-0003": "示范市城建置业有限公司",
    "DEMO-2026-0004": "李娜",
    DEMO_PROJECT: "示范市星河房地产开发有限公司",
}


def paid_notices(seeded: Seeded) -> list[tuple[str, str, str]]:
    """The notices the demo bank pays: two cases of two departments and the project's one-form notice."""
    paid = [n for n in seeded.notices if n[0] in ("DEMO-2026-0002", "DEMO-2026-0004")]
    return paid + ([seeded.project_notice] if seeded.project_notice else [])
