"""A seat row's stretch: the half-open range [from, to) of stop sequences it rides."""

from __future__ import annotations

from django.db.backends.postgresql.psycopg_any import NumericRange


def stretch(from_sequence: int, to_sequence: int) -> NumericRange:
    return NumericRange(from_sequence, to_sequence, "[)")


def stretches_overlap(a: NumericRange, b: NumericRange) -> bool:
    """Whether two stretches share a segment: touching ones (A->B, B->C) do not."""
    return a.lower < b.upper and b.lower < a.upper  # both half-open [lower, upper)
