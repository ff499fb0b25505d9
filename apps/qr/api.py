"""The published interface of qr: keyword-only functions returning frozen dataclasses."""
