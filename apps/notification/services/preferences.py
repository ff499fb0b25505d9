"""What a passenger asks of their messages: a language, and no non-essential ones (essential messages, such as
the cancellation of their trip, are sent regardless)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from apps.notification.models import ContactPreference
from transport.errors import NotAuthenticated, ValidationFailed
from transport.principal import Principal


def preference_of(*, principal: Principal) -> ContactPreference:
    if principal.user_id is None:
        raise NotAuthenticated("Sign in to see your message preferences.")
    found = ContactPreference.objects.filter(user_id=principal.user_id).first()
    return found or ContactPreference(user_id=principal.user_id)


@transaction.atomic
def preference_set(*, principal: Principal, language: str | None = None,
                   opted_out: bool | None = None) -> ContactPreference:
    """Change what was given (None leaves it); "" as language means "the company's"."""
    if principal.user_id is None:
        raise NotAuthenticated("Sign in to change your message preferences.")
    if language is not None and language and language not in dict(settings.LANGUAGES):
        raise ValidationFailed("Unknown language.", fields={
            "language": ["One of " + ", ".join(dict(settings.LANGUAGES)) + ", or empty for the company's."]})
    preference, _ = ContactPreference.objects.select_for_update().get_or_create(user_id=principal.user_id)
    if language is not None:
        preference.language = language
    if opted_out is not None:
        preference.opted_out = opted_out
    preference.save()
    return preference
