"""Who reacts to what (``feecollect.events``): made once at start-up by the API, the command line and
the worker, before any request or task runs."""

from __future__ import annotations

from feecollect import events, tasks
from feecollect.projects import settlement_service


def install() -> None:
    events.subscribe(events.PaymentRecorded, settlement_service.after_project_payment)
    events.subscribe(events.PaymentRecorded, tasks.bill_after_payment)
    events.subscribe(events.RefundConfirmed, settlement_service.after_refund)
