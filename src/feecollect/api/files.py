"""Files answered over HTTP, by the API and the pages alike: a workbook to download, a PDF or an XML
document to show in the browser."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.responses import Response

PDF = "application/pdf"
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")


def disposition(kind: str, filename: str) -> str:
    """Files are named after their content, in Chinese (对账报告-2026-12-02.xlsx): the name goes as
    RFC 6266's UTF-8 ``filename*``, with a plain-ASCII ``filename`` for clients that know no other.
    Nothing of the name can break out of the header: both forms keep only safe characters."""
    fallback = _NOT_PLAIN.sub("", filename).strip("-.") or "download"
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": disposition("attachment", filename)}
    )


def shown(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": disposition("inline", filename)}
    )
