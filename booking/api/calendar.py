from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from booking import ics, selectors
from caiac import access
from caiac.errors import NotFound


@require_GET
def calendar_feed(request, token: str):
    """No login: the secret token is the credential. Unknown or revoked → 404."""
    try:
        feed = selectors.feed_token_get(token)
    except NotFound:
        raise Http404 from None
    if feed.organisation_id and not access.acts_for(feed.user, feed.organisation_id):
        raise Http404  # the holder left the organisation: the feed dies with the membership
    body = ics.feed_calendar(feed, ics.feed_bookings(feed))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="caiac-lab.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
