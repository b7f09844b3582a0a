"""Reading a rendered index.html back: its payload blobs and its markup."""

from __future__ import annotations

import base64
import gzip
import json
import re
from html.parser import HTMLParser
from typing import Any

BLOB = re.compile(r'<script type="text/plain" class="payloads">([A-Za-z0-9+/=]*)</script>')
ROWS = re.compile(r'<script type="text/plain" class="rows">([A-Za-z0-9+/=]*)</script>')
SECTION = re.compile(r'<section class="conn".*?</section>', re.S)
PACKED_GROUP = re.compile(r'(<details class="passed" data-r="(\d+)" data-n="\d+"><summary>[^<]*</summary>\n)')


def payloads(page: str) -> list[list[Any]]:
    """Every connector's decoded step payloads."""
    return [json.loads(gzip.decompress(base64.b64decode(blob))) for blob in BLOB.findall(page)]


def packed_rows(section: str) -> list[str]:
    """The rows of a section's collapsed passed checks, as report.js unpacks them."""
    blob = ROWS.search(section)
    return json.loads(gzip.decompress(base64.b64decode(blob.group(1)))) if blob else []


def listed(page: str) -> str:
    """The page with every packed group of passed checks listed, as report.js does when one opens."""

    def section(match: re.Match[str]) -> str:
        rows = packed_rows(match.group(0))
        return PACKED_GROUP.sub(lambda g: g.group(1) + rows[int(g.group(2))], match.group(0))

    return SECTION.sub(section, page)


class Tags(HTMLParser):
    """Every start tag with its attributes, as the browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    tags.close()
    return tags
