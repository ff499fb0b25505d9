"""Helpers for the project's tests: real worker processes, waiting on conditions."""
