"""The OpenAPI schema tells the truth about errors (DEFAULT_SCHEMA_CLASS).

Every operation documents the error statuses it can answer, each with the one error body
(component ``Error``): 400 (any request can be malformed), 404 (unknown ids, in the path or in
the body, and pages past the end), 401 and 403 where a signed-in user is needed, 409, 413 and
415 on writes, 429 where a throttle applies. A view states only its successes (and, if it likes,
a better description of an error); this class adds the rest, so a new app gets it for free.

An operation refused to anyone but cluster staff before its input is read (caiac.permissions)
carries ``x-staff-only: true``: clients know it, and the member's fuzz run (.ci/fuzz-api) skips
what would only ever answer 403 (tests/test_permissions_table.py proves that 403).
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import permissions, serializers

from caiac.permissions import IsClusterStaff, IsClusterStaffOrReadOnly
from caiac.throttling import WriteRateThrottle

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

DESCRIPTIONS = {
    "400": "Invalid request: `code` says which rule, `fields` which field.",
    "401": "Not signed in (no or a bad token).",
    "403": "Signed in but not allowed (`code` says why).",
    "404": "Not found, or not yours.",
    "409": "Conflicts with the current state (`code` says which).",
    "413": "The request body is too large.",
    "415": "The request body is not in a format this endpoint takes.",
    "429": "Too many requests: wait for `Retry-After` seconds.",
}


class ErrorSerializer(serializers.Serializer):
    """Every error of the API: a stable code, a sentence in the request's language, and the
    messages of each invalid field (lists of sentences, nested like the request body)."""

    code = serializers.CharField(help_text="stable, e.g. slot_unavailable, invalid, not_found")
    detail = serializers.CharField(help_text="a human sentence in the request's language")
    fields = serializers.DictField(
        help_text="per field: its messages", child=serializers.JSONField()
    )

    class Meta:
        ref_name = "Error"


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and self._staff_only():
            operation["x-staff-only"] = True
        return operation

    def _staff_only(self) -> bool:
        for permission in self.view.get_permissions():
            if isinstance(permission, IsClusterStaffOrReadOnly):
                if self.method in WRITE_METHODS:
                    return True
            elif isinstance(permission, IsClusterStaff):
                return True
        return False

    def _get_paginator(self):
        # A POST taking or returning a list (attendance, scores, drafts) is not paginated.
        return super()._get_paginator() if self.method == "GET" else None

    def map_parsers(self):
        # One documented body type per operation (generated clients break on several): an
        # endpoint that takes a file documents multipart; JSON is still read there too.
        media_types = super().map_parsers()
        return ["multipart/form-data"] if "multipart/form-data" in media_types else media_types

    def get_filter_backends(self):
        # Filters, search and ordering apply to a viewset's list, not to its actions.
        if getattr(self.view, "action", "list") != "list":
            return []
        return super().get_filter_backends()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        error = {
            "application/json": {"schema": self.resolve_serializer(ErrorSerializer, direction).ref}
        }
        # The statuses this class knows, and any other 4xx a view declares (with only a
        # description): each gets the error body.
        declared = [c for c in responses if str(c).startswith("4") and str(c) in DESCRIPTIONS]
        for code in sorted({*self._error_codes(), *declared}):
            existing = responses.get(code, {})
            if "content" not in existing:
                responses[code] = {
                    **existing,
                    "description": existing.get("description") or DESCRIPTIONS[code],
                    "content": error,
                }
        return dict(sorted(responses.items()))

    def _error_codes(self) -> list[str]:
        codes = ["400", "404"]
        if self._needs_sign_in():
            codes += ["401", "403"]
        if self.method in WRITE_METHODS:
            codes += ["409", "413", "415"]
        if self._throttled():
            codes.append("429")
        return codes

    def _needs_sign_in(self) -> bool:
        # A bad token is a 401 even where no sign-in is needed, and a cookie without its CSRF
        # token a 403: any view that authenticates can answer both.
        if self.view.get_authenticators():
            return True
        return not all(
            isinstance(permission, permissions.AllowAny)
            for permission in self.view.get_permissions()
        )

    def _throttled(self) -> bool:
        for throttle in self.view.get_throttles():
            if not isinstance(throttle, WriteRateThrottle) or self.method in WRITE_METHODS:
                return True
        return False
