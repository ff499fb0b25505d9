"""Page-number pagination whose page size a client may choose (?page_size=), up to a cap.

The default size is REST_FRAMEWORK["PAGE_SIZE"]; a larger request is served at MAX_PAGE_SIZE rows,
so no client can make one request read a whole table. A page past the end is a 404 problem.
"""

import functools
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 200


class CappedPageNumberPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


# the query parameters of a view that paginates by hand (generic views get them from the paginator)
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="A page number within the paginated result set."),
    OpenApiParameter("page_size", int, description=f"Rows per page, at most {MAX_PAGE_SIZE}."),
]


@functools.cache
def page_of(item: type[serializers.Serializer[Any]]) -> type[serializers.Serializer[Any]]:
    """The serializer of one page of `item`s, for documenting a view that paginates by hand."""
    name = item.__name__.removesuffix("Serializer")
    return type(f"Paginated{name}List", (serializers.Serializer,), {
        "count": serializers.IntegerField(help_text="Rows in all pages"),
        "next": serializers.URLField(allow_null=True, help_text="The next page, if any"),
        "previous": serializers.URLField(allow_null=True, help_text="The previous page, if any"),
        "results": item(many=True),
        "__module__": item.__module__,
    })
