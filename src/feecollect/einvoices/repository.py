from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feecollect.einvoices.models import Bill, BillCounter, BillStatus, SigningKey
from feecollect.notices.models import Notice
from feecollect.payments.models import Payment
from feecollect.schedules.models import FeeItemVersion


def next_number(session: Session, bill_code: str) -> int:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(BillCounter).values(bill_code=bill_code, last_no=0).on_conflict_do_nothing())
    bump = (
        update(BillCounter)
        .where(BillCounter.bill_code == bill_code)
        .values(last_no=BillCounter.last_no + 1)
        .returning(BillCounter.last_no)
    )
    return session.execute(bump).scalar_one()


def for_payment(session: Session, payment_id: int, kind: str) -> Bill | None:
    return session.scalars(select(Bill).where(Bill.payment_id == payment_id, Bill.kind == kind)).first()


def by_number(session: Session, bill_code: str, bill_no: int, *, for_update: bool = False) -> Bill | None:
    query = select(Bill).where(Bill.bill_code == bill_code, Bill.bill_no == bill_no)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def live_bill_of_notice(session: Session, notice_id: int) -> Bill | None:
    """The bill that stands for the notice's payment: the first bill, or the one re-issued after a
    refund reversed it."""
    query = select(Bill).where(
        Bill.notice_id == notice_id,
        Bill.kind.in_(("normal", "replacement")),
        Bill.status == BillStatus.ISSUED,
    )
    return session.scalars(query.order_by(Bill.id.desc())).first()


def payment(session: Session, payment_id: int) -> Payment | None:
    return session.get(Payment, payment_id)


def notice(session: Session, notice_id: int) -> Notice | None:
    return session.get(Notice, notice_id)


def paid_without_bill(session: Session) -> Sequence[int]:
    query = (
        select(Payment.id)
        .outerjoin(Bill, (Bill.payment_id == Payment.id) & (Bill.kind == "normal"))
        .where(Bill.id.is_(None))
    )
    return session.scalars(query.order_by(Payment.id)).all()


def add(session: Session, bill: Bill) -> None:
    session.add(bill)
    session.flush()


def of_notices(session: Session, notice_ids: Sequence[int]) -> Sequence[Bill]:
    return session.scalars(select(Bill).where(Bill.notice_id.in_(notice_ids)).order_by(Bill.id)).all()


def signing_key(session: Session, key_id: str) -> SigningKey | None:
    return session.get(SigningKey, key_id)


def signing_keys(session: Session) -> Sequence[SigningKey]:
    return session.scalars(select(SigningKey).order_by(SigningKey.role, SigningKey.valid_from)).all()


def register_key(session: Session, key: SigningKey) -> None:
    """Add ``key`` as its role's key in use, closing the one it replaces. Two processes registering the
    same new key at once: the second insert fails inside its savepoint and changes nothing."""
    try:
        with session.begin_nested():
            session.execute(
                update(SigningKey)
                .where(SigningKey.role == key.role, SigningKey.valid_to.is_(None))
                .values(valid_to=key.valid_from)
            )
            session.add(key)
    except IntegrityError:
        pass


def bills_awaiting_supervision(session: Session, limit: int = 500) -> Sequence[int]:
    return session.scalars(
        select(Bill.id)
        .where(Bill.signed_content.is_not(None), Bill.supervisor_signature.is_(None))
        .order_by(Bill.id)
        .limit(limit)
    ).all()


def bill(session: Session, bill_id: int, *, for_update: bool = False) -> Bill | None:
    query = select(Bill).where(Bill.id == bill_id)
    return session.scalars(query.with_for_update() if for_update else query).first()


def revenue_codes(session: Session, version_ids: Sequence[int]) -> dict[int, str]:
    """The 政府收支分类科目 code of each fee item version, as its schedule file gave it."""
    rows = session.execute(
        select(FeeItemVersion.id, FeeItemVersion.definition).where(FeeItemVersion.id.in_(version_ids))
    )
    return {version_id: str(definition.get("revenue_account", "")) for version_id, definition in rows}
