"""Report generation for 100 connectors with every scenario: time and size of each format.

The results are a real `certify run stripe` replicated under 100 names (each connector then
has every scenario, property, contract and lint check with its masked payloads).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, best_of, run_certify, table, write
from harness.certify.results import Results
from harness.report import write_reports

TARGET_SECONDS = 5.0
TARGET_HTML_BYTES = 5_000_000


def measure(count: int = 100) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        _seconds, code, output = run_certify(ROOT, ["stripe", "--report-dir", f"{tmp}/seed"])
        if code != 0:
            raise SystemExit(f"certify run stripe failed ({code}):\n{output}")
        real = Results.read(Path(tmp) / "seed" / "results.json")
        template = real.connectors[0]
        many = Results(
            run=real.run,
            connectors=[template.model_copy(update={"name": f"gen_{i:03d}"}) for i in range(1, count + 1)],
        )
        out = Path(tmp) / "reports"
        elapsed = best_of(lambda: write_reports(many, out), repeat=3)
        sizes = {path.name: path.stat().st_size for path in out.iterdir() if path.is_file()}
    return {
        "connectors": count,
        "checks": sum(len(c.checks) for c in many.connectors),
        "seconds_all_formats": round(elapsed, 3),
        "bytes": sizes,
        "targets": {"seconds": TARGET_SECONDS, "html_bytes": TARGET_HTML_BYTES},
    }


def main() -> int:
    data = measure()
    sizes = data["bytes"]
    assert isinstance(sizes, dict)
    rows = [(name, f"{size / 1e6:.2f} MB") for name, size in sorted(sizes.items())]
    print(
        f"report of {data['connectors']} connectors ({data['checks']} checks): "
        f"{data['seconds_all_formats']} s for every format (target < {TARGET_SECONDS} s)"
    )
    print(table(rows, ("file", "size")))
    print(f"results: {write('report', data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
