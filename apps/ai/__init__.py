"""Questions: natural-language questions answered by checked, read-only SQL over reporting views."""
