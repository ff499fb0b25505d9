"""The box `run_platform` prints once everything answers: where to go and how to sign in."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from transport.demo import DemoLogin

# "{env:NAME}" in a walkthrough line: the children's value of NAME (an emulator's URL, known once it started)
_ENV = re.compile(r"\{env:([A-Z][A-Z0-9_]*)\}")


def _filled(line: str, base_url: str, env: Mapping[str, str]) -> str:
    return _ENV.sub(lambda found: env.get(found.group(1), found.group(0)), line.replace("{base}", base_url))


def render_banner(*, base_url: str, logins: Sequence[DemoLogin], notes: Sequence[str],
                  walkthrough: Sequence[str] = (), env: Mapping[str, str] | None = None) -> str:
    """The box; then the walkthrough's commands, unboxed so that they can be copied whole."""
    ws_url = base_url.replace("http://", "ws://", 1)
    lines = [
        "Transport platform is running",
        "",
        f"API docs     {base_url}/api/docs/",
        f"API schema   {base_url}/api/schema/",
        f"Admin        {base_url}/admin/",
        f"Health       {base_url}/health/ready",
        f"Websockets   {ws_url}/ws/",
    ]
    if logins:
        lines += ["", "Demo logins (demo data only, never in production):"]
        role_width = max(len(login.role) for login in logins)
        lines += [f"  {login.role.ljust(role_width)}  {login.username} / {login.password}" for login in logins]
    if notes:
        lines += ["", *notes]
    lines += ["", "Press Ctrl-C to stop every process started here."]
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    box = [rule, *(f"| {line.ljust(width)} |" for line in lines), rule]
    if walkthrough:
        box += ["", *(_filled(line, base_url, env or {}) for line in walkthrough)]
    return "\n".join(box)
