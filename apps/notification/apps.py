from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NotificationConfig(AppConfig):
    name = "apps.notification"
    label = "notification"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from apps.notification.sms.permissions import grant_role_permissions as grant_sms_permissions

        # after identity seeded its roles (it migrates first) and Django created this app's permissions
        post_migrate.connect(grant_sms_permissions, sender=self, dispatch_uid="notification.sms.grant_role_permissions")
