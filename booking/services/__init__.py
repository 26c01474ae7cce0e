"""Every write that matters in the Halle Technologique. See docs/booking.md."""

from booking.services.bookings import (
    booking_approve,
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_move,
    booking_no_show,
    booking_quote,
    booking_reject,
    cancellation_deadline,
)
from booking.services.catalogue import (
    check_equipment,
    closure_create,
    closure_delete,
    closure_update,
    equipment_create,
    equipment_update,
    opening_hours_create,
    opening_hours_delete,
    opening_hours_update,
)
from booking.services.credits import lab_credit_grant
from booking.services.disruptions import CatalogueChange, Cause, cancel_hit_bookings
from booking.services.feeds import feed_token_create, feed_token_revoke
from booking.services.series import booking_series_cancel, booking_series_create

__all__ = [
    "CatalogueChange",
    "Cause",
    "booking_approve",
    "booking_cancel",
    "booking_check_in",
    "booking_create",
    "booking_move",
    "booking_no_show",
    "booking_quote",
    "booking_reject",
    "booking_series_cancel",
    "booking_series_create",
    "cancel_hit_bookings",
    "cancellation_deadline",
    "check_equipment",
    "closure_create",
    "closure_delete",
    "closure_update",
    "equipment_create",
    "equipment_update",
    "feed_token_create",
    "feed_token_revoke",
    "lab_credit_grant",
    "opening_hours_create",
    "opening_hours_delete",
    "opening_hours_update",
]
