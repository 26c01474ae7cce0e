"""A database that drops out for a moment is a clean, retryable 503, never a 500.

When PostgreSQL restarts (or a connection is cut), the requests in flight fail with
``OperationalError`` / ``InterfaceError``. Their transactions were rolled back by the server, so
nothing is half-written; the right answer is "try again in a few seconds": under ``/api/`` a JSON
body in the usual error shape (``{"code": "service_unavailable", ...}``) and, for pages, a short
page; both with ``Retry-After``. Django closes the broken connection at the end of the request
(``CONN_HEALTH_CHECKS`` checks a reused one before its first query), so the next request connects
afresh without a restart.

Errors raised in views reach ``process_exception``. Those raised in a middleware (the session or
the signed-in user loaded from the database) never reach it — Django turns them into a 500
response on the spot — so ``got_request_exception`` marks the request and ``__call__``, outermost
in ``MIDDLEWARE``, swaps that 500 for the 503.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from caiac.errors import error_body

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
_MARK = "_caiac_database_unavailable"


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exc = getattr(request, _MARK, None)
        if exc is not None and response.status_code == 500:
            return unavailable_response(request, exc)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return unavailable_response(request, exception)
        return None


def note_database_error(sender, request: HttpRequest | None = None, **kwargs) -> None:
    """``got_request_exception`` receiver: remember that the 500 being built is a lost database."""
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, DATABASE_UNAVAILABLE):
        setattr(request, _MARK, exc)


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.error("database unavailable on %s %s: %s", request.method, request.path, exc)
    detail = _("The service is briefly unavailable. Please try again in a few seconds.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body("service_unavailable", detail), status=503)
    else:
        response = HttpResponse(_page(detail), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _page(detail: str) -> str:
    # Rendered without the request: its context processors would read the session and the
    # signed-in user, i.e. the database that just failed. The template must not query it either.
    try:
        return render_to_string("503.html", {"detail": detail, "retry_after": RETRY_AFTER_SECONDS})
    except Exception:  # a page about an outage must not fail in turn
        logger.exception("the 503 page could not be rendered")
        return f"<!doctype html><title>503</title><p>{detail}</p>"
