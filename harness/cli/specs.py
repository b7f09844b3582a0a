"""`certify specs`: contracts from the providers' own OpenAPI documents, and their drift.

    certify specs import adyen --from CheckoutService-v71.json --repository Adyen/adyen-openapi \\
        --version aa014f0 --license MIT --license-file LICENSE
    certify specs drift adyen --from CheckoutService-v72.json [--format json|html]
    certify specs drift adyen --from CheckoutService-v72.json --format json --output reports/drift/adyen.json
        (index.html shows it in adyen's section when the reports are next rendered)

Exit codes: 0 done (drift: nothing the connector relies on changed), 1 drift that matters,
2 unreadable input.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from harness.certify.contracts import SpecError, load_spec
from harness.certify.specimport import (
    Provenance,
    build_contract,
    load_document,
    render_contract,
    used_operations_of,
)
from harness.cli import app, fail
from harness.cli.help import CertifyTyper
from harness.domain.errors import HarnessError
from harness.integration import registry

specs_app = CertifyTyper(help="Contracts imported from the providers' OpenAPI documents, and their drift.")
app.add_typer(specs_app, name="specs")


class DriftFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def _connector_cls(name: str) -> type:
    try:
        return registry.load(name)
    except HarnessError as error:
        raise fail(error.one_line()) from None


@specs_app.command(
    "import",
    epilog="Example: certify specs import stripe --from spec3.yaml --repository stripe/openapi "
    "--version v526 --license MIT --license-file LICENSE",
)
def import_spec(
    name: Annotated[str, typer.Argument(help="registered connector name")],
    sources: Annotated[
        list[Path],
        typer.Option("--from", help="the provider's OpenAPI document (repeat for several documents)"),
    ],
    version: Annotated[str, typer.Option(help="the document's commit, tag or version")] = "",
    repository: Annotated[str, typer.Option(help="where the document is published (owner/name)")] = "",
    license_id: Annotated[str, typer.Option("--license", help="the document's license (SPDX id)")] = "",
    license_file: Annotated[
        Path | None, typer.Option(help="the license text, copied to specs/LICENSES/NAME.txt")
    ] = None,
    note: Annotated[str, typer.Option(help="a provenance note (what is known about the source)")] = "",
    specs_dir: Annotated[Path, typer.Option(help="where specs/NAME.yaml is written")] = Path("specs"),
) -> None:
    """Write specs/NAME.yaml from the provider's document: the used operations, no prose, with provenance.

    An operation the connector uses that no document covers is kept from the current specs/NAME.yaml
    and listed in x-provenance.hand_written_operations."""
    cls = _connector_cls(name)
    documents = [(source.stem, load_document(source)) for source in sources]
    if license_file is not None and not license_file.is_file():
        raise fail(f"--license-file {license_file}: not found; pass the license text of the document")
    target = specs_dir / f"{name}.yaml"
    previous = load_spec(target).document if target.is_file() else None
    result = build_contract(
        documents,
        used_operations_of(cls),
        connector=name,
        provenance=Provenance(
            repository=repository,
            version=version or ", ".join(str(d.get("info", {}).get("version", "")) for _, d in documents),
            license=license_id,
            path=", ".join(source.name for source in sources),
            note=note,
        ),
        imported_on=dt.date.today(),
        previous=previous,
    )
    if result.missing:
        missing = ", ".join(f"{op.flow} ({op.method} {op.template})" for op in result.missing)
        raise fail(
            f"{', '.join(str(s) for s in sources)}: no operation for {missing}; pass the document that has it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_contract(result.document), encoding="utf-8")
    if license_file is not None:
        licenses = specs_dir / "LICENSES"
        licenses.mkdir(exist_ok=True)
        (licenses / f"{name}.txt").write_text(
            f"specs/{name}.yaml is derived from {repository or 'the provider'}'s OpenAPI document "
            f"({version}), under this license:\n\n" + license_file.read_text(encoding="utf-8"),
            encoding="utf-8",
        )
    paths = result.document["paths"].values()
    operations = sum(len([m for m in item if m != "parameters"]) for item in paths)
    components = sum(len(v) for v in (result.document.get("components") or {}).values())
    typer.echo(
        f"wrote {target}: {operations} operation(s), {components} component(s)"
        + (f"; kept hand-written: {', '.join(result.hand_written)}" if result.hand_written else "")
    )


@specs_app.command("drift", epilog="Example: certify specs drift adyen --from CheckoutService-v72.json")
def drift(
    name: Annotated[str, typer.Argument(help="registered connector name")],
    sources: Annotated[list[Path], typer.Option("--from", help="the provider's newer OpenAPI document")],
    form: Annotated[DriftFormat, typer.Option("--format", help="text, json or html")] = DriftFormat.text,
    output: Annotated[Path | None, typer.Option(help="write the report here instead of stdout")] = None,
    specs_dir: Annotated[Path, typer.Option(help="where specs/NAME.yaml is read")] = Path("specs"),
    cassettes_dir: Annotated[Path, typer.Option(help="where cassettes/NAME/ is read")] = Path("cassettes"),
) -> None:
    """What changed in the provider's document for the operations the connector uses (exit 1 when
    something the connector relies on changed)."""
    from harness.certify.specdrift import compare, render_html, render_text

    _connector_cls(name)  # an unknown name fails here, with the registered names
    current = load_spec(specs_dir / f"{name}.yaml")
    newer = [(source.stem, load_document(source)) for source in sources]
    try:
        report = compare(
            current,
            newer,
            facts_path=specs_dir / f"{name}.facts.toml",
            cassette_dir=cassettes_dir / name,
        )
    except SpecError as error:
        raise fail(error.one_line()) from None
    if form is DriftFormat.json:
        text = json.dumps(report.as_json(), indent=2) + "\n"
    elif form is DriftFormat.html:
        text = render_html(report)
    else:
        text = render_text(report)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)  # <report-dir>/drift/ on its first use
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
    if report.breaking:
        raise typer.Exit(1)
