"""Django admin for notification."""

from apps.notification.templating import admin as templating_admin  # noqa: F401  (registers template overrides)
