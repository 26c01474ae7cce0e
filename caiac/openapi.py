"""Shared pieces of the OpenAPI description: the one error body, the lockout answer, and
the download of a stored document."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from caiac.files import DOCUMENT_TYPES
from caiac.schema import ErrorSerializer  # the one error body (component "Error")

# files.attachment() sends a stored document under its own type (application/pdf, image/png,
# ...), octet-stream only for a name without a known extension: each documented as bytes.
DOCUMENT_DOWNLOAD = {
    (200, media_type): OpenApiTypes.BINARY
    for media_type in [*DOCUMENT_TYPES.values(), "application/octet-stream"]
}

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
