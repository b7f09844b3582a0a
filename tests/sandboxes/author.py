"""`python -m tests.sandboxes.author NAME [--scenario S]`: an alias of `certify author NAME`, kept
for older instructions (the sandboxes now live in connectors/<name>/sandbox.py)."""

from __future__ import annotations

import sys

from harness.cli import main

if __name__ == "__main__":
    sys.exit(main(["author", *sys.argv[1:]]))
