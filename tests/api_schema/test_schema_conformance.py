"""Every operation of /api/schema/, called in-process through the WSGI app by a passenger, a company admin, a POS
device and an anonymous caller: no answer is a 5xx, and every answer's status, content type and body are the
ones the schema documents.

Generation is bounded and derandomized (the same requests on every run); each example runs in a savepoint that
is rolled back, so every request meets the same seeded world. Failures of all operations are collected and
reported together.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.auth.tests.conftest import _clear_rate_limits
from tests.api_schema.seeded import CALLERS, SeededWorld, build_seeded_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# valid requests, and requests that break the schema on purpose (the server must refuse them with a 4xx)
GENERATION_MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
EXAMPLES_PER_OPERATION = 6
GENERATION = settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                      report_multiple_bugs=False)


class _Rollback(Exception):
    pass


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Requests end with close_old_connections, which would close the test's transaction; Django's test client
    disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, in_test_transaction, gemini) -> Iterator[SeededWorld]:
    _clear_rate_limits()
    yield build_seeded_world()
    _clear_rate_limits()


@pytest.fixture
def api_schema(seeded) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.mark.parametrize("caller", CALLERS)
def test_every_operation_answers_as_documented(api_schema, seeded: SeededWorld, caller: str) -> None:
    headers = seeded.headers[caller]
    failures: list[str] = []

    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in GENERATION_MODES:
            try:
                _exercise(operation, mode, seeded, headers)
            except Unsatisfiable:
                # only in negative mode: the schema leaves no way to be invalid (a path slug of any string)
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, then all reported together
                failures.append(f"{caller} {mode.value} {operation.label}: {_summary(exc)}")

    assert failures == [], "\n".join(failures)


def _exercise(operation, mode: GenerationMode, seeded: SeededWorld, headers: dict[str, str]) -> None:
    cases = st.tuples(operation.as_strategy(generation_mode=mode), st.booleans())

    @GENERATION
    @given(generated=cases)
    def call(generated) -> None:
        case, use_real_ids = generated
        if use_real_ids:
            if case.path_parameters:
                case.path_parameters = seeded.real_path_parameters(operation.path, case.path_parameters)
            if case.query:
                case.query = seeded.real_values(case.query)
            if isinstance(case.body, dict):
                case.body = seeded.real_values(case.body)
        try:
            with transaction.atomic():
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)
                raise _Rollback
        except _Rollback:
            pass

    call()


def _summary(exc: BaseException) -> str:
    found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
    return " | ".join(" ".join(str(one).split())[:400] for one in found)
