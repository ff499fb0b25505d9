"""The LLM that drafts a question's SQL: Gemini through google-genai (PROVIDERS.md section 5)."""
