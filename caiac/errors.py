"""One application error type, mapped once to HTTP.

Services raise ``DomainError`` (or a subclass); the API's exception handler below and the
frontend's form handling show the same ``code`` and translated ``message``.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.handlers.exception import response_for_exception
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_message = _("The request could not be carried out.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class Invalid(DomainError):
    """400: the request breaks a rule (the code says which)."""


class NotAllowed(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "not_allowed"
    default_message = _("You are not allowed to do this.")


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"
    default_message = _("Not found.")


class LockedOut(DomainError):
    """429: too many failed sign-ins from this account or address; ``Retry-After`` says when."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"
    default_message = _("Too many failed sign-in attempts. Try again later.")

    def __init__(self, message: Any = None, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_message = _("This conflicts with the current state.")


class AccessErrorPageMiddleware:
    """Pages: a ``NotFound`` / ``NotAllowed`` a view lets through (e.g. from
    ``caiac.access.get_for_person_or_404``) is the site's 404 / 403 page, like Django's own
    ``Http404`` / ``PermissionDenied``. The API maps them in ``api_exception_handler``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(str(exception)))
        if isinstance(exception, NotAllowed):
            return response_for_exception(request, DjangoPermissionDenied(str(exception)))
        return None


# DRF's own exceptions, by class, to the stable codes clients are written against.
_DRF_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ValidationError, "invalid"),
    (exceptions.ParseError, "parse_error"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


def error_body(code: str, detail: Any, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "detail": str(detail), "fields": fields or {}}


class TooLarge(DomainError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_message = _("The request body is too large.")


def _from_django(exc: Exception) -> DomainError | None:
    """Errors Django and the database raise on bad input, as the client's error (not a 500).

    The services check first, for a good message; these are the last line, for a rule the
    database holds and a serializer forgot to mirror (logged, so it gets mirrored)."""
    if isinstance(exc, RequestDataTooBig):
        return TooLarge()
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Invalid(_("Too many fields in the request."), code="too_many_fields")
    if isinstance(exc, SuspiciousOperation):
        return Invalid(_("The request could not be understood."), code="bad_request")
    if isinstance(exc, IntegrityError):
        logger.warning("IntegrityError reached the API (mirror it in validation): %s", exc)
        if _is_check_violation(exc):
            return Invalid(_("A value breaks a rule of the data."))
        return Conflict(_("This conflicts with data already recorded."))
    if isinstance(exc, DataError):
        logger.warning("DataError reached the API (mirror it in validation): %s", exc)
        return Invalid(_("A value is out of the range the database can hold."))
    return None


def _is_check_violation(exc: IntegrityError) -> bool:
    """CHECK and NOT NULL are bad input (400); UNIQUE, exclusion and foreign keys clash with
    what is stored (409). PostgreSQL says so by SQLSTATE class 23, SQLite only in words."""
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    if sqlstate:
        return sqlstate in ("23514", "23502")  # check_violation, not_null_violation
    message = str(exc).upper()
    return "CHECK CONSTRAINT" in message or "NOT NULL CONSTRAINT" in message


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if request is not None:
        # Errors are JSON whatever format was asked for (usage.csv, report.xlsx, calendar.ics):
        # DRF renders the response with the request's accepted renderer.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    exc = _from_django(exc) or exc
    if isinstance(exc, DomainError):
        return Response(
            error_body(exc.code, exc.message, _plain(exc.fields)),
            status=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django turns it into a logged 500

    code = next((c for klass, c in _DRF_CODES if isinstance(exc, klass)), "error")
    if isinstance(exc, exceptions.ValidationError):
        fields, detail = _validation_fields_and_detail(exc.detail)
        response.data = error_body(code, detail, fields)
    else:
        response.data = error_body(code, _first_message(exc.detail))
    return response


def _validation_fields_and_detail(detail: Any) -> tuple[dict[str, Any], str]:
    if isinstance(detail, dict):
        fields = _plain(detail)
        non_field = fields.pop("non_field_errors", None)
        if non_field:
            return fields, _first_message(non_field)
        return fields, str(_("Some fields are not valid."))
    return {}, _first_message(detail)


def _first_message(detail: Any) -> str:
    if isinstance(detail, list | tuple) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_message(next(iter(detail.values())))
    return str(detail)


def _plain(value: Any) -> Any:
    """ErrorDetail and lazy strings into JSON-ready lists of strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def is_unique_violation(exc: IntegrityError, model: type, constraint_name: str) -> bool:
    """Whether ``exc`` is the violation of that unique constraint of ``model``, and nothing else.

    Code that catches IntegrityError to stay idempotent ("a concurrent run created it") must
    swallow only the clash it expects: a CHECK, NOT NULL, foreign key or other unique violation
    is a bug that has to surface. PostgreSQL names the constraint (SQLSTATE 23505); SQLite only
    lists the columns ("UNIQUE constraint failed: table.a, table.b").
    """
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        diag = getattr(cause, "diag", None)
        return sqlstate == "23505" and getattr(diag, "constraint_name", None) == constraint_name
    message = str(exc)
    if not message.startswith("UNIQUE constraint failed"):
        return False
    if constraint_name in message:
        return True
    constraint = next(c for c in model._meta.constraints if c.name == constraint_name)
    table = model._meta.db_table
    columns = [f"{table}.{model._meta.get_field(name).column}" for name in constraint.fields]
    return message.split(":", 1)[1].strip() == ", ".join(columns)
