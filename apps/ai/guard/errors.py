"""What the guard answers when a question's SQL may not run, or fails while running."""

from __future__ import annotations


class SqlRefused(Exception):
    """The SQL was refused before anything ran; `reason_code` is stable (logged, shown, tested)."""

    def __init__(self, reason_code: str, message: str) -> None:
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message


class QueryFailed(Exception):
    """The database refused or failed the checked SQL (a missing column, a denied relation, a bad cast)."""

    code = "query_failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QueryPermissionDenied(QueryFailed):
    """The reporting role may not read what the SQL named: only the reporting views are granted to it."""

    code = "permission_denied"


class QueryTimedOut(QueryFailed):
    """The statement ran past its timeout and the database cancelled it."""

    code = "query_timeout"
