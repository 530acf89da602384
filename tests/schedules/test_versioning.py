from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from feecollect.db.engine import make_engine, make_sessionmaker, unit_of_work
from feecollect.schedules import repository
from feecollect.schedules.loader import ScheduleErrors
from feecollect.schedules.models import FeeItemVersion
from feecollect.schedules.service import CatalogueProvider, load_schedules
from tests.conftest import SHIPPED_SCHEDULES


@pytest.fixture
def sessions(database_url: str):
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def schedules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "schedules"
    shutil.copytree(SHIPPED_SCHEDULES, target)
    return target


def load(sessions, directory: Path):
    with unit_of_work(sessions) as session:
        return load_schedules(session, directory)


def row_count(sessions) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(func.count()).select_from(FeeItemVersion))


def test_loading_twice_adds_nothing(sessions, schedules_dir):
    first = load(sessions, schedules_dir)
    assert len(first.added) == 20 and not first.superseded
    second = load(sessions, schedules_dir)
    assert not second.changed and second.unchanged == 20
    assert row_count(sessions) == 20


def test_a_changed_item_becomes_a_new_version_and_history_is_kept(sessions, schedules_dir):
    load(sessions, schedules_dir)
    path = schedules_dir / "construction.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'min = "115.00", max = "150.00"', 'min = "110.00", max = "150.00"'
        ),
        encoding="utf-8",
    )
    report = load(sessions, schedules_dir)
    assert report.added == [("JS-PT-001", 2)] and report.superseded == [("JS-PT-001", 1)]
    with unit_of_work(sessions) as session:
        v1, v2 = repository.history(session, "JS-PT-001")
        assert (v1.version, v1.superseded_at is not None, v1.definition["rate"]["min"]) == (1, True, "115.00")
        assert (v2.version, v2.superseded_at, v2.definition["rate"]["min"]) == (2, None, "110.00")
        catalogue = CatalogueProvider().get(session)
        resolved = catalogue.resolve("JS-PT-001", date(2026, 1, 1))
        assert resolved.version == 2 and resolved.rate.min == Decimal("110.00")


def test_an_item_removed_from_the_files_is_superseded_not_deleted(sessions, schedules_dir):
    load(sessions, schedules_dir)
    path = schedules_dir / "administrative.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('[[items]]\ncode = "XZ-GA-003"')
    end = text.index("[[items]]", start + 1)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    report = load(sessions, schedules_dir)
    assert report.superseded == [("XZ-GA-003", 1)] and not report.added
    assert row_count(sessions) == 20
    with unit_of_work(sessions) as session:
        assert CatalogueProvider().get(session).resolve("XZ-GA-003", date(2026, 1, 1)).code == "unknown_item"


def test_a_broken_directory_loads_nothing(sessions, schedules_dir):
    load(sessions, schedules_dir)
    (schedules_dir / "construction.toml").write_text(
        (schedules_dir / "construction.toml").read_text(encoding="utf-8").replace('"115.00"', "115.0"),
        encoding="utf-8",
    )
    (schedules_dir / "administrative.toml").write_text(
        (schedules_dir / "administrative.toml").read_text(encoding="utf-8").replace('"80.00"', '"81.00"'),
        encoding="utf-8",
    )
    with pytest.raises(ScheduleErrors, match=r"construction\.toml:JS-PT-001:rate\.min"):
        load(sessions, schedules_dir)
    assert row_count(sessions) == 20


def test_catalogue_provider_sees_a_load_made_by_another_process(sessions, schedules_dir):
    load(sessions, schedules_dir)
    provider = CatalogueProvider()
    with unit_of_work(sessions) as session:
        before = provider.get(session)
        assert provider.get(session) is before, "unchanged rows must not rebuild the catalogue"
    path = schedules_dir / "administrative.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"80.00"', '"81.00"'), encoding="utf-8")
    load(sessions, schedules_dir)
    with unit_of_work(sessions) as session:
        after = provider.get(session)
    assert after is not before
    assert after.resolve("XZ-BDC-001", date(2026, 1, 1)).rate.min == Decimal("81.00")
