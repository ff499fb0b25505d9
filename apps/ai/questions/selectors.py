"""The question log as a company's staff read it."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from apps.ai.models import Question
from apps.ai.permissions import ASK_QUESTIONS
from transport.principal import Principal


def questions_of_company(*, principal: Principal, company_id: UUID) -> QuerySet[Question]:
    """The company's questions, newest first. Needs ai.ask_questions there (another company's: NotFound)."""
    principal.require(ASK_QUESTIONS, company_id=company_id)
    return Question.objects.filter(company_id=company_id).order_by("-created_at", "-id")
