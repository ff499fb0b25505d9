"""Django admin for notification."""

from apps.notification.sms import admin as sms_admin  # noqa: F401  (registers companies' SMS accounts)
