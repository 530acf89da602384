"""Papers carry their own Chinese font: a PDF made here reads the same on a machine without any."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A6
from reportlab.pdfgen.canvas import Canvas

from feecollect.notices.pdf import FONT
from tests.conftest import bearer
from tests.einvoices.test_bills import paid, url  # noqa: F401 (the fixture)

embedded = pytest.mark.skipif(
    FONT == "STSong-Light", reason="no embeddable Chinese font on this machine (make browser installs one)"
)


def fonts_of(pdf: bytes) -> list[dict]:  # type: ignore[type-arg]
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            found.append(font.get_object())
    return found


def is_embedded(font: dict) -> bool:  # type: ignore[type-arg]
    descriptor = font.get("/FontDescriptor")
    if descriptor is None and "/DescendantFonts" in font:
        descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


@embedded
def test_every_font_of_a_bill_and_a_notice_is_embedded(client, tokens, paid):  # noqa: F811
    reader = bearer(tokens["finance"])
    for document in (
        client.get(url(paid["bill"], ".pdf"), headers=reader).content,
        client.get(f"/api/v1/notices/{paid['payment_code']}.pdf", headers=reader).content,
    ):
        fonts = fonts_of(document)
        assert fonts and all(is_embedded(font) for font in fonts), [f.get("/BaseFont") for f in fonts]


@embedded
@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (Debian poppler-utils) is not installed"
)
def test_a_chinese_glyph_is_drawn_where_no_chinese_font_is_installed(tmp_path: Path):
    # A fontconfig that knows no font at all: whatever is drawn comes from the PDF itself.
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><fontconfig><cachedir>' + str(tmp_path) + "</cachedir></fontconfig>"
    )
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6)
    canvas.setFont(FONT, 120)
    canvas.drawString(60, 150, "票")
    canvas.save()
    pdf = tmp_path / "glyph.pdf"
    pdf.write_bytes(buffer.getvalue())
    environment = {"FONTCONFIG_FILE": str(config), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run(
        ["pdftoppm", "-r", "40", "-gray", "-singlefile", str(pdf), str(tmp_path / "glyph")],
        check=True,
        env=environment,
        capture_output=True,
    )
    raw = (tmp_path / "glyph.pgm").read_bytes()
    header, pixels = raw.split(b"\n255\n", 1)
    dark = sum(1 for value in pixels if value < 128)
    assert header.startswith(b"P5") and dark > 50, f"{dark} dark pixels: the glyph was not drawn"
