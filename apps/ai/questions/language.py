"""A guess of a question's language, English or Swahili, for the log and its statistics: the model itself answers
in the question's language whatever this says, so a wrong guess costs nothing but a wrong count."""

from __future__ import annotations

import re

# frequent words of operators' questions that are one language's only
SWAHILI_WORDS = frozenset({
    "ngapi", "gani", "nini", "ipi", "lini", "wapi", "jana", "leo", "kesho", "wiki", "mwezi", "mwaka", "siku",
    "safari", "tiketi", "abiria", "basi", "mabasi", "viti", "kiti", "tuliuza", "tumeuza", "mauzo", "pesa",
    "malipo", "iliyopita", "hii", "hiki", "kwa", "na", "ya", "za", "wa", "la", "cha", "vya", "kila", "zaidi",
    "dakika", "kuchelewa", "zilichelewa", "wakala", "taslimu", "njia", "kutoka", "hadi", "mpaka", "jumla",
})
ENGLISH_WORDS = frozenset({
    "the", "how", "many", "much", "which", "what", "when", "where", "who", "did", "does", "do", "we", "our",
    "last", "this", "week", "month", "year", "day", "today", "yesterday", "by", "per", "of", "on", "in", "sold",
    "seats", "trips", "trip", "revenue", "late", "than", "more", "most", "agent", "cash", "between", "and",
})
_WORD = re.compile(r"[^\W\d_]+")


def language_guess(question: str) -> str:
    """"sw" when more of the question's words are Swahili's than English's, else "en"."""
    words = [word.lower() for word in _WORD.findall(question)]
    swahili = sum(word in SWAHILI_WORDS for word in words)
    english = sum(word in ENGLISH_WORDS for word in words)
    return "sw" if swahili > english else "en"
