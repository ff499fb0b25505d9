"""Container health checks for the image (the slim base has no curl): standard library only, exit 0 = healthy.

    healthcheck.py http URL [--host NAME]      the URL answers 2xx within 3 seconds
    healthcheck.py fresh PATTERN MAX_AGE       a file matching PATTERN changed within MAX_AGE seconds

`http` sends `Host: localhost` by default, so `localhost` must stay in DJANGO_ALLOWED_HOSTS.
`fresh` watches celery beat's schedule file, which beat rewrites every few minutes while its loop runs
(the exact file name depends on the dbm module, hence a pattern).
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time
import urllib.error
import urllib.request

HTTP_TIMEOUT_SECONDS = 3


def http_ok(url: str, host: str) -> tuple[bool, str]:
    if not url.startswith(("http://", "https://")):
        return False, f"not an http(s) URL: {url}"
    request = urllib.request.Request(url, headers={"Host": host, "User-Agent": "healthcheck"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            return 200 <= response.status < 300, f"{url} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"{url} answered {exc.code}"
    except OSError as exc:
        return False, f"{url} unreachable: {exc}"


def fresh(pattern: str, max_age_seconds: float) -> tuple[bool, str]:
    paths = glob.glob(pattern)
    if not paths:
        return False, f"no file matches {pattern}"
    age = time.time() - max(os.path.getmtime(path) for path in paths)
    return age <= max_age_seconds, f"{pattern} last changed {age:.0f}s ago (limit {max_age_seconds:.0f}s)"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="healthcheck.py")
    checks = parser.add_subparsers(dest="check", required=True)
    http = checks.add_parser("http")
    http.add_argument("url")
    http.add_argument("--host", default="localhost")
    freshness = checks.add_parser("fresh")
    freshness.add_argument("pattern")
    freshness.add_argument("max_age", type=float)
    args = parser.parse_args(argv)

    if args.check == "http":
        healthy, message = http_ok(args.url, args.host)
    else:
        healthy, message = fresh(args.pattern, args.max_age)
    print(message)  # docker keeps it in `docker inspect` for whoever debugs the container
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
