"""Brute-force lockout (django-axes, counted in the database): when it ends, and what it answers.

Failed sign-ins are counted per account and per client address (``caiac.client_ip``), each on its
own: ``AXES_FAILURE_LIMIT`` failures within ``AXES_COOLOFF_TIME`` lock that account, or that
address, until the cool-off has passed since the failures that made the count. While locked, even
the right password is refused. Staff unlock in the back office (Axes, Access attempts: delete).
"""

import datetime
import hashlib
import math
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from caiac.client_ip import client_ip
from caiac.errors import LockedOut, error_body

LOCKED_OUT_CODE = "locked_out"


def locked_message() -> str:
    return _(
        "Too many failed sign-in attempts: this account or this connection is locked for a "
        "while. Try again later, or reset your password."
    )


def lock_ends_at(
    *, ip_address: str | None, username: str | None = None
) -> datetime.datetime | None:
    """When the lock on this address or account lifts; None if neither is locked."""
    cool_off = get_cool_off()
    if cool_off is None:
        return None
    now = timezone.now()
    ends: list[datetime.datetime] = []
    for field, value in (("ip_address", ip_address), ("username", username)):
        if not value:
            continue
        rows = list(
            AccessAttempt.objects.filter(**{field: value}, attempt_time__gte=now - cool_off)
            .order_by("attempt_time")
            .values_list("attempt_time", "failures_since_start")
        )
        remaining = sum(failures for _time, failures in rows)
        # A row lifts cool_off after its (last) failure; the lock lasts until enough have lifted.
        for attempt_time, failures in rows:
            if remaining < settings.AXES_FAILURE_LIMIT:
                break
            remaining -= failures
            if remaining < settings.AXES_FAILURE_LIMIT:
                ends.append(attempt_time + cool_off)
    return max(ends) if ends else None


def retry_after_seconds(request: HttpRequest, username: str | None = None) -> int:
    ends = lock_ends_at(ip_address=client_ip(request), username=username)
    if ends is None:
        cool_off = get_cool_off() or datetime.timedelta(0)
        return max(1, math.ceil(cool_off.total_seconds()))
    return max(1, math.ceil((ends - timezone.now()).total_seconds()))


def guard_address(request: Any, *, email: str = "") -> None:
    """For paths that name no account to sign in to (password reset, joining the cluster):
    refuse a locked-out client address (``LockedOut``, 429), and count the request once against
    the address's request rate (the ``auth`` throttle, ``Throttled``, 429) and, when the request
    names an email address, once against that address's rate too (the same ``auth`` rate), so
    that rotating client addresses cannot flood one mailbox either."""
    http_request = getattr(request, "_request", request)
    ends = lock_ends_at(ip_address=client_ip(http_request))
    if ends is not None:
        seconds = max(1, math.ceil((ends - timezone.now()).total_seconds()))
        raise LockedOut(locked_message(), retry_after=seconds)
    throttles: list[SimpleRateThrottle] = [ScopedRateThrottle()]
    if email.strip():
        throttles.append(_EmailRateThrottle(email))
    for throttle in throttles:
        if not throttle.allow_request(http_request, _AuthScope()):
            raise exceptions.Throttled(wait=throttle.wait())


class _AuthScope:
    throttle_scope = "auth"


class _EmailRateThrottle(SimpleRateThrottle):
    """The ``auth`` rate, counted per email address (case-insensitive; stored as a digest)."""

    scope = "auth"

    def __init__(self, email: str) -> None:
        super().__init__()
        self.digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]

    def get_cache_key(self, request: Any, view: Any) -> str:
        return f"throttle_auth_email_{self.digest}"


def account_unlock(*, username: str) -> int:
    """Lift the lock on an account (not on any address): its owner has just proved they hold
    the mailbox by resetting the password."""
    return AxesProxyHandler.reset_attempts(username=username)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """What a locked-out sign-in gets: 429 and Retry-After, as JSON on the API, else a page."""
    username = (credentials or {}).get("username")
    seconds = retry_after_seconds(request, username)
    if request.path.startswith("/api/"):
        body = error_body(LOCKED_OUT_CODE, locked_message(), {})
        response: HttpResponse = JsonResponse(body, status=429)
    else:
        response = render(
            request,
            "frontend/accounts/locked_out.html",
            {"minutes": max(1, math.ceil(seconds / 60)), "message": locked_message()},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response
