"""Pagination of API lists: ``{"count", "next", "previous", "results"}`` everywhere.

``BoundedCountPagination``, for the lists that grow without limit (bookings), keeps that shape
but never counts more than ``count_limit`` rows: a ``COUNT(*)`` of a table of 100,000 bookings
reads all of them on every page, while the page itself reads fifty through an index. Its
``count`` is exact (``"count_exact": true``) when the list holds at most ``count_limit`` rows
or when the page asked for is the last one; otherwise it is a lower bound
(``"count_exact": false``): more than ``count_limit`` rows, and at least one past this page.
``next`` is there whenever one more row exists, whatever the count says, so a client that
follows ``next`` sees every row; ``?page=last`` counts exactly (it costs a full count).
"""

from functools import cached_property, partial

from django.core.paginator import Paginator
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class _CountedPaginator(Paginator):
    """Django's paginator, counting ``counted`` (the same rows in a cheaper query) if given."""

    def __init__(self, object_list, per_page, *, counted=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.counted = object_list if counted is None else counted

    @cached_property
    def count(self) -> int:
        return self.counted.count()


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None, counted=None):
        """``counted``: the same rows as ``queryset`` in a cheaper query to count (without the
        joins and sums a page of them needs), ``queryset`` by default."""
        self.django_paginator_class = partial(_CountedPaginator, counted=counted)
        return super().paginate_queryset(queryset, request, view)


class BoundedCountPagination(PageNumberPagination):
    count_limit = 1000
    display_page_controls = False  # the browsable API's page links need the last page

    def paginate_queryset(self, queryset, request, view=None, counted=None):
        """``counted``: the same rows as ``queryset`` in a cheaper query to count (``queryset``
        by default)."""
        self.request = request
        counted = queryset if counted is None else counted
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        raw = request.query_params.get(self.page_query_param) or 1
        if raw in self.last_page_strings:
            total = counted.count()
            number = max(1, -(-total // page_size))
        else:
            number = self._page_number(raw)
        offset = (number - 1) * page_size
        # One row more than the page: whether a next page exists, without counting.
        rows = list(queryset[offset : offset + page_size + 1])
        if not rows and number > 1:
            raise NotFound(self.invalid_page_message)
        self.number, self.has_next = number, len(rows) > page_size
        rows = rows[:page_size]
        if not self.has_next:
            self.count, self.count_exact = offset + len(rows), True
        else:
            bounded = counted.order_by()[: self.count_limit + 1].count()
            self.count_exact = bounded <= self.count_limit
            self.count = bounded if self.count_exact else max(bounded, offset + page_size + 1)
        return rows

    def _page_number(self, raw) -> int:
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise NotFound(self.invalid_page_message)
        return number

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_exact": self.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        body = super().get_paginated_response_schema(schema)
        properties = body["properties"]
        properties["count"]["description"] = (
            f"The number of rows when `count_exact` is true. Otherwise a lower bound: more "
            f"than {self.count_limit} rows match, and at least one after this page (follow "
            "`next`; `?page=last` counts them all)."
        )
        properties = {
            "count": properties["count"],
            "count_exact": {
                "type": "boolean",
                "description": f"Whether `count` is the exact number: at most "
                f"{self.count_limit} rows, or the last page.",
                "example": True,
            },
            **{k: v for k, v in properties.items() if k != "count"},
        }
        body["properties"] = properties
        body["required"] = [*body.get("required", []), "count_exact"]
        return body
