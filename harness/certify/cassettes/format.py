"""The cassette file: vcrpy's format in safe YAML only, and the error naming a cassette that
cannot be read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from harness.domain.errors import HarnessError


class CassetteError(HarnessError):
    """A cassette that cannot be read: bad YAML, bad structure, unsafe tags, bad provenance."""


class _SafeSerializer:
    """YAML with the safe loader only: no Python tags of any kind."""

    @staticmethod
    def deserialize(text: str) -> Any:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    @staticmethod
    def serialize(data: Any) -> str:
        return yaml.dump(
            data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, width=120
        )


SAFE_SERIALIZER = _SafeSerializer()


def shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, Decimal) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def type_name(value: Any) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {shown(value)}"
