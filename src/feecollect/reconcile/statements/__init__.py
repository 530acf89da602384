"""Bank statements in: one reader per format, all yielding the same frozen statement lines.

``read_statements`` tells the format from the content, never from the file name: camt.053 XML,
SWIFT MT940, XLSX, legacy XLS, else a Chinese bank CSV export read through the bank profiles.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from feecollect.reconcile.statements.camt import is_camt, read_camt
from feecollect.reconcile.statements.csv_profiles import read_csv
from feecollect.reconcile.statements.spreadsheet import XLS_MAGIC, XLSX_MAGIC, read_xls, read_xlsx
from feecollect.reconcile.statements.swift import is_mt940, read_mt940
from feecollect.reconcile.statements.types import Statement, StatementError, StatementLine

MAX_FILE_BYTES = 512 * 1024 * 1024

__all__ = ["Statement", "StatementError", "StatementLine", "detect_format", "read_statements"]


def detect_format(content: bytes) -> str:
    if content.startswith(XLSX_MAGIC):
        return "xlsx"
    if content.startswith(XLS_MAGIC):
        return "xls"
    if is_camt(content.lstrip(b"\xef\xbb\xbf \t\r\n")):
        return "camt.053"
    if is_mt940(content):
        return "mt940"
    if content.lstrip().startswith(b"01,") and b"\n02," in content[:4096]:
        return "bai2"
    return "csv"


def read_statements(source: str, content: bytes) -> tuple[Statement, ...]:
    """Every statement in one file (camt.053 may hold several accounts'); refused whole on any error."""
    digest = hashlib.sha256(content).hexdigest()
    return tuple(replace(statement, digest=digest) for statement in _read(source, content))


def _read(source: str, content: bytes) -> tuple[Statement, ...]:
    if not content.strip():
        raise StatementError(source, None, None, "the file is empty")
    if len(content) > MAX_FILE_BYTES:
        raise StatementError(source, None, None, f"larger than {MAX_FILE_BYTES // 2**20} MiB")
    kind = detect_format(content)
    if kind == "xlsx":
        return (read_xlsx(source, content),)
    if kind == "xls":
        return (read_xls(source, content),)
    if kind == "camt.053":
        return read_camt(source, content)
    if kind == "mt940":
        return (read_mt940(source, content),)
    if kind == "bai2":
        raise StatementError(
            source, None, None, "BAI2 (a US format) is not supported: export camt.053, MT940, CSV or XLSX"
        )
    return (read_csv(source, content),)
