"""The published interface of notification: keyword-only functions returning frozen dataclasses."""
