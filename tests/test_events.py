"""Events: handlers run in the publisher's transaction; after-commit work waits for the commit."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from feecollect import events


@dataclass(frozen=True)
class Happened:
    what: str


@pytest.fixture
def session():  # type: ignore[no-untyped-def]
    with Session(create_engine("sqlite://")) as session:
        yield session


def test_subscribers_hear_each_event_once_however_often_they_subscribed(session, monkeypatch):
    heard: list[str] = []

    def listener(_: Session, event: Happened) -> None:
        heard.append(event.what)

    monkeypatch.setattr(events, "_handlers", type(events._handlers)(list))
    events.subscribe(Happened, listener)
    events.subscribe(Happened, listener)
    events.publish(session, Happened("paid"))
    events.publish(session, "not a Happened")
    events.unsubscribe(Happened, listener)
    events.publish(session, Happened("unheard"))
    assert heard == ["paid"]


def test_after_commit_work_runs_on_commit_and_never_after_a_rollback(session):
    ran: list[str] = []
    session.begin()
    events.after_commit(session, lambda: ran.append("rolled back"), "test")
    session.rollback()
    session.begin()
    events.after_commit(session, lambda: ran.append("committed"), "test")
    assert ran == []
    session.commit()
    assert ran == ["committed"]


def test_a_failing_after_commit_action_does_not_stop_the_others(session, caplog):
    ran: list[str] = []
    session.begin()
    events.after_commit(session, lambda: 1 / 0, "divide")  # type: ignore[arg-type, func-returns-value]
    events.after_commit(session, lambda: ran.append("second"), "second")
    session.commit()
    assert ran == ["second"]
    assert "after-commit action failed: divide" in caplog.text


HEARD_BY_PATH: list[str] = []


def heard_by_path(_: Session, event: Happened) -> None:
    HEARD_BY_PATH.append(event.what)


def test_a_handler_named_by_its_path_is_imported_when_its_event_first_comes(session, monkeypatch):
    monkeypatch.setattr(events, "_handlers", type(events._handlers)(list))
    events.subscribe(Happened, "tests.test_events:heard_by_path")
    events.publish(session, Happened("first"))
    events.publish(session, Happened("second"))
    assert HEARD_BY_PATH == ["first", "second"]


def test_a_long_running_process_imports_the_handlers_at_start(monkeypatch):
    monkeypatch.setattr(events, "_handlers", type(events._handlers)(list))
    events.subscribe(Happened, "tests.test_events:heard_by_path")
    events._imported.cache_clear()
    events.import_handlers()
    assert events._imported.cache_info().currsize == 1
