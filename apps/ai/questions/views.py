"""HTTP endpoints of the questions under /api/v1/ai/: ask, read the company's history, re-run one."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ai.questions import selectors, services
from apps.ai.questions.asker import asking_company
from apps.ai.questions.serializers import AnswerOut, QuestionIn, QuestionListIn, QuestionOut
from transport.http.pagination import PAGE_PARAMETERS, CappedPageNumberPagination, page_of
from transport.http.principal import principal_of
from transport.http.schema import ProblemSerializer
from transport.http.serializers import validated

# the model's own failures that are no one's fault here (its answer unreadable, our key refused): a 502
PROVIDER_FAILED = OpenApiResponse(ProblemSerializer, description="The model's service failed or answered badly")


class QuestionList(APIView):
    @extend_schema(request=QuestionIn, responses={200: AnswerOut, (502, "application/problem+json"): PROVIDER_FAILED},
                   summary="Ask a question about the company's operations")
    def post(self, request: Request) -> Response:
        values = validated(QuestionIn, request.data)
        answer = services.question_ask(principal=principal_of(request), company_id=values.get("company_id"),
                                       question=values["question"])
        return Response(AnswerOut(asdict(answer)).data)

    @extend_schema(parameters=[QuestionListIn, *PAGE_PARAMETERS], responses=page_of(QuestionOut),
                   summary="The company's questions, newest first")
    def get(self, request: Request) -> Response:
        values = validated(QuestionListIn, request.query_params.dict())
        principal = principal_of(request)
        company_id = asking_company(principal=principal, company_id=values.get("company_id"))
        questions = selectors.questions_of_company(principal=principal, company_id=company_id)
        paginator = CappedPageNumberPagination()
        page: list[Any] | None = paginator.paginate_queryset(questions, request, view=self)
        return paginator.get_paginated_response(QuestionOut(page, many=True).data)


class QuestionRerun(APIView):
    @extend_schema(request=None, responses={200: AnswerOut, (502, "application/problem+json"): PROVIDER_FAILED},
                   summary="Run a question's checked SQL again, without asking the model")
    def post(self, request: Request, question_id: UUID) -> Response:
        answer = services.question_rerun(principal=principal_of(request), question_id=question_id)
        return Response(AnswerOut(asdict(answer)).data)
