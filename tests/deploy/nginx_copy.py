"""Copies of docker/nginx that this machine's nginx can check or run.

In compose the upstreams are the service names `web` and `ws`, which only Docker's DNS resolves, and
nginx resolves upstream names when it loads its configuration; `nginx -t` also binds the listen port,
and port 80 needs root. A copy swaps exactly those (and, to run it, the static folder and the temp
folders) and nothing else, so what nginx accepts here is the gateway configuration itself.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.deploy.tooling import NGINX_DIR

UPSTREAM_SERVERS = {"web": "server web:8000;", "ws": "server ws:8001;"}
LISTEN = "listen 80 default_server;"
UNPRIVILEGED_LISTEN = "listen 8080 default_server;"  # a busy port is fine: `nginx -t` ignores EADDRINUSE
STATIC_ALIAS = "alias /srv/static/;"
HTTP_BLOCK_OPENING = "http {\n"
TEMP_PATH_DIRECTIVES = ("client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path",
                        "scgi_temp_path")

_RELATIVE_INCLUDE = re.compile(r"^(?P<indent>\s*)include (?P<path>gateway/[\w./-]+);\s*$", re.MULTILINE)


def _replace_once(text: str, old: str, new: str) -> str:
    count = text.count(old)
    if count != 1:
        raise AssertionError(f"expected {old!r} exactly once in docker/nginx/nginx.conf, found it {count} times")
    return text.replace(old, new)


def checkable_copy(target: Path, *, web_port: int = 8000, ws_port: int = 8001) -> Path:
    """docker/nginx copied to target with the upstreams on 127.0.0.1 and an unprivileged port to listen on.

    Returns the copy's nginx.conf.
    """
    shutil.copytree(NGINX_DIR, target, dirs_exist_ok=True)
    config = target / "nginx.conf"
    text = config.read_text()
    text = _replace_once(text, UPSTREAM_SERVERS["web"], f"server 127.0.0.1:{web_port};")
    text = _replace_once(text, UPSTREAM_SERVERS["ws"], f"server 127.0.0.1:{ws_port};")
    text = _replace_once(text, LISTEN, UNPRIVILEGED_LISTEN)
    config.write_text(text)
    return config


def runnable_copy(target: Path, *, listen_port: int, web_port: int, ws_port: int, static_dir: Path) -> Path:
    """A copy nginx can serve from: a loopback port, a local static folder, temp folders inside target."""
    config = checkable_copy(target, web_port=web_port, ws_port=ws_port)
    text = config.read_text()
    text = _replace_once(text, UNPRIVILEGED_LISTEN, f"listen 127.0.0.1:{listen_port} default_server;")
    text = _replace_once(text, STATIC_ALIAS, f"alias {static_dir}/;")
    (target / "temp").mkdir()
    temp_paths = "".join(f"    {directive} {target / 'temp' / directive};\n" for directive in TEMP_PATH_DIRECTIVES)
    text = _replace_once(text, HTTP_BLOCK_OPENING, HTTP_BLOCK_OPENING + temp_paths)
    config.write_text(text)
    return config


def expanded(config: Path = NGINX_DIR / "nginx.conf") -> str:
    """The configuration with every `include gateway/...;` replaced by that file's text, as nginx reads it.

    Like nginx, relative includes resolve from the main file's folder, whichever file names them.
    """
    root = config.parent

    def inline(match: re.Match[str]) -> str:
        included = _RELATIVE_INCLUDE.sub(inline, (root / match.group("path")).read_text())
        indent = match.group("indent")
        return "\n".join(indent + line if line else line for line in included.splitlines())

    return _RELATIVE_INCLUDE.sub(inline, config.read_text())


def location_block(config_text: str, opening: str) -> str:
    """The text of the block that starts with `opening` (e.g. 'location /ws/ {'), up to its closing brace."""
    start = config_text.index(opening)
    depth = 0
    for position in range(start, len(config_text)):
        character = config_text[position]
        if character == "{":
            depth += 1
        elif character == "}":
            depth -= 1
            if depth == 0:
                return config_text[start : position + 1]
    raise AssertionError(f"block {opening!r} is not closed")
