"""The page lint over the demo's whole day: every page each role reaches by following links shows
Chinese, names, local times, and no Python artefacts."""

from __future__ import annotations

import pytest

from tests.web.conftest import DEMO_PASSWORD, DEMO_ROLES, sign_in
from tests.web.page_lint import crawl, lint_pages

ROLES = DEMO_ROLES
PUBLIC = ["/", "/fees", "/verify", "/login", "/no-such-page"]
DEPARTMENTS = ("ZRZY", "ZJJ", "GAJ", "CGJ", "SCJG", "RFB", "SLJ", "QXJ", "FGJ", "LYJ")


def _fetch(client):  # type: ignore[no-untyped-def]
    def fetch(url: str) -> tuple[int, str]:
        answer = client.get(url, headers={"accept": "text/html,application/xhtml+xml"})
        return answer.status_code, answer.text

    return fetch


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_page_a_role_reaches_passes_the_lint(client, demo_day, role):
    assert sign_in(client, role, DEMO_PASSWORD.format(role=role)).status_code == 303
    pages = crawl(_fetch(client), [ROLES[role], *PUBLIC[:3]])
    assert len(pages) >= 4, pages.keys()
    found = [p for p in lint_pages(pages, DEPARTMENTS) if not p.startswith("/no-such-page")]
    assert found == [], "\n".join(found)


def test_public_pages_and_the_error_page_pass_the_lint(client, demo_day):
    pages = crawl(_fetch(client), PUBLIC)
    assert "HTTP 404" in pages["/no-such-page"]
    pages["/no-such-page"] = pages["/no-such-page"].removeprefix("HTTP 404: ")
    assert lint_pages(pages, DEPARTMENTS) == []
