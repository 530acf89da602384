"""Bank statements in: one reader per format, all yielding the same frozen statement lines.

``read_statements`` tells the format from the content, never from the file name: each ``Reader`` of
``READERS`` identifies its format from the bytes (XLSX, legacy XLS, camt.053 XML, SWIFT MT940), and a
Chinese bank CSV export, read through the bank layouts, takes the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import tzinfo

from feecollect.reconcile.statements.archive import ZIP_MAGIC, is_workbook, read_archive
from feecollect.reconcile.statements.camt import is_camt, read_camt
from feecollect.reconcile.statements.csv_profiles import read_csv
from feecollect.reconcile.statements.spreadsheet import XLS_MAGIC, XLSX_MAGIC, read_xls, read_xlsx
from feecollect.reconcile.statements.swift import is_mt940, read_mt940
from feecollect.reconcile.statements.types import (
    TOO_LARGE,
    UNSUPPORTED,
    Statement,
    StatementError,
    StatementLine,
)

MAX_FILE_BYTES = 512 * 1024 * 1024

__all__ = ["READERS", "Statement", "StatementError", "StatementLine", "detect_format", "read_statements"]


@dataclass(frozen=True)
class Reader:
    """One statement format: how to tell it from a file's first bytes, and how to read it."""

    name: str
    identify: Callable[[bytes], bool]
    read: Callable[[str, bytes, tzinfo | None], tuple[Statement, ...]]


def _is_bai2(content: bytes) -> bool:
    return content.lstrip().startswith(b"01,") and b"\n02," in content[:4096]


def _refuse_bai2(source: str, content: bytes, zone: tzinfo | None) -> tuple[Statement, ...]:
    raise StatementError(
        source, None, None, "不支持 BAI2（美国格式）：请导出 camt.053、MT940、CSV 或 XLSX", code=UNSUPPORTED
    )


# Asked in order; the first that identifies a file reads it. CSV, last, takes whatever is left.
READERS = (
    Reader("xlsx", lambda c: c.startswith(XLSX_MAGIC) and is_workbook(c), lambda s, c, _: (read_xlsx(s, c),)),
    Reader(
        "zip", lambda content: content.startswith(ZIP_MAGIC), lambda s, c, z: read_archive(s, c, z, _read)
    ),
    Reader("xls", lambda content: content.startswith(XLS_MAGIC), lambda s, c, _: (read_xls(s, c),)),
    Reader("camt.053", lambda content: is_camt(content.lstrip(b"\xef\xbb\xbf \t\r\n")), read_camt),
    Reader("mt940", is_mt940, lambda s, c, _: read_mt940(s, c)),
    Reader("bai2", _is_bai2, _refuse_bai2),
    Reader("csv", lambda content: True, lambda s, c, _: (read_csv(s, c),)),
)


def reader_of(content: bytes) -> Reader:
    return next(reader for reader in READERS if reader.identify(content))


def detect_format(content: bytes) -> str:
    return reader_of(content).name


def read_statements(source: str, content: bytes, zone: tzinfo | None = None) -> tuple[Statement, ...]:
    """Every statement in one file, in file order; refused whole on any error. ``zone``: the centre's
    time zone, in which booking times stated with an offset are dated."""
    if len(content) > MAX_FILE_BYTES:
        raise StatementError(source, None, None, f"文件超过 {MAX_FILE_BYTES // 2**20} MiB", code=TOO_LARGE)
    digest = hashlib.sha256(content).hexdigest()
    return tuple(replace(statement, digest=digest) for statement in _read(source, content, zone))


def _read(source: str, content: bytes, zone: tzinfo | None) -> tuple[Statement, ...]:
    """One file's statements (a member of an archive is read the same way)."""
    if not content.strip():
        raise StatementError(source, None, None, "文件为空")
    return reader_of(content).read(source, content, zone)
