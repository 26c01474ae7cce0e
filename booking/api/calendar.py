"""The iCalendar feed URL: no login, the secret token is the credential (docs/booking.md).

Calendar apps poll it (every hour or so, for every subscriber): it answers conditional GETs —
``ETag`` (a hash of the bytes) and ``Last-Modified`` (when those bytes last changed), ``304 Not
Modified`` on a matching ``If-None-Match`` or a not-older ``If-Modified-Since`` — and ``HEAD``.
An unknown or revoked token, or a feed whose holder left the organisation it shows, is a 404
with a one-line text body (a calendar app shows that text, not a web page or JSON).
"""

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, renderers
from rest_framework.views import APIView

from booking import ics, selectors, services
from caiac import access
from caiac.errors import NotFound


class ICalendarRenderer(renderers.BaseRenderer):
    """Lets calendar apps ask for ``Accept: text/calendar`` (the view writes the body itself)."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _not_found() -> HttpResponse:
    text = _("This calendar feed does not exist or was revoked.")
    response = HttpResponse(f"{text}\n", status=404, content_type="text/plain; charset=utf-8")
    response.plain_error = True  # kept as text by caiac.middleware: calendar apps show it
    return response


class CalendarFeedView(APIView):
    """A calendar feed (iCalendar) for calendar apps: bookings and training sessions, cancelled
    ones kept 30 days as CANCELLED. No login: the secret token in the URL is the credential
    (`calendar-feeds/` makes one). `ETag` / `Last-Modified` answer conditional GETs with 304;
    HEAD is answered. Unknown or revoked → 404 with a one-line text body."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    renderer_classes = [ICalendarRenderer]

    @extend_schema(
        operation_id="calendar_feed",
        auth=[],
        responses={
            (200, "text/calendar"): OpenApiTypes.STR,
            304: OpenApiResponse(description="Not modified since the ETag / date given"),
            (404, "text/plain"): OpenApiTypes.STR,
        },
    )
    def get(self, request, token: str):
        try:
            feed = selectors.feed_token_get(token)
        except NotFound:
            return _not_found()
        if feed.organisation_id and not access.acts_for(feed.user, feed.organisation_id):
            return _not_found()  # the holder left the organisation: the feed dies with it
        body = ics.feed_calendar(feed)
        etag = ics.feed_etag(body)
        changed_at = services.feed_content_seen(feed=feed, content_hash=etag)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="caiac-lab.ics"'
        response["Cache-Control"] = "private, max-age=300"
        response["ETag"] = f'"{etag}"'
        response["Last-Modified"] = http_date(changed_at.timestamp())
        response["Content-Length"] = str(len(body))
        conditional = get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=int(changed_at.timestamp()),
            response=response,
        )
        if conditional is not response:
            return conditional  # 304, with the same ETag, Last-Modified and Cache-Control
        if request.method == "HEAD":
            response.content = b""
            response["Content-Length"] = str(len(body))
        return response
