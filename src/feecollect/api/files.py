"""Files answered over HTTP, by the API and the pages alike: a workbook to download, a PDF or an XML
document to show in the browser."""

from __future__ import annotations

from fastapi.responses import Response

PDF = "application/pdf"


def download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def shown(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )
