from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PaymentConfig(AppConfig):
    name = "apps.payment"
    label = "payment"
    verbose_name = "Payments"

    def ready(self) -> None:
        from apps.payment.permissions import grant_role_permissions

        # after identity seeded its roles (it migrates first) and Django created this app's permissions
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="payment.grant_role_permissions")
