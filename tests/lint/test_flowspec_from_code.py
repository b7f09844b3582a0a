"""The lint reads FlowSpec's fields and the Flow enum from the code, not from a copy that drifts."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from harness.domain.flows import Flow
from harness.integration.connector import FlowSpec
from harness.lint.source import Project, SourceFile

# every FlowSpec field passed positionally, each argument a string naming its field
POSITIONAL = ", ".join(f'"{f.name}"' for f in dataclasses.fields(FlowSpec)[1:])
SOURCE = f"""
from harness.integration import ConnectorV2, FlowSpec, flow_table
from harness.domain import Flow


class Demo(ConnectorV2):
    flows = flow_table(FlowSpec(Flow.PSYNC, {POSITIONAL}))
"""


def _table(tmp_path: Path) -> dict:
    path = tmp_path / "connector.py"
    path.write_text(SOURCE, encoding="utf-8")
    source = SourceFile(path, SOURCE)
    table = Project([source]).flow_table(source, source.classes["Demo"])
    assert table is not None
    return table


def test_positional_flowspec_arguments_land_on_the_fields_they_fill(tmp_path):
    # a hand copy lacking reference_max_length read the 16th argument as status_field
    spec = _table(tmp_path)["PSync"]
    for name in ("reference_max_length", "status_field", "path_params", "description"):
        assert ast.literal_eval(spec.args[name][1]) == name


def test_every_flow_of_the_enum_is_known_to_the_lint(tmp_path):
    for flow in Flow:
        text = SOURCE.replace("Flow.PSYNC", f"Flow.{flow.name}")
        path = tmp_path / f"{flow.name}.py"
        path.write_text(text, encoding="utf-8")
        source = SourceFile(path, text)
        table = Project([source]).flow_table(source, source.classes["Demo"])
        assert table is not None and list(table) == [flow.value]
