"""The leak scanner over a large clean report (it runs on every artifact of every run)."""

from __future__ import annotations

import json
import sys

from benchmarks.common import best_of, write
from harness.certify.leaks import LeakScanner


def measure(megabytes: float = 4.0) -> dict[str, object]:
    chunk = json.dumps(
        {
            "id": "scenario:refund_partial",
            "message": "2 step(s) as expected; amount 1000 USD at 2026-11-27T06:51:44Z",
            "request": {"url": "https://api.stripe.com/v1/payment_intents/pi_3uTFXhbYQCgWE8fQQ9IM5oaMy"},
            "body": "amount=1000&currency=usd&payment_method_data[card][number]=%2A%2A%2A",
            "elapsed_ms": 12.345678901234,
        }
    )
    text = "\n".join([chunk] * int(megabytes * 1e6 / len(chunk)))
    scanner = LeakScanner({"sk_test_CANARYbenchmarkKey0000": "key", "Jenny Rosen": "holder"})
    seconds = best_of(lambda: list(scanner.findings(text)), repeat=3)
    return {"megabytes": round(len(text) / 1e6, 2), "seconds": round(seconds, 3)}


def main() -> int:
    data = measure()
    print(f"leak scan of {data['megabytes']} MB: {data['seconds']} s")
    print(f"results: {write('leak_scan', data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
