"""The JSON Schema of results.json, generated from the pydantic model and shipped in the package.

`schema/results-<version>.json` is committed; a test keeps it equal to what the model generates
(regenerate with `python -m harness.report.schema`), so a change to the model without a new
schema file, or a new `SCHEMA_VERSION`, fails the build.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.certify.results import SCHEMA_VERSION, Results

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
SCHEMA_ID = "https://payment-connector-certify.invalid/schema/results-{version}.json"


def schema_path(version: str = SCHEMA_VERSION) -> Path:
    return SCHEMA_DIR / f"results-{version}.json"


def generated_schema() -> dict[str, Any]:
    """The schema the model produces now, with the draft, id and version pinned."""
    schema = Results.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID.format(version=SCHEMA_VERSION),
        "x-schema-version": SCHEMA_VERSION,
        **schema,
    }


def shipped_schema(version: str = SCHEMA_VERSION) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path(version).read_text(encoding="utf-8"))
    return loaded


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def validation_errors(data: Any, version: str = SCHEMA_VERSION) -> list[str]:
    """Where `data` (a decoded results.json) breaks the shipped schema, as `pointer: message`."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(shipped_schema(version))
    return [
        f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]


def main() -> None:  # pragma: no cover - a maintenance command
    path = schema_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(generated_schema()), encoding="utf-8")
    print(path)


if __name__ == "__main__":  # pragma: no cover
    main()
