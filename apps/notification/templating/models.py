"""A company's own wording of a kind of message on a channel in a language, used instead of the platform's.

Imported by apps/notification/models.py, so the table is notification's. Rows are written only through
services.template_override_save, which refuses a template that would not render."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from apps.notification.templating.kinds import CHANNELS, KINDS

BODY_MAX_CHARS = 5000
TAKEN = "The company already has its own wording of this message in this language: change that one."
HTML_MAX_CHARS = 50000


class TemplateOverride(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(db_index=True)
    kind = models.CharField(max_length=40, choices=[(name, name.replace("_", " ")) for name in KINDS])
    channel = models.CharField(max_length=10, choices=CHANNELS)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(max_length=200, blank=True, help_text="Email only")
    body = models.TextField(max_length=BODY_MAX_CHARS, help_text="The SMS, or the email's plain-text part")
    html_body = models.TextField(max_length=HTML_MAX_CHARS, blank=True,
                                 help_text="Email only: the HTML part, inside the platform's layout with the "
                                           "company's name. Blank: made from the plain-text part.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.UUIDField(null=True, blank=True, help_text="The user who saved it last")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company_id", "kind", "channel", "language"],
                                    name="template_override_once", violation_error_message=TAKEN),
        ]
        permissions = [("manage_templates", "Write the company's own wording of messages")]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.language}"
