"""The published interface of payment: keyword-only functions returning frozen dataclasses."""
