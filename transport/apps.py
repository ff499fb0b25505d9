from django.apps import AppConfig


class TransportConfig(AppConfig):
    name = "transport"
    verbose_name = "Platform kernel"

    def ready(self) -> None:
        from transport import logging, worker_connections
        from transport.events import registry

        registry.discover()
        logging.connect_celery_signals()  # request ids follow work into Celery, in web and worker processes
        worker_connections.connect_celery_signals()
