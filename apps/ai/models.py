"""The question log: every question asked (or re-run), what the model drafted, what the guard let run, and how it
ended. Rows are written once and never changed; the platform admin reads them all, a company's staff theirs."""

from __future__ import annotations

import uuid

from django.db import models

MAX_QUESTION_LENGTH = 500


class Question(models.Model):
    class Decision(models.TextChoices):
        ANSWERED = "answered"
        REFUSED = "refused"  # the guard (or the database's role) refused the SQL: nothing ran
        FAILED = "failed"  # the checked SQL ran and failed (a timeout, a wrong column)
        PROVIDER_ERROR = "provider_error"  # the model gave no usable SQL (busy, down, blocked, declined)
        RATE_LIMITED = "rate_limited"  # over a limit: neither the model nor the database was asked

    class Language(models.TextChoices):
        ENGLISH = "en"
        SWAHILI = "sw"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField()
    user_id = models.UUIDField()
    question = models.CharField(max_length=MAX_QUESTION_LENGTH)
    language = models.CharField(max_length=2, choices=Language.choices)
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns")
    sql_drafted = models.TextField(blank=True, default="")
    sql_run = models.TextField(blank=True, default="", help_text="The checked SQL: what ran, or would have")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason_code = models.CharField(max_length=60, blank=True, default="")
    reason = models.TextField(blank=True, default="")
    row_count = models.PositiveIntegerField(null=True, blank=True)
    truncated = models.BooleanField(default=False)
    explanation = models.TextField(blank=True, default="")
    chart = models.JSONField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        permissions = [("ask_questions", "Ask questions about the company's operations in plain language")]
        indexes = [
            models.Index(fields=["company_id", "created_at"], name="ai_question_company"),
            models.Index(fields=["user_id", "created_at"], name="ai_question_user"),
        ]

    def __str__(self) -> str:
        return f"{self.decision}: {self.question[:60]}"
