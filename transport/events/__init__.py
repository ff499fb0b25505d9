"""Durable events: Django signals relayed through an outbox to Celery, handled at least once,
applied once (inbox). See publish() and subscriber()."""
