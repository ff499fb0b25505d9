"""What both SMS gateway emulators hold and their control endpoints under /_emu/ (for tests, the bench and the
demo walkthrough; no gateway has them):

    POST /_emu/reset                   forget messages, reports, scripts and added accounts
    POST /_emu/script                  {"number", "outcome", "code"?, "status"?, "times"?, "answer_delay"?,
                                        "report_delay"?} (state.py says what each outcome does)
    GET  /_emu/messages?to=+2547...    the inbox: every message asked for, taken or refused, oldest first
    GET  /_emu/reports                 the delivery reports posted (or held), with our server's answer
    POST /_emu/reports/hold            {"hold": true}: record reports without posting them
    POST /_emu/reports/release         stop holding; post every report held so far
    POST /_emu/accounts                {"account", "secret"}: one more account (username and API key, or
                                        account SID and auth token)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apps.notification.emulators.state import OUTCOMES, Inbox, Script, Scripts
from transport.emulators.callbacks import CallbackSender
from transport.emulators.control import control_body as control_body  # shared by this package's emulators


@dataclass
class GatewayState:
    gateway: str
    default_accounts: dict[str, str]
    report_delay: float  # before the final report, unless a script says otherwise
    scripts: Scripts = field(default_factory=Scripts)
    inbox: Inbox = field(default_factory=Inbox)
    callbacks: CallbackSender = field(default_factory=CallbackSender)
    accounts: dict[str, str] = field(default_factory=dict)  # username or SID -> API key or auth token
    report_urls: dict[str, str] = field(default_factory=dict)  # set in the "dashboard" (Africa's Talking)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.scripts.reset()
        self.inbox.clear()
        self.callbacks.reset()
        self.accounts = dict(self.default_accounts)
        self.report_urls.clear()


def state_of(request: Request) -> GatewayState:
    state: GatewayState = request.app.state.gateway
    return state


def control_routes() -> list[Route]:
    return [
        Route("/_emu/reset", reset, methods=["POST"]),
        Route("/_emu/script", script, methods=["POST"]),
        Route("/_emu/messages", messages, methods=["GET"]),
        Route("/_emu/reports", reports, methods=["GET"]),
        Route("/_emu/reports/hold", hold, methods=["POST"]),
        Route("/_emu/reports/release", release, methods=["POST"]),
        Route("/_emu/accounts", add_account, methods=["POST"]),
    ]



async def form_of(request: Request) -> dict[str, str]:
    """The url-encoded form the gateways take (the last value of a repeated field)."""
    return dict(parse_qsl((await request.body()).decode(errors="replace"), keep_blank_values=True))


def refused(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def reset(request: Request) -> Response:
    state_of(request).reset()
    return JSONResponse({"reset": True})


async def script(request: Request) -> Response:
    try:
        body = await control_body(request)
        number, outcome = str(body["number"]), str(body.get("outcome", "deliver"))
        if outcome not in OUTCOMES:
            return refused(f"Unknown outcome {outcome!r}; one of {', '.join(sorted(OUTCOMES))}.")
        report_delay = body.get("report_delay")
        entry = Script(outcome=outcome, code=int(body.get("code", 0)), status=int(body.get("status", 500)),
                       times=int(body.get("times", 1)), answer_delay=float(body.get("answer_delay", 0)),
                       report_delay=None if report_delay is None else float(report_delay))
    except (KeyError, TypeError, ValueError) as exc:
        return refused(f"Bad script: {exc}")
    if entry.outcome == "code" and not entry.code:
        return refused('The outcome "code" needs the gateway\'s code.')
    state_of(request).scripts.add(number, entry)
    return JSONResponse({"number": number, **entry.as_json()})


async def messages(request: Request) -> Response:
    found = state_of(request).inbox.of(request.query_params.get("to", ""))
    return JSONResponse({"messages": [message.as_json() for message in found]})


async def reports(request: Request) -> Response:
    return JSONResponse({"reports": [report.as_json() for report in state_of(request).callbacks.sent]})


async def hold(request: Request) -> Response:
    try:
        body = await control_body(request)
    except ValueError as exc:
        return refused(str(exc))
    state_of(request).callbacks.hold = bool(body.get("hold", True))
    return JSONResponse({"hold": state_of(request).callbacks.hold})


async def release(request: Request) -> Response:
    return JSONResponse({"released": state_of(request).callbacks.release()})


async def add_account(request: Request) -> Response:
    try:
        body = await control_body(request)
        account, secret = str(body["account"]), str(body["secret"])
    except (KeyError, ValueError) as exc:
        return refused(f"Bad account: {exc}")
    state_of(request).accounts[account] = secret
    return JSONResponse({"account": account})


def serve(create_app: Callable[..., Starlette], description: str | None) -> None:
    """`python -m apps.notification.emulators.<gateway> --port N`: what `make run` starts."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8020)
    parser.add_argument("--report-delay", type=float, default=2.0,
                        help="Seconds before a message's final delivery report (default 2).")
    options = parser.parse_args()
    uvicorn.run(create_app(report_delay=options.report_delay), host=options.host, port=options.port,
                log_level="warning")
