"""`manage.py run_platform` (what `make run` calls): the whole platform from one command.

Migrates, seeds the demo data, collects static files, then runs as child processes one ASGI server
(HTTP and websockets), a Celery worker and Celery beat; waits until /health/ready answers, starts the demo's
own children (TRANSPORT_DEMO_CHILDREN: the simulated bus), prints the URLs and the demo logins. Ctrl-C (or
SIGTERM) stops every child, then the embedded PostgreSQL/Redis if this command started them, and exits 0. If a
child dies, the rest are stopped and the exit is non-zero.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from transport import embedded
from transport.demo import DemoOutput, seed_all
from transport.management.banner import render_banner
from transport.management.child_env import child_environment
from transport.management.emulators import local_emulators, wait_for_port
from transport.management.supervisor import StopRequest, Supervisor

CELERY_APP = "config"  # the package whose celery.py defines the app (`celery -A config`)
POLL_SECONDS = 0.5
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl-C, and `kill` or a service manager

# the largest websocket message the server takes (compose.yml says the same): a driver's batch of 500 points is
# about 100 KiB
WS_MAX_BYTES = 1024 * 1024
# uvicorn's websocket implementation (compose.yml's too): the sans-I/O one on `websockets`, what uvicorn's `auto`
# picks and its deprecated legacy `websockets` one will become; it spent about a quarter less CPU per frame and
# 17% less memory per connection than the legacy one (bench/tracking_websockets.py --uvicorn-ws)
WS_IMPLEMENTATION = "websockets-sansio"


class Command(BaseCommand):
    help = "Run the whole platform locally: web + websockets, Celery worker and beat, with demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Interface the web server binds to.")
        parser.add_argument("--port", type=int, default=8000, help="Port of the web server (default 8000).")
        parser.add_argument("--no-worker", action="store_true", help="Start neither the Celery worker nor beat.")
        parser.add_argument("--check", action="store_true",
                            help="Start everything, wait until ready, print the banner, stop cleanly, exit 0.")
        parser.add_argument("--ready-timeout", type=float, default=120.0,
                            help="Seconds to wait for /health/ready before giving up (default 120).")

    def handle(self, *args: Any, **options: Any) -> None:
        stop_requested = StopRequest()
        previous_handlers = {signum: signal.signal(signum, stop_requested.set) for signum in STOP_SIGNALS}
        try:
            demo = self._prepare()
            if stop_requested.is_set():
                return
            self._run(demo, stop_requested, options)
        finally:
            for signum, handler in previous_handlers.items():
                signal.signal(signum, handler)
            for kind in embedded.stop_servers_started_here():
                self._say(f"Stopped the embedded {'PostgreSQL' if kind == 'postgres' else 'Redis'}.")
            # the last word, in both modes, once nothing this command started is running any more
            self._say("Stopped.")

    def _prepare(self) -> DemoOutput:
        call_command("migrate", interactive=False, verbosity=1)
        demo = seed_all()
        self._say(f"Demo data seeded: {len(demo.logins)} login(s).")
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # the children open their own; ours would only idle
        return demo

    def _run(self, demo: DemoOutput, stop_requested: StopRequest, options: dict[str, Any]) -> None:
        host, port = options["host"], options["port"]
        base_url = f"http://{_display_host(host)}:{port}"
        env = child_environment(os.environ)
        env.setdefault("PAYMENT_CALLBACK_BASE_URL", base_url)
        supervisor = Supervisor(env=env, cwd=settings.BASE_DIR)
        python = sys.executable
        emulators = local_emulators(os.environ)
        # "config.asgi.application" -> "config.asgi:application"
        asgi_app = ":".join(settings.ASGI_APPLICATION.rsplit(".", 1))
        commands = {
            "web": [python, "-m", "uvicorn", asgi_app, "--host", host, "--port", str(port), "--lifespan", "off",
                    "--ws", WS_IMPLEMENTATION, "--ws-max-size", str(WS_MAX_BYTES), "--ws-per-message-deflate",
                    "false"],
        }
        if not options["no_worker"]:
            commands["worker"] = [python, "-m", "celery", "-A", CELERY_APP, "worker", "--loglevel=INFO",
                                  "--concurrency=2"]
            commands["beat"] = [python, "-m", "celery", "-A", CELERY_APP, "beat", "--loglevel=INFO",
                                "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")]
        try:
            for emulator in emulators:
                child = supervisor.start(emulator.name, [python, *emulator.argv])
                wait_for_port(emulator.port, supervisor)
                env.update(emulator.env)
                self._say(f"Started {emulator.name} (pid {child.pid}).")
                self._say(f"  {emulator.base_url}: {', '.join(sorted(emulator.env))} point there.")
            for name, argv in commands.items():
                child = supervisor.start(name, argv)
                self._say(f"Started {name} (pid {child.pid}).")
            if not self._wait_until_ready(f"{base_url}/health/ready", supervisor, stop_requested,
                                          options["ready_timeout"]):
                return
            for command in settings.TRANSPORT_DEMO_AFTER_READY:
                subprocess.run([python, "manage.py", *command], env=env, cwd=settings.BASE_DIR, check=True)
            for spec in settings.TRANSPORT_DEMO_CHILDREN:
                argv = [argument.replace("{base}", base_url) for argument in spec["command"]]
                child = supervisor.start(spec["name"], [python, "manage.py", *argv])
                self._say(f"Started {spec['name']} (pid {child.pid}).")
            self._say(render_banner(base_url=base_url, logins=demo.logins, notes=demo.notes,
                                    walkthrough=demo.walkthrough, env=env))
            if options["check"]:
                return
            while not stop_requested.wait(POLL_SECONDS):
                exited = supervisor.first_exited()
                if exited:
                    raise CommandError(f"{exited.name} exited with code {exited.process.returncode}; "
                                       f"stopped the others.")
        finally:
            self._say("Stopping every process started here...")
            supervisor.stop_all()

    def _say(self, message: str) -> None:
        # flushed at once so our lines keep their place among the children's logs when piped to a file
        self.stdout.write(message)
        self.stdout.flush()

    def _wait_until_ready(self, url: str, supervisor: Supervisor, stop_requested: StopRequest,
                          timeout: float) -> bool:
        """True once `url` answers 200 with every check ok; False if asked to stop first."""
        deadline = time.monotonic() + timeout
        last_answer = "no answer yet"
        while not stop_requested.wait(POLL_SECONDS):
            exited = supervisor.first_exited()
            if exited:
                raise CommandError(f"{exited.name} exited with code {exited.process.returncode} before the "
                                   f"platform was ready; stopped the others.")
            ready, last_answer = _probe(url)
            if ready:
                return True
            if time.monotonic() > deadline:
                raise CommandError(f"{url} was not ready within {timeout:.0f}s (last answer: {last_answer}).")
        return False


def _probe(url: str) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own http:// URL)
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}: {exc.read()[:300]!r}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, str(exc)
    checks = body.get("checks", {})
    return bool(checks) and all(state == "ok" for state in checks.values()), json.dumps(body)


def _display_host(host: str) -> str:
    """A URL a browser on this machine can open, also when the server binds every interface."""
    return "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104 (compared, not bound)
