"""Shared pieces of the OpenAPI description: the one error body, and the lockout answer."""

from drf_spectacular.utils import OpenApiResponse

from caiac.schema import ErrorSerializer  # the one error body (component "Error")

LOCKED_OUT_RESPONSE = OpenApiResponse(
    response=ErrorSerializer,
    description=(
        'Locked out: `{"code": "locked_out", ...}` after too many failed sign-ins from this '
        "account or this client address, whatever the password; the `Retry-After` header gives "
        'the seconds until the lock lifts. `{"code": "throttled"}` (also 429): too many requests '
        "in a short time."
    ),
)

ERROR_RESPONSES = {
    400: OpenApiResponse(response=ErrorSerializer, description="Invalid input."),
}
