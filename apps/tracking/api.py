"""The published interface of tracking: keyword-only functions returning frozen dataclasses."""
