"""The published interface of ticketing: keyword-only functions returning frozen dataclasses."""
