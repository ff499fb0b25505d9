"""Serve the three provider emulators from one process, each under its own prefix (the demo's base URLs):

    python -m apps.payment.emulators --port 8010
    # M-Pesa (Daraja) at http://127.0.0.1:8010/safaricom, MTN MoMo at /mtn_momo, PayPal at /paypal
"""

from __future__ import annotations

import argparse

import uvicorn

from apps.payment.emulators import mpesa, mtn_momo, paypal
from transport.emulators.serving import PrefixRouter

DEMO_SETTLE_SECONDS = 3.0  # how long the demo's "payer" takes to approve on their phone


def combined_app(*, settle_seconds: float = DEMO_SETTLE_SECONDS) -> PrefixRouter:
    return PrefixRouter({
        "/safaricom": mpesa.create_app(settle_seconds=settle_seconds),
        "/mtn_momo": mtn_momo.create_app(settle_seconds=settle_seconds),
        "/paypal": paypal.create_app(settle_seconds=settle_seconds),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--settle-seconds", type=float, default=DEMO_SETTLE_SECONDS)
    options = parser.parse_args()
    uvicorn.run(combined_app(settle_seconds=options.settle_seconds), host=options.host, port=options.port,
                log_level="warning")


if __name__ == "__main__":
    main()
