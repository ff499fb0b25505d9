"""The published interface of identity: keyword-only functions returning frozen dataclasses."""
