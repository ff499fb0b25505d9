"""Reads of companies' template overrides."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from apps.notification.templating.defaults import MessageTemplate
from apps.notification.templating.models import TemplateOverride


def overrides_of(*, company_id: UUID, kind: str, channel: str,
                 languages: Collection[str]) -> dict[str, MessageTemplate]:
    """The company's overrides of the kind on the channel in these languages, by language (one query)."""
    rows = TemplateOverride.objects.filter(company_id=company_id, kind=kind, channel=channel,
                                           language__in=list(languages))
    return {row.language: MessageTemplate(language=row.language, subject=row.subject, body=row.body,
                                          html_body=row.html_body) for row in rows}
