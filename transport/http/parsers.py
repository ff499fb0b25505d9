"""The request body parser of the API: JSON only, and bad JSON is always the client's 400."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a body nested deeper than Python's decoder can follow is a 400.

    The standard decoder recurses once per level: "[[[[...]]]]" of a few thousand levels, well under
    the size limit, would otherwise escape as a RecursionError and become a 500.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
