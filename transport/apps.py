from django.apps import AppConfig


class TransportConfig(AppConfig):
    name = "transport"
    verbose_name = "Platform kernel"

    def ready(self) -> None:
        from transport.events import registry
        from transport.logging import connect_celery_signals

        registry.discover()
        connect_celery_signals()  # request ids follow work into Celery, in web and worker processes
