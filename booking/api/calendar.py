"""The iCalendar feed URL: no login, the secret token is the credential (docs/booking.md).

Calendar apps poll it (every hour or so, for every subscriber): it answers conditional GETs —
``ETag`` (a hash of the bytes) and ``Last-Modified`` (when those bytes last changed), ``304 Not
Modified`` on a matching ``If-None-Match`` or a not-older ``If-Modified-Since`` — and ``HEAD``.
An unknown or revoked token, or a feed whose holder left the organisation it shows, is a 404
with a one-line text body (a calendar app shows that text, not a web page).
"""

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from booking import ics, selectors, services
from caiac import access
from caiac.errors import NotFound


def _not_found() -> HttpResponse:
    text = _("This calendar feed does not exist or was revoked.")
    return HttpResponse(f"{text}\n", status=404, content_type="text/plain; charset=utf-8")


@require_safe
def calendar_feed(request, token: str):
    try:
        feed = selectors.feed_token_get(token)
    except NotFound:
        return _not_found()
    if feed.organisation_id and not access.acts_for(feed.user, feed.organisation_id):
        return _not_found()  # the holder left the organisation: the feed dies with the membership
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
        request, etag=response["ETag"], last_modified=int(changed_at.timestamp()), response=response
    )
    if conditional is not response:
        return conditional  # 304, with the same ETag, Last-Modified and Cache-Control
    if request.method == "HEAD":
        response.content = b""
        response["Content-Length"] = str(len(body))
    return response
