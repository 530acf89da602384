"""Payment codes stay unique when clerks issue notices at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from feecollect.api.app import create_app
from feecollect.audit.service import SYSTEM
from feecollect.cases import service as cases
from feecollect.cases.service import CaseData
from feecollect.db.engine import unit_of_work
from feecollect.notices import service as notices
from feecollect.notices.payment_code import describe, is_payment_code
from feecollect.schedules.service import CatalogueProvider
from feecollect.users.principal import Principal
from feecollect.users.service import Role
from tests.helpers import USCC

NOTICES = 200
THREADS = 8


def test_200_notices_from_8_threads_get_200_distinct_valid_codes(settings):
    app = create_app(settings)
    sessions = app.state.sessionmaker
    with unit_of_work(sessions) as session:
        catalogue = CatalogueProvider().get(session)
        for n in range(NOTICES):
            data = CaseData(
                f"CC-{n:04d}",
                "W01",
                "ZJJ",
                date(2026, 11, 20),
                "示范市城建置业有限公司",
                "uscc",
                USCC,
                (),
                (("JS-PT-001", Decimal(100 + n)),),
            )
            cases.register(session, catalogue, SYSTEM, data)
    clerk = Principal("clerk", Role.clerk, "ZJJ")

    def issue_one(n: int) -> str:
        with unit_of_work(sessions) as session:
            return notices.issue(session, catalogue, settings, clerk, f"CC-{n:04d}").payment_code

    with ThreadPoolExecutor(THREADS) as pool:
        codes = list(pool.map(issue_one, range(NOTICES)))
    app.state.engine.dispose()
    assert len(set(codes)) == NOTICES
    assert all(is_payment_code(code) for code in codes)
    assert sorted(describe(code)[2] for code in codes) == list(range(1, NOTICES + 1)), "no gap, no reuse"
