"""Page-number pagination whose page size a client may choose (?page_size=), up to a cap.

The default size is REST_FRAMEWORK["PAGE_SIZE"]; a larger request is served at MAX_PAGE_SIZE rows,
so no client can make one request read a whole table. A page past the end is a 404 problem.
"""

from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 200


class CappedPageNumberPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
