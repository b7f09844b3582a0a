"""Reading a rendered index.html back: its payload blobs and its markup."""

from __future__ import annotations

import base64
import gzip
import json
import re
from html.parser import HTMLParser
from typing import Any

BLOB = re.compile(r'<script type="text/plain" class="payloads">([A-Za-z0-9+/=]*)</script>')


def payloads(page: str) -> list[list[Any]]:
    """Every connector's decoded step payloads."""
    return [json.loads(gzip.decompress(base64.b64decode(blob))) for blob in BLOB.findall(page)]


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
