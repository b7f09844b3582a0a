"""Build hook: each shipped connector's data travels inside its package in the wheel.

The checkout keeps one folder per kind (cassettes/<name>/, specs/<name>.yaml, specs/<name>.facts.toml,
config/*.toml) because that is where authors and reviewers look; an installed connector is read
from its package instead (the layout in harness/certify/workspace.py), so the wheel gets copies
made here, never by hand:

    connectors/<name>/cassettes/<scenario>.yaml    from cassettes/<name>/
    connectors/<name>/spec.yaml                    from specs/<name>.yaml
    connectors/<name>/facts.toml                   from specs/<name>.facts.toml
    connectors/<name>/config/<env>.toml            its own [connectors] entries of config/<env>.toml
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
ENVIRONMENTS = ("development", "sandbox", "production")


def connector_config(name: str, env: str) -> str:
    """config/<env>.toml reduced to one connector's lines, their `certify: ignore[...]` reasons kept."""
    source = ROOT / "config" / f"{env}.toml"
    text = source.read_text(encoding="utf-8")
    own = [line for line in text.splitlines() if line.startswith(f"{name}.")]
    reduced = "\n".join(
        [f"# {name}'s entries of config/{env}.toml, copied when the wheel was built", "[connectors]", *own]
    )
    expected = tomllib.loads(text).get("connectors", {}).get(name)
    if tomllib.loads(reduced).get("connectors", {}).get(name) != expected:
        raise SystemExit(f"{source}: {name}'s entries must be one-line `{name}.key = value` lines")
    return reduced + "\n"


def copy_connector_data(build_lib: Path) -> None:
    for package in sorted((ROOT / "connectors").iterdir()):
        name = package.name
        target = build_lib / "connectors" / name
        if not (package / "connector.py").is_file() or not target.is_dir():
            continue
        cassettes = ROOT / "cassettes" / name
        if cassettes.is_dir():
            shutil.copytree(cassettes, target / "cassettes", dirs_exist_ok=True)
        for source, destination in ((f"{name}.yaml", "spec.yaml"), (f"{name}.facts.toml", "facts.toml")):
            if (ROOT / "specs" / source).is_file():
                shutil.copyfile(ROOT / "specs" / source, target / destination)
        (target / "config").mkdir(exist_ok=True)
        for env in ENVIRONMENTS:
            (target / "config" / f"{env}.toml").write_text(connector_config(name, env), encoding="utf-8")


class BuildWithConnectorData(build_py):
    def run(self) -> None:
        super().run()
        # an editable install reads the checkout's own folders: nothing to copy
        if not getattr(self, "editable_mode", False):
            copy_connector_data(Path(self.build_lib))


setup(cmdclass={"build_py": BuildWithConnectorData})
