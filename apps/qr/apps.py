from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QrConfig(AppConfig):
    name = "apps.qr"
    label = "qr"
    verbose_name = "QR codes"

    def ready(self) -> None:
        from apps.qr import keyring  # noqa: F401  (connects the setting_changed receiver)
        from apps.qr.permissions import grant_role_permissions
        from apps.qr.services import signing_key_ensure_initial

        # a flush (the test runner's) empties the key table after the data migration ran: sign anyway
        post_migrate.connect(signing_key_ensure_initial, sender=self, dispatch_uid="qr_initial_signing_key")
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="qr.grant_role_permissions")
