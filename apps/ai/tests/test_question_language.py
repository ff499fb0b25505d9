"""The logged guess of a question's language."""

from __future__ import annotations

import pytest

from apps.ai.questions.language import language_guess


@pytest.mark.parametrize(("question", "language"), [
    ("How many seats did we sell on Nairobi-Kisumu last week, by day?", "en"),
    ("Tuliuza viti vingapi kwa safari ya Nairobi-Kisumu wiki iliyopita?", "sw"),
    ("Ni wakala gani alipokea pesa taslimu nyingi jana?", "sw"),
    ("Which trips ran more than 30 minutes late this month?", "en"),
    ("Nairobi Kisumu", "en"),
])
def test_the_language_guess(question, language):
    assert language_guess(question) == language
