"""A canary run of `certify run` over every registered connector: no credential reaches an artifact.

Each connector's credential variables (its `AuthSpec.env`) hold canary values, which replay reads,
and each connector gets failing scenarios planted (a missing cassette, a broken one, one whose
recorded request no longer matches), so the failure messages, which quote what was sent, are
exercised too.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

from harness.certify.cassettes.format import SAFE_SERIALIZER
from harness.certify.certification import load_certification
from harness.integration import registry
from harness.integration.encoding import decode_body, encode_form
from tests.recording.conftest import files_under


def canary_credentials() -> dict[str, str]:
    values = {}
    for name in registry.names():
        cls = registry.load(name)
        for field, variable in cls.auth.env.items():
            values[variable] = f"CANARYcred{abs(hash((name, field))) % 10**8:08d}Zq{field}"
    return values


def leaves(tree, path=()):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaves(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from leaves(value, (*path, index))
    else:
        yield path, tree


def plant(tree) -> bool:
    """Change a masked leaf (so the mismatch message shows what was sent for a secret field), or
    else the first leaf."""
    found = list(leaves(tree))
    if not found:
        return False
    path, _ = next(((p, v) for p, v in found if v == "***"), found[0])
    node = tree
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = "certify_planted"
    return True


def corrupt_request(path) -> None:
    """Change one recorded request value, so the replayed request no longer matches it."""
    document = SAFE_SERIALIZER.deserialize(path.read_text())
    request = document["interactions"][0]["request"]
    content_type = next(
        (v[0] for k, v in (request.get("headers") or {}).items() if k.lower() == "content-type"), ""
    )
    tree = decode_body(content_type, request["body"] or "")
    if isinstance(tree, dict) and ("json" in content_type or "form" in content_type) and plant(tree):
        encoded = (
            json.dumps(tree) if "json" in content_type else encode_form(tree, expose_secrets=False).decode()
        )
        request["body"] = encoded
    else:
        request["uri"] = request["uri"].rstrip("/") + "/certify_planted"
    path.write_text(SAFE_SERIALIZER.serialize(document))


def plant_failures(project) -> list[str]:
    planted = []
    for name in registry.names():
        certification = load_certification(project / "connectors" / name / "certification.toml")
        supported = certification.scenarios.supported
        folder = project / "cassettes" / name
        if len(supported) < 3:
            continue
        (folder / f"{supported[0]}.yaml").unlink()
        (folder / f"{supported[1]}.yaml").write_text("version: 1\ninteractions: [\n")
        corrupt_request(folder / f"{supported[2]}.yaml")
        planted.append(name)
    return planted


@pytest.mark.slow
def test_a_canary_run_over_every_connector_leaks_nothing(project, certify):
    credentials = canary_credentials()
    assert "STRIPE_API_KEY" in credentials
    planted = plant_failures(project)
    assert "stripe" in planted
    env = {**os.environ, **credentials}
    report_dir = project / "reports"
    result = certify("run", "--report-dir", str(report_dir), cwd=project, env=env, timeout=900)
    output = result.stdout + result.stderr
    assert "leak:" not in result.stderr, result.stderr
    # not certified (the planted failures); 2 because a broken cassette is an error, not a failure
    assert result.returncode == 2, output

    artifacts = files_under(report_dir)
    assert artifacts
    for artifact in artifacts:
        text = artifact.read_text(errors="replace")
        assert not [v for v in credentials.values() if v in text], artifact
        assert "CANARYcred" not in text, artifact
    assert "CANARYcred" not in output

    results = json.loads((report_dir / "results.json").read_text())
    messages = " ".join(
        check["message"] for connector in results["connectors"] for check in connector["checks"]
    )
    assert "no cassette at cassettes/stripe/" in messages
    assert "not valid safe YAML" in messages
    assert "no unplayed recorded request matches" in messages
    assert "recorded 'certify_planted', sent '***'" in messages  # a secret field: the masked form
    assert {c["name"] for c in results["connectors"]} == set(registry.names())
    assert yaml.safe_load((project / "cassettes" / "stripe" / "rsync.yaml").read_text())  # untouched
