"""What no page may show a person: Python artefacts, ISO or compact timestamps, English status words
and snake_case codes. Used over every page each role can reach, by TestClient and in the browser."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

ARTEFACTS = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|object at 0x|<built-in|Traceback|\{'|\['")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)\b")
COMPACT_DATE = re.compile(r"(?<![\w/=])20\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\w/])")
CODE_WORD = re.compile(r"\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b")
STATUS_WORDS = re.compile(
    r"\b(issued|paid|accepted|open|resolved|declared|settling|settled|pending|voided|expired|withdrawn|"
    r"refunded|approved|confirmed|reversed|valid|invalid|please|sign in|unknown|error|relief|floor|cap)\b",
    re.IGNORECASE,
)


class _Visible(HTMLParser):
    """The text a reader sees (no scripts or styles; what a page marks as ``<code>`` is a code on
    purpose) and the links they can follow."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.text).split()), parser.links


def problems(text: str, codes: Iterable[str] = ()) -> list[str]:
    """``codes``: codes people know by a name (departments), which no page may show bare."""
    found = []
    named = (
        [("code instead of a name", re.compile(rf"\b({'|'.join(map(re.escape, codes))})\b"))] if codes else []
    )
    for name, pattern in (
        ("Python artefact", ARTEFACTS),
        ("ISO timestamp", ISO_MOMENT),
        ("compact date", COMPACT_DATE),
        ("code instead of a name", CODE_WORD),
        ("English word", STATUS_WORDS),
        *named,
    ):
        for match in pattern.finditer(text):
            start = max(match.start() - 30, 0)
            found.append(f"{name} {match.group(0)!r} in …{text[start : match.end() + 30]}…")
    return found


def is_page_link(href: str) -> bool:
    path = urlsplit(href).path
    if href.startswith(("javascript:", "mailto:", "#")) or urlsplit(href).netloc:
        return False
    return not (
        path.startswith(("/api/", "/static/", "/docs", "/openapi"))
        or path.endswith((".pdf", ".xlsx", ".xml", ".ofd", ".json"))
        or path == "/logout"
    )


def crawl(fetch: Callable[[str], tuple[int, str]], starts: Iterable[str], limit: int = 300) -> dict[str, str]:
    """Every page reachable by links from ``starts``: url → its visible text. A page that does not
    answer 200 is a problem of its own and is recorded as such."""
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        status, html = fetch(url)
        text, links = visible(html)
        seen[url] = text if status == 200 else f"HTTP {status}: {text}"
        for href in links:
            if is_page_link(href):
                target = urljoin(url, href).split("#")[0]
                if target not in seen:
                    queue.append(target)
    return seen


def lint_pages(pages: dict[str, str], codes: Iterable[str] = ()) -> list[str]:
    found = []
    for url, text in pages.items():
        if text.startswith("HTTP "):
            found.append(f"{url}: {text[:120]}")
        found.extend(f"{url}: {problem}" for problem in problems(text, codes))
    return found
