"""The published interface of company: keyword-only functions returning frozen dataclasses."""
