"""A zip of statement files (banks send a day's camt.053 or MT940 files so): each member is read as a
file of its own, and the archive is refused whole where one member is."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from datetime import tzinfo

from feecollect.reconcile.statements.types import TOO_LARGE, Statement, StatementError

ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBERS = 1000
MAX_UNPACKED = 512 * 1024 * 1024  # as much as one statement file may be


def is_workbook(content: bytes) -> bool:
    """An XLSX is a zip too: it is told by the content-types part every Office file holds."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except zipfile.BadZipFile:
        return True  # not a readable archive: the workbook reader names what is wrong with it


def read_archive(
    source: str,
    content: bytes,
    zone: tzinfo | None,
    read: Callable[[str, bytes, tzinfo | None], tuple[Statement, ...]],
) -> tuple[Statement, ...]:
    """Every statement of every member, in the archive's order; ``read`` reads one member."""
    try:
        return _read_members(source, content, zone, read)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise StatementError(source, None, None, f"zip 压缩包已损坏（{exc}）") from None
    except (NotImplementedError, RuntimeError) as exc:  # an unknown compression, an encrypted member
        raise StatementError(source, None, None, f"zip 压缩包无法解压（{exc}）") from None


def _read_members(
    source: str,
    content: bytes,
    zone: tzinfo | None,
    read: Callable[[str, bytes, tzinfo | None], tuple[Statement, ...]],
) -> tuple[Statement, ...]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if not members:
            raise StatementError(source, None, None, "zip 压缩包中没有文件")
        if len(members) > MAX_MEMBERS:
            raise StatementError(source, None, None, f"压缩包中的文件超过 {MAX_MEMBERS} 个", code=TOO_LARGE)
        if sum(info.file_size for info in members) > MAX_UNPACKED:
            raise StatementError(
                source, None, None, f"解压后超过 {MAX_UNPACKED // 2**20} MiB", code=TOO_LARGE
            )
        statements: list[Statement] = []
        for info in members:
            name = f"{source}/{info.filename}"
            data = archive.read(info)
            if data.startswith(ZIP_MAGIC) and not is_workbook(data):
                raise StatementError(name, None, None, "压缩包中又有压缩包：请先解压")
            statements.extend(read(name, data, zone))
    return tuple(statements)
