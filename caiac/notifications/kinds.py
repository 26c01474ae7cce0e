"""The kinds of message people can choose to receive by email or not.

Kinds are ``<app>.<event>`` (docs/contracts.md). The apps that send them own their templates; this
list only names them for the preferences form. A kind missing here still works (it is sent, and
the person can still turn it off once it appears among their messages).
"""

from django.utils.translation import gettext_lazy as _

ANNOUNCEMENT = "notifications.announcement"
WELCOME = "notifications.welcome"

KINDS: dict[str, str] = {
    "booking.reminder_24h": _("Booking reminder, the day before"),
    "booking.reminder_1h": _("Booking reminder, the hour before"),
    "booking.pending": _("Booking awaiting approval"),
    "booking.confirmed": _("Booking confirmed"),
    "booking.approved": _("Booking approved"),
    "booking.rejected": _("Booking rejected"),
    "booking.cancelled": _("Booking cancelled"),
    "booking.moved": _("Booking moved to another time"),
    "booking.cancelled_by_lab": _("Booking cancelled by the lab (closure, maintenance, hours)"),
    "trainings.enrolled": _("Enrolment in a training session"),
    "trainings.enrolment_cancelled": _("Enrolment cancelled"),
    "trainings.reminder_24h": _("Training session reminder, the day before"),
    "trainings.reminder_1h": _("Training session reminder, the hour before"),
    "trainings.promoted": _("Moved up from a waiting list"),
    "trainings.session_changed": _("Training session changed"),
    "trainings.session_cancelled": _("Training session cancelled"),
    "trainings.session_assigned": _("Training session you give"),
    "trainings.certification_expiring": _("Certification about to expire"),
    "incubation.milestone_due_soon": _("Milestone coming due"),
    "incubation.application_decision": _("Decision on an application"),
    "incubation.kpi_report_due": _("Quarterly KPI report due"),
    "billing.invoice_issued": _("Invoice issued"),
    "billing.credit_note_issued": _("Credit note issued"),
    "billing.invoice_overdue": _("Invoice overdue"),
    ANNOUNCEMENT: _("Announcements from the cluster staff"),
    WELCOME: _("Welcome message"),
}

KIND_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))
