"""Writes of companies' template overrides: saved only when they render (validation.override_problems)."""

from __future__ import annotations

from uuid import UUID

from django.db import IntegrityError, transaction

from apps.notification.templating.models import TAKEN, TemplateOverride
from apps.notification.templating.validation import override_problems
from transport.errors import NotFound, ValidationFailed


@transaction.atomic
def template_override_save(*, company_id: UUID, kind: str, channel: str, language: str, subject: str, body: str,
                           html_body: str, updated_by: UUID | None,
                           override_id: UUID | None = None) -> TemplateOverride:
    """Create the company's override of (kind, channel, language), or change the one `override_id` names (its
    kind, channel and language stay). ValidationFailed, with the problems per field, for one that would not
    render; nothing is written then."""
    if override_id is not None:
        row = TemplateOverride.objects.select_for_update().filter(pk=override_id, company_id=company_id).first()
        if row is None:
            raise NotFound("No such template override of this company.")
        kind, channel, language = row.kind, row.channel, row.language
    else:
        row = TemplateOverride(company_id=company_id, kind=kind, channel=channel, language=language)
    problems = override_problems(kind=kind, channel=channel, language=language, subject=subject, body=body,
                                 html_body=html_body)
    if problems:
        raise ValidationFailed("The template cannot be used as it is.", fields=problems)
    row.subject, row.body, row.html_body, row.updated_by = subject, body, html_body, updated_by
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin's insert wins, this one is refused
            row.save()
    except IntegrityError:
        raise ValidationFailed(TAKEN, fields={"__all__": [TAKEN]}) from None
    return row


@transaction.atomic
def template_override_delete(*, override_id: UUID, company_id: UUID) -> None:
    """The company's messages of that kind go back to the platform's wording."""
    TemplateOverride.objects.filter(pk=override_id, company_id=company_id).delete()
