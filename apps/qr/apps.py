from django.apps import AppConfig


class QrConfig(AppConfig):
    name = "apps.qr"
    label = "qr"
    verbose_name = "QR codes"
