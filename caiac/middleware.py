"""Every response under ``/api/`` that is an error is JSON in the one error shape.

DRF's exception handler (``caiac.errors``) covers the API views. What happens before or around
them — an unknown URL, a body over the size limit, a plain Django view's 405, an unexpected
exception (a logged 500) — would otherwise be one of Django's HTML pages; this middleware turns
those into ``{"code", "detail", "fields"}`` in the request's language. In production a 500 says
nothing about its cause; with ``DEBUG`` the exception's class and message are in ``detail``.
"""

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import JsonResponse
from django.utils.translation import gettext as _

from caiac.errors import error_body

API_PREFIX = "/api/"
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After", "Vary")


def _status_texts() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("not_authenticated", _("Authentication credentials were not provided.")),
        403: ("permission_denied", _("You are not allowed to do this.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        406: ("not_acceptable", _("This format cannot be served.")),
        413: ("too_large", _("The request body is too large.")),
        415: ("unsupported_media_type", _("Send the request body as JSON.")),
        429: ("throttled", _("Too many requests: try again later.")),
        500: ("server_error", _("Something went wrong on our side; it has been logged.")),
    }


def api_error_response(status: int, detail: str | None = None) -> JsonResponse:
    code, default = _status_texts().get(status, ("error", _("The request failed.")))
    return JsonResponse(error_body(code, detail or default), status=status)


def _defaults():
    from django.views import defaults

    return defaults


def handler400(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return api_error_response(400)
    return _defaults().bad_request(request, exception)


def handler403(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return api_error_response(403)
    return _defaults().permission_denied(request, exception)


def handler404(request, exception=None):
    # JSON straight away under /api/: no page template (nor static file) can fail on the way.
    if request.path.startswith(API_PREFIX):
        return api_error_response(404)
    return _defaults().page_not_found(request, exception)


def handler500(request):
    if request.path.startswith(API_PREFIX):
        return api_error_response(500)
    return _defaults().server_error(request)


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        refused = self._refuse_early(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code < 400 or _is_json(response):
            return response
        detail = None
        if response.status_code >= 500 and settings.DEBUG:
            exc = getattr(request, "_api_exception", None)
            detail = f"{type(exc).__name__}: {exc}" if exc is not None else None
        converted = api_error_response(response.status_code, detail)
        for header in _KEPT_HEADERS:
            if header in response:
                converted[header] = response[header]
        return converted

    def process_exception(self, request, exception):
        # Only noted: Django still logs it and answers 500, which __call__ then rewrites.
        request._api_exception = exception
        return None

    def _refuse_early(self, request):
        # NUL cannot be stored in PostgreSQL text: refused here once, for every path and filter.
        try:
            query = list(request.GET.lists())
        except TooManyFieldsSent:
            return JsonResponse(
                error_body("too_many_fields", _("Too many fields in the request.")), status=400
            )
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in query
        ):
            return api_error_response(400, _("The address contains a NUL character."))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return api_error_response(400)
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.API_MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return api_error_response(413)
        return None


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")
