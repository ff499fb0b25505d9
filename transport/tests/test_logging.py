import copy
import io
import json
import logging
import logging.config
import queue
import re
import uuid
from collections.abc import Iterator

import pytest
from celery import current_app, shared_task
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish
from celery.worker import state as worker_state
from django.conf import settings

from transport.logging import RequestIdFilter, request_id_var

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")

# (task id, request id it ran under) of each run of the probe task, in this process
task_runs: queue.Queue[tuple[str, str | None]] = queue.Queue()


@shared_task(bind=True, name="transport.tests.record_request_id")
def record_request_id(self) -> None:
    logging.getLogger("transport.tests.probe_task").warning("probe task ran")
    task_runs.put((self.request.id, request_id_var.get()))


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Root log lines, formatted by the project's JSON formatter with its request id filter."""
    stream = io.StringIO()
    configurator = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING))
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(copy.deepcopy(settings.LOGGING["formatters"]["json"])))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.fixture
def under_request_id() -> Iterator[str]:
    token = request_id_var.set("req-7f3a")
    yield "req-7f3a"
    request_id_var.reset(token)


def runs_of(task_ids: list[str]) -> dict[str, str | None]:
    """Wait for the runs of these tasks (a worker thread may still be busy), skipping any others."""
    runs: dict[str, str | None] = {}
    while set(task_ids) - set(runs):
        task_id, request_id = task_runs.get(timeout=30)
        runs[task_id] = request_id
    return {task_id: runs[task_id] for task_id in task_ids}


def stop_now(worker) -> None:
    """Ask the worker thread to stop and wake its event loop, which otherwise sleeps up to 10 s first."""
    # celery-types declares should_terminate as always None; the worker reads an exit code from it
    worker_state.should_terminate = 0  # type: ignore[assignment]
    worker.hub.call_soon(lambda: None)


def log_lines(stream: io.StringIO, logger: str) -> list[dict]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if line["logger"] == logger]


@pytest.mark.django_db
def test_middleware_echoes_a_sane_request_id(client):
    response = client.get("/health/live", HTTP_X_REQUEST_ID="gw-2f9c.7_A")

    assert response["X-Request-ID"] == "gw-2f9c.7_A"


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["has spaces", "x" * 129, "semi;colon", "new\\nline", ""])
def test_middleware_replaces_an_insane_or_missing_request_id(client, incoming):
    response = client.get("/health/live", HTTP_X_REQUEST_ID=incoming)

    assert GENERATED_ID.match(response["X-Request-ID"])


@pytest.mark.django_db
def test_middleware_leaves_no_request_id_behind(client):
    client.get("/health/live", HTTP_X_REQUEST_ID="gw-1")

    assert request_id_var.get() is None


@pytest.mark.django_db
def test_log_lines_of_a_failed_api_request_carry_its_request_id(client, json_log):
    client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="gw-404")

    lines = log_lines(json_log, "django.request")
    assert [(line["level"], line["message"], line["request_id"]) for line in lines] == [
        ("WARNING", "Not Found: /api/v1/no-such-thing/", "gw-404")
    ]


def test_log_lines_of_a_task_carry_the_request_id_it_was_published_with(json_log):
    result = record_request_id.apply(headers={"request_id": "req-from-message"})

    lines = log_lines(json_log, "transport.tests.probe_task")
    assert [(line["message"], line["request_id"]) for line in lines] == [("probe task ran", "req-from-message")]
    assert runs_of([result.id]) == {result.id: "req-from-message"}
    assert request_id_var.get() is None


def test_a_task_run_in_place_keeps_the_callers_request_id(under_request_id):
    result = record_request_id.apply()

    assert runs_of([result.id]) == {result.id: under_request_id}
    assert request_id_var.get() == under_request_id


# transaction=True: the worker closes its database connections around each task, as in production
@pytest.mark.django_db(transaction=True)
def test_a_request_id_travels_in_the_message_to_a_worker_and_no_further(under_request_id):
    published: dict[str, str | None] = {}

    def capture(headers=None, **_):
        published[headers["id"]] = headers.get("request_id")

    queue = f"logging-{uuid.uuid4().hex[:8]}"  # its own queue: no other test worker takes these tasks
    before_task_publish.connect(capture, weak=False)
    try:
        in_request = record_request_id.apply_async(queue=queue)
        token = request_id_var.set(None)
        outside_request = record_request_id.apply_async(queue=queue)  # must not inherit the worker's last id
        request_id_var.reset(token)
    finally:
        before_task_publish.disconnect(capture)
    with start_worker(current_app, pool="solo", perform_ping_check=False, queues=[queue]) as worker:
        runs = runs_of([in_request.id, outside_request.id])
        stop_now(worker)

    assert published == {in_request.id: under_request_id, outside_request.id: None}
    assert runs == {in_request.id: under_request_id, outside_request.id: None}
