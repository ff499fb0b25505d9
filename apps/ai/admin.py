"""Django admin for ai: the question log, read only. The platform admin sees every question, its SQL and the
guard's decision; a company's staff see their company's."""

from __future__ import annotations

from django.contrib import admin

from apps.ai.models import Question
from transport.scoped_admin import ReadOnlyAdmin


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "decision", "reason_code", "question", "row_count", "duration_ms", "company_id"]
    list_filter = ["decision", "language"]
    search_fields = ["question", "reason_code", "sql_run"]
    readonly_fields = [field.name for field in Question._meta.fields]
