"""Who reacts to what (``feecollect.events``): made once at start-up by the API, the command line and
the worker, before any request or task runs. Handlers are named by path, so that subscribing imports
none of them (a command that records no payment does not load the worker's tasks)."""

from __future__ import annotations

from feecollect import events

SETTLE_AFTER_PAYMENT = "feecollect.projects.settlement_service:after_project_payment"
BILL_AFTER_PAYMENT = "feecollect.tasks:bill_after_payment"
SETTLE_AFTER_REFUND = "feecollect.projects.settlement_service:after_refund"
CLOSE_AFTER_RETURN = "feecollect.reconcile.line_return:after_return"
SUPERVISE_AFTER_ISSUE = "feecollect.tasks:supervision_after_issue"


def install() -> None:
    events.subscribe(events.PaymentRecorded, SETTLE_AFTER_PAYMENT)
    events.subscribe(events.PaymentRecorded, BILL_AFTER_PAYMENT)
    events.subscribe(events.RefundConfirmed, SETTLE_AFTER_REFUND)
    events.subscribe(events.CreditReturned, CLOSE_AFTER_RETURN)
    events.subscribe(events.BillIssued, SUPERVISE_AFTER_ISSUE)
