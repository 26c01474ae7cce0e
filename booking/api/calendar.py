from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, renderers
from rest_framework.views import APIView

from booking import ics, selectors
from caiac import access
from caiac.errors import NotFound


class ICalendarRenderer(renderers.BaseRenderer):
    """Lets calendar apps ask for ``Accept: text/calendar`` (the view writes the body itself)."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CalendarFeedView(APIView):
    """A calendar feed (iCalendar) for calendar apps. No login: the secret token in the URL is
    the credential (`calendar-feeds/` makes one). Unknown or revoked → 404."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    renderer_classes = [ICalendarRenderer]  # errors are JSON all the same (caiac.errors)

    @extend_schema(
        operation_id="calendar_feed",
        auth=[],
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request, token: str):
        feed = selectors.feed_token_get(token)
        if feed.organisation_id and not access.acts_for(feed.user, feed.organisation_id):
            raise NotFound()  # the holder left the organisation: the feed dies with the membership
        body = ics.feed_calendar(feed, ics.feed_bookings(feed))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="caiac-lab.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response
