"""The published interface of ai: keyword-only functions returning frozen dataclasses."""
