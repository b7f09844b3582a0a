"""The shipped connectors, one package each (`connectors/<name>/connector.py`).

The registry lives in the harness (`harness/integration/registry.py`): it lists every folder here
that has a connector.py, plus the installed `certify.connectors` entry points (pyproject.toml declares
these five, so an installed wheel certifies them from any folder).
"""
