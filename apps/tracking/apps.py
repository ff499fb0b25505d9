from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackingConfig(AppConfig):
    name = "apps.tracking"
    label = "tracking"
    verbose_name = "Tracking"

    def ready(self) -> None:
        from apps.tracking.permissions import grant_role_permissions

        # after identity seeded its roles (it migrates first) and Django created this app's permissions
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="tracking.grant_role_permissions")
