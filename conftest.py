"""Project-wide pytest fixtures (real PostgreSQL and Redis; see README, "Tests")."""
