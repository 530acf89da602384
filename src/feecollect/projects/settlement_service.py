"""Settling a project at completion: the pure arithmetic of :mod:`feecollect.projects.settlement_core` applied
to the stored bundle, with the top-up notice, the refund order and, once the money they ask for has
moved, the split of the pre-collected money to each department's revenue in one balanced transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from feecollect import events
from feecollect.audit.service import Actor, record
from feecollect.billing.quote import Quote, QuotedLine, quote
from feecollect.einvoices import service as bills
from feecollect.errors import Conflict, Unprocessable
from feecollect.ledger import accounts
from feecollect.ledger import service as ledger
from feecollect.money import format_yuan
from feecollect.notices import repository as notices_repository
from feecollect.notices.charges import Charge
from feecollect.notices.models import Notice
from feecollect.notices.service import new_notice
from feecollect.notices.status import NoticeStatus
from feecollect.payments import repository as payments_repository
from feecollect.projects import repository
from feecollect.projects.declaration import bundle_request, declaration_problems
from feecollect.projects.models import Project, ProjectSettlement, ProjectStatus, SettlementStatus
from feecollect.projects.service import declaration_of, get, notice_of
from feecollect.projects.settlement_core import Settlement, SettlementMismatch, settle
from feecollect.refunds import service as refunds
from feecollect.refunds.models import RefundOrder, RefundStatus
from feecollect.schedules.catalogue import Catalogue
from feecollect.settings import Settings
from feecollect.users.principal import Principal


@dataclass(frozen=True)
class SettlementOutcome:
    project: Project
    settlement: ProjectSettlement
    top_up_notice: Notice | None
    refund_order: RefundOrder | None


def _paid_bundle(session: Session, project: Project) -> Notice | None:
    """The project's paid one-form notice. Called before any settlement, so no top-up notice exists yet,
    and a project has at most one live bundle."""
    return next(
        (n for n in notices_repository.of_project(session, project.id) if n.status == NoticeStatus.PAID), None
    )


def settle_project(
    session: Session,
    catalogue: Catalogue,
    settings: Settings,
    principal: Principal,
    project_no: str,
    actual: dict[str, Decimal],
) -> SettlementOutcome:
    project = get(session, project_no, for_update=True)  # one settlement at a time per project
    if (done := repository.settlement_of(session, project.id)) is not None:
        raise Conflict(
            f"project {project_no} was already settled by {done.settled_by} on {done.settled_at:%Y-%m-%d}",
            code="already_settled",
        )
    bundle = _paid_bundle(session, project)
    if bundle is None:
        raise Conflict(
            f"project {project_no} has no paid one-form notice: settle after the bundle is paid",
            code="not_paid",
        )
    actual_declaration = replace(declaration_of(project), params=tuple(sorted(actual.items())))
    if problems := declaration_problems(catalogue, actual_declaration):
        raise Unprocessable.of_fields(problems, code="invalid_settlement")
    final_quote = quote(catalogue, bundle_request(catalogue, actual_declaration))
    collected: dict[str, tuple[str, int]] = {}
    for line in bundle.lines:
        _, fen = collected.get(line.item_code, (line.department_code, 0))
        collected[line.item_code] = (line.department_code, fen + line.amount_fen)
    final = {line.item.code: (line.item.department.code, line.amount_fen) for line in final_quote.lines}
    final_charges = {line.item.code: Charge.of_quoted(line) for line in final_quote.lines}
    try:
        result = settle(collected, final)
    except SettlementMismatch as exc:
        raise Conflict(f"the schedules changed since the bundle: {exc}", code="schedule_changed") from None

    now = datetime.now(UTC)
    today = now.astimezone(settings.zone).date()
    settlement = ProjectSettlement(
        project_id=project.id,
        actual_params={name: str(value) for name, value in sorted(actual.items())},
        fees=[
            {
                "item": f.item,
                "department": f.department,
                "collected_fen": f.collected_fen,
                "final_fen": f.final_fen,
                # what a replacement bill prints for a fee that shrank: the final reckoning
                "final_charge": asdict(final_charges[f.item]),
            }
            for f in result.fees
        ],
        collected_fen=result.collected_fen,
        final_fen=result.final_fen,
        status=SettlementStatus.PENDING,
        settled_by=principal.name,
        settled_at=now,
    )
    repository.add_settlement(session, settlement)
    top_up = (
        _issue_top_up(session, settings, principal, project, bundle, final_quote, result)
        if result.top_up_fen
        else None
    )
    refund = None
    if result.refund_fen:
        payment = payments_repository.of_notice(session, bundle.id)
        assert payment is not None, "a paid notice has its payment (ledger check)"
        refund = refunds.create_order(
            session,
            principal.actor,
            project_id=project.id,
            project_no=project.project_no,
            payment=payment,
            payee_name=payment.payer_name or project.developer_name,
            fees=[
                {"item": f.item, "department": f.department, "fen": f.refund_fen}
                for f in result.fees
                if f.refund_fen
            ],
            business_date=today,
        )
    settlement.top_up_notice_id = top_up.id if top_up else None
    settlement.refund_order_id = refund.id if refund else None
    project.status = ProjectStatus.SETTLING
    record(
        session,
        principal.actor,
        "project.settled",
        "project",
        project.project_no,
        before={"status": "declared", "params": project.declared_params},
        after={
            "status": "settling",
            "params": settlement.actual_params,
            "collected": format_yuan(result.collected_fen),
            "final_amount": format_yuan(result.final_fen),
            "top_up_notice": top_up.payment_code if top_up else None,
            "refund_order": refund.refund_id if refund else None,
        },
    )
    split_if_ready(session, principal.actor, project, settlement, today)
    return SettlementOutcome(project, settlement, top_up, refund)


def _issue_top_up(
    session: Session,
    settings: Settings,
    principal: Principal,
    project: Project,
    bundle: Notice,
    final_quote: Quote,
    result: Settlement,
) -> Notice:
    """A notice for the fees that grew: each line the final charge less what the bundle collected."""
    by_item = {fee.item: fee for fee in result.fees}
    grown = [line for line in final_quote.lines if by_item[line.item.code].top_up_fen]
    lines = tuple(replace(line, number=number) for number, line in enumerate(grown, start=1))

    def explain(line: QuotedLine) -> str:
        fee = by_item[line.item.code]
        return (
            f"决算补缴 {format_yuan(fee.top_up_fen)} = 应缴 {format_yuan(fee.final_fen)} − 已预收 "
            f"{format_yuan(fee.collected_fen)}；应缴：{line.explain()}"
        )

    return new_notice(
        session,
        settings,
        principal,
        Quote(final_quote.service_date, final_quote.payer, lines),
        notice_of(project, bundle.department_code),
        explain=explain,
        charge=lambda line: Charge.of_quoted(line).less_collected(by_item[line.item.code].collected_fen),
    )


def split_if_ready(
    session: Session, actor: Actor, project: Project, settlement: ProjectSettlement, business_date: date
) -> None:
    """Once the top-up is paid and the refund confirmed, move each department's final amount from
    pre-collected to its revenue, in one balanced transaction (at most one per project)."""
    if settlement.status == SettlementStatus.SPLIT:
        return
    if settlement.top_up_notice_id is not None:
        top_up = session.get(Notice, settlement.top_up_notice_id)
        if top_up is None or top_up.status != NoticeStatus.PAID:
            return
    if settlement.refund_order_id is not None:
        order = session.get(RefundOrder, settlement.refund_order_id)
        if order is None or order.status != RefundStatus.CONFIRMED:
            return
    allocations = Settlement.of_stored(settlement.fees).allocations()
    if settlement.final_fen:
        ledger.post(
            session,
            kind="split",
            reference=project.project_no,
            business_date=business_date,
            memo=f"一表制分割 {project.project_no}",
            postings=[
                (accounts.PRECOLLECTED, settlement.final_fen),
                *((accounts.revenue(department), -fen) for department, fen in allocations.items()),
            ],
        )
    settlement.status, settlement.split_at = SettlementStatus.SPLIT, datetime.now(UTC)
    project.status = ProjectStatus.SETTLED
    record(
        session,
        actor,
        "project.split",
        "project",
        project.project_no,
        before={"status": "settling"},
        after={"status": "settled", "allocations": {d: format_yuan(fen) for d, fen in allocations.items()}},
    )


def after_project_payment(session: Session, paid: events.PaymentRecorded) -> None:
    """A project's notice was paid: if it is a settlement's top-up, the split may now follow."""
    if not paid.is_bundle:
        return
    settlement = repository.settlement_awaiting_top_up(session, paid.notice_id)
    if settlement is not None:
        project = session.get(Project, settlement.project_id)
        assert project is not None
        split_if_ready(session, paid.actor, project, settlement, paid.business_date)


def after_refund(session: Session, confirmed: events.RefundConfirmed) -> None:
    """The bank paid a refund back: the bundle's bill is reversed and re-issued for what was kept, and
    the split may now follow."""
    settings, actor = confirmed.settings, confirmed.actor
    order = session.get(RefundOrder, confirmed.refund_order_id)
    # RefundConfirmed is published for a project's orders only; a returned credit has no payment.
    assert order is not None and order.project_id is not None and order.payment is not None
    assert order.payment_id is not None
    project = session.get(Project, order.project_id)
    settlement = repository.settlement_of(session, order.project_id)
    assert project is not None and settlement is not None
    refunded = {str(fee["item"]): int(fee["fen"]) for fee in order.fees}
    final_charges = {fee["item"]: fee.get("final_charge") for fee in settlement.fees}
    bundle = session.get(Notice, order.payment.notice_id)
    assert bundle is not None
    kept: dict[int, Charge] = {}
    for line in bundle.lines:
        taken = min(line.amount_fen, refunded.get(line.item_code, 0))
        refunded[line.item_code] = refunded.get(line.item_code, 0) - taken
        final = final_charges.get(line.item_code)
        if not taken:
            kept[line.line_no] = Charge.of_notice_line(line)
        elif final is not None and final["amount_fen"] == line.amount_fen - taken:
            kept[line.line_no] = Charge(**final)
        else:  # settled before final charges were kept: the amount alone
            kept[line.line_no] = replace(Charge.of_notice_line(line), amount_fen=line.amount_fen - taken)
    reason = f"项目 {project.project_no} 决算退付 {format_yuan(order.amount_fen)}（{order.refund_id}）"
    bills.reissue_after_refund(session, settings, actor, order.payment_id, kept, reason)
    assert order.refunded_at is not None
    split_if_ready(session, actor, project, settlement, order.refunded_at.astimezone(settings.zone).date())
