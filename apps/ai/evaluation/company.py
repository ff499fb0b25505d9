"""Where the evaluation's data comes from: two demo companies (the asking one and a neighbour whose rows must never
show), each with the operating history the demo generator writes for the set's pinned anchor. The generator is
deterministic, so the same anchor gives the same rows, and the cases' expected rows are literal."""

from __future__ import annotations

from uuid import UUID

from apps.ai.evaluation.cases import EvaluationSet
from transport.demo import demo_company, demo_history
from transport.events.relay import relay_held
from transport.models import DemoHistoryRecord


class EvaluationDataStale(Exception):
    """The database holds a history of the evaluation companies for another anchor than the set's."""


def evaluation_company(evaluation: EvaluationSet) -> UUID:
    """The evaluation company's id, it and its neighbour seeded first if they are not yet (again: no change).
    Their events are held in the outbox: no worker is to act on them."""
    with relay_held():
        company_ids = [demo_company(slug) for slug in (evaluation.company, evaluation.neighbour)]
        for company_id in company_ids:
            _check_anchor(evaluation, company_id)
            demo_history(company_id, anchor=evaluation.anchor, days=evaluation.days)
    return company_ids[0]


def _check_anchor(evaluation: EvaluationSet, company_id: UUID) -> None:
    record = DemoHistoryRecord.objects.filter(company_id=company_id).first()
    if record is not None and (record.anchor, record.days) != (evaluation.anchor, evaluation.days):
        raise EvaluationDataStale(
            f"The database holds company {company_id}'s history for {record.days} days before {record.anchor}, "
            f"the set wants {evaluation.days} before {evaluation.anchor}: rebuild the evaluation database.")
