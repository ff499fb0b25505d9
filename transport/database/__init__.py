"""The project's database backend: Django's PostgreSQL backend with a health check that asks the socket, not the
server (see base.py)."""
