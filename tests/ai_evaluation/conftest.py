"""The evaluation's data, read here through the apps' own tables: the evaluation company and its neighbour with
their history at the set's anchor, seeded once per test module and committed, flushed when the module is done."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from django.core.management import call_command

from apps.ai.evaluation.cases import evaluation_set
from apps.ai.evaluation.company import evaluation_company


@pytest.fixture(scope="module")
def evaluation_data(django_db_setup: None, django_db_blocker: Any) -> Iterator[UUID]:
    with django_db_blocker.unblock():
        company_id = evaluation_company(evaluation_set())
        try:
            yield company_id
        finally:
            call_command("flush", interactive=False, verbosity=0)
