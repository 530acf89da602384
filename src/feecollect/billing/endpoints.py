from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from feecollect.api.auth import QuoteCaller
from feecollect.api.deps import AppSettings, CurrentCatalogue
from feecollect.billing.quote import LineRequest, Payer, QuoteRequest, quote
from feecollect.billing.schemas import QuoteIn, QuoteLineOut, QuoteOut, parse_quantity
from feecollect.money import format_yuan

router = APIRouter(prefix="/api/v1", tags=["quotes"])


@router.post(
    "/quotes",
    response_model=QuoteOut,
    summary="What a case must pay, at the lowest lawful rate, line by line with its basis",
    responses={422: {"description": "a line cannot be priced: the error names the line and the reason"}},
)
def create_quote(
    body: QuoteIn, _: QuoteCaller, catalogue: CurrentCatalogue, settings: AppSettings
) -> QuoteOut:
    service_date = body.service_date or datetime.now(settings.zone).date()
    request = QuoteRequest(
        service_date=service_date,
        payer=Payer(kind=body.payer.kind, flags=frozenset(body.payer.flags)),
        lines=tuple(LineRequest(line.item, parse_quantity(line.quantity)) for line in body.lines),
    )
    result = quote(catalogue, request)
    return QuoteOut(
        service_date=service_date,
        lines=[QuoteLineOut.of(line) for line in result.lines],
        total=format_yuan(result.total_fen),
    )
