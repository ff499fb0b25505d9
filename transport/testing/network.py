"""Loopback helpers for tests and benchmarks that start servers of their own."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nothing listens on: the OS picks a free one, we let it go again."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
