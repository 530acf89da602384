"""The lines an import hands to the run that follows it in the same transaction, per business day."""

from __future__ import annotations

from datetime import date

from feecollect.reconcile.importing import ImportReport, StoredLines
from feecollect.reconcile.matching import Line

MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)


def line(line_id: int, day: date) -> Line:
    return Line(line_id, "A", "special", None, day, "09:00:00", 100, "CNY", "某人", "", "", None)


def test_a_run_gets_only_its_days_lines_from_statements_of_one_or_several_days():
    one_day = StoredLines(1, [line(1, MONDAY), line(2, MONDAY)])
    two_days = StoredLines(2, [line(3, MONDAY), line(4, TUESDAY), line(5, MONDAY)])
    report = ImportReport(stored=[one_day, two_days])

    files, monday = report.lines_of_day(MONDAY)
    assert files == {1, 2} and [x.id for x in monday] == [1, 2, 3, 5]
    assert [x.id for x in report.lines_of_day(TUESDAY)[1]] == [4]
    assert report.lines_of_day(date(2026, 11, 25))[1] == []
