"""Request and answer bodies of the questions endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.ai.models import MAX_QUESTION_LENGTH, Question
from transport.http.serializers import StrictSerializer


class TextOnlyField(serializers.CharField):
    """Text, and only text: DRF's CharField would take 42 for "42"; a number or a boolean here is a client's bug."""

    default_error_messages = {**serializers.CharField.default_error_messages, "invalid": "Give a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class QuestionIn(StrictSerializer):
    question = TextOnlyField(max_length=MAX_QUESTION_LENGTH, help_text="In English or Swahili")
    company_id = serializers.UUIDField(required=False, help_text="Needed only by staff of several companies")


class QuestionListIn(StrictSerializer):
    company_id = serializers.UUIDField(required=False, help_text="Needed only by staff of several companies")


class AnswerOut(serializers.Serializer[Any]):
    id = serializers.UUIDField(help_text="The question's log entry: re-run it by this id")
    company_id = serializers.UUIDField()
    question = serializers.CharField()
    language = serializers.ChoiceField(choices=Question.Language.choices, help_text="The guessed language")
    rerun_of = serializers.UUIDField(allow_null=True)
    sql = serializers.CharField(help_text="The SQL that ran, as the guard regenerated it")
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    row_count = serializers.IntegerField()
    truncated = serializers.BooleanField(help_text="More rows existed than AI_ROW_LIMIT; the rest were not read")
    explanation = serializers.CharField(allow_blank=True)
    chart = serializers.JSONField(allow_null=True, help_text="A Vega-Lite v5 specification without data (bind the "
                                                            "rows, as objects keyed by column), or null")
    created_at = serializers.DateTimeField()


class QuestionOut(serializers.ModelSerializer[Question]):
    sql = serializers.CharField(source="sql_run", help_text="The checked SQL (empty if none passed the guard)")

    class Meta:
        model = Question
        fields = ["id", "company_id", "user_id", "question", "language", "rerun_of", "decision", "reason_code",
                  "reason", "sql", "row_count", "truncated", "explanation", "chart", "duration_ms", "created_at"]
