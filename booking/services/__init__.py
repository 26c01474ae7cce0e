"""Every write that matters in the Halle Technologique. See docs/booking.md."""

from booking.services.bookings import (
    booking_approve,
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_no_show,
    booking_reject,
    cancellation_deadline,
)
from booking.services.catalogue import (
    closure_create,
    closure_update,
    equipment_create,
    equipment_update,
    opening_hours_create,
    opening_hours_update,
)
from booking.services.credits import lab_credit_grant
from booking.services.feeds import feed_content_seen, feed_token_create, feed_token_revoke
from booking.services.series import booking_series_cancel, booking_series_create

__all__ = [
    "booking_approve",
    "booking_cancel",
    "booking_check_in",
    "booking_create",
    "booking_no_show",
    "booking_reject",
    "booking_series_cancel",
    "booking_series_create",
    "cancellation_deadline",
    "closure_create",
    "closure_update",
    "equipment_create",
    "equipment_update",
    "feed_content_seen",
    "feed_token_create",
    "feed_token_revoke",
    "lab_credit_grant",
    "opening_hours_create",
    "opening_hours_update",
]
