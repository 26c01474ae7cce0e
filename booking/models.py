"""The Halle Technologique: machines, their opening hours and closures, bookings, credits.

Invariants the database can hold live here. The one that matters most — two live bookings of
one machine never overlap, buffer included — is a PostgreSQL exclusion constraint created in
migration 0002 (``booking_no_overlap``); SQLite has no such constraint, so there the service
serialises check-and-insert in one IMMEDIATE write transaction.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import Organisation


class Category(models.TextChoices):
    PROTOTYPING = "prototyping", _("Prototyping")
    TRANSFORMATION = "transformation", _("Transformation")
    PACKAGING = "packaging", _("Conditioning / packaging")


class Line(models.TextChoices):
    FOOD = "food", _("Food")
    COSMETICS = "cosmetics", _("Cosmetics")
    BOTH = "both", _("Food and cosmetics")


class EquipmentStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    MAINTENANCE = "maintenance", _("In maintenance")
    RETIRED = "retired", _("Retired")


class Equipment(models.Model):
    """One physical machine and the rules for booking it."""

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    line = models.CharField(_("line"), max_length=12, choices=Line.choices, default=Line.BOTH)
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EquipmentStatus.choices,
        default=EquipmentStatus.AVAILABLE,
    )
    slot_minutes = models.PositiveIntegerField(_("slot step (minutes)"), default=30)
    min_duration_minutes = models.PositiveIntegerField(_("minimum duration (minutes)"), default=30)
    max_duration_minutes = models.PositiveIntegerField(_("maximum duration (minutes)"), default=480)
    buffer_minutes = models.PositiveIntegerField(
        _("buffer after each use (minutes)"),
        default=0,
        help_text=_("Cleaning or cooling time blocked after each booking."),
    )
    lead_time_minutes = models.PositiveIntegerField(
        _("lead time (minutes)"),
        default=0,
        help_text=_("How long before the start a booking must be made."),
    )
    horizon_days = models.PositiveIntegerField(
        _("booking horizon (days)"), default=90, help_text=_("How far ahead one may book.")
    )
    requires_approval = models.BooleanField(_("staff approval required"), default=False)
    required_course = models.ForeignKey(
        "trainings.Course",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certified_equipment",
        verbose_name=_("certifying course"),
    )
    hourly_rate_member = models.DecimalField(
        _("hourly rate for cluster members (MAD)"), max_digits=9, decimal_places=2, default=0
    )
    hourly_rate_non_member = models.DecimalField(
        _("hourly rate for others (MAD)"), max_digits=9, decimal_places=2, default=0
    )
    cancellation_deadline_hours = models.PositiveIntegerField(
        _("cancellation deadline (hours before start)"), default=24
    )
    # Billing's policy for this machine (docs/billing.md): shares of the booking's price.
    no_show_fee_percent = models.PositiveSmallIntegerField(
        _("no-show fee, percentage of the price"), default=100
    )
    late_cancellation_fee_percent = models.PositiveSmallIntegerField(
        _("late cancellation fee, percentage of the price"), default=50
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("machine")
        verbose_name_plural = _("machines")
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="equipment_slot_positive"),
            models.CheckConstraint(
                condition=Q(max_duration_minutes__gte=F("min_duration_minutes")),
                name="equipment_duration_bounds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate_member__gte=0) & Q(hourly_rate_non_member__gte=0),
                name="equipment_rates_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(no_show_fee_percent__lte=100)
                & Q(late_cancellation_fee_percent__lte=100),
                name="equipment_fee_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """A weekly wall-clock rule (Africa/Casablanca), e.g. Monday 08:30-17:30.

    Without ``equipment`` it is the lab's; a machine with rules of its own uses only those.
    Rules with validity dates (a Ramadan timetable) replace the undated set on those dates.
    """

    equipment = models.ForeignKey(
        Equipment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="opening_hours",
        verbose_name=_("machine (empty: whole lab)"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until (inclusive)"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=100, blank=True)

    class Meta:
        ordering = ["equipment_id", "valid_from", "weekday", "opens_at"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="openinghours_closes_after_opening"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="openinghours_weekday_range"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="openinghours_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"

    @property
    def is_dated(self) -> bool:
        return self.valid_from is not None or self.valid_until is not None


class Closure(models.Model):
    """The lab (no machine) or one machine is shut for [start, end): a holiday, maintenance."""

    equipment = models.ForeignKey(
        Equipment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("machine (empty: whole lab)"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["start"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        indexes = [models.Index(fields=["equipment", "end"], name="closure_equipment_end")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="closure_end_after_start")
        ]

    def __str__(self) -> str:
        return self.reason


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


LIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)
# Bookings whose hours count as booked (and whose credit hours stay spent).
COUNTED_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)


class BookingSeries(models.Model):
    """A weekly recurrence: the same wall-clock slot every week until ``weekly_until``."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="series")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="booking_series"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booking_series"
    )
    start = models.DateTimeField(_("first start"))
    end = models.DateTimeField(_("first end"))
    weekly_until = models.DateField(_("every week until"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")

    def __str__(self) -> str:
        return f"{self.equipment} weekly until {self.weekly_until}"


class BookingKind(models.TextChoices):
    MEMBER = "member", _("Booking")
    TRAINING = "training", _("Training")


class Booking(models.Model):
    """A machine taken for [start, end), plus its buffer until ``blocked_until``.

    Most rows are members' bookings (kind ``member``: an organisation books). A row of kind
    ``training`` is the machine held by a training session (``session``, no organisation): it
    lives in this table so that the one exclusion constraint keeps bookings and trainings apart
    (docs/contracts.md, "training sessions hold their machine"). Booking's services keep it in
    step with the session; lists, prices, credits and feeds only ever deal with member rows.
    """

    kind = models.CharField(
        _("kind"), max_length=10, choices=BookingKind.choices, default=BookingKind.MEMBER
    )
    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="bookings")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="bookings",
        null=True,
        blank=True,
    )
    session = models.OneToOneField(
        "trainings.Session",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="machine_hold",
        verbose_name=_("training session"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    series = models.ForeignKey(
        BookingSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    # end + the machine's buffer, stored so the exclusion constraint can use it.
    blocked_until = models.DateTimeField(_("blocked until"))
    status = models.CharField(
        _("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    price = models.DecimalField(_("price (MAD)"), max_digits=10, decimal_places=2, default=0)
    hourly_rate = models.DecimalField(
        _("hourly rate applied (MAD)"), max_digits=9, decimal_places=2, default=0
    )
    member_rate = models.BooleanField(_("member rate applied"), default=False)
    credit_hours = models.DecimalField(
        _("free lab hours used"), max_digits=7, decimal_places=2, default=0
    )
    notes = models.TextField(_("notes"), blank=True)
    # The R&D project this lab use is for (one the organisation takes part in: the service
    # checks); its page sums the hours and prices of its bookings.
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("R&D project"),
    )
    status_reason = models.CharField(_("reason of the last change"), max_length=500, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    # iCalendar SEQUENCE (RFC 5545 §3.8.7.4): one more at every change of time or status, so a
    # calendar app applies an update or a cancellation instead of ignoring it as stale.
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            # availability: the live bookings of one machine still blocking after a moment
            models.Index(
                fields=["equipment", "blocked_until"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="booking_live_equipment_until",
            ),
            # lists: newest first, for one organisation or for everyone (staff), stable by id
            models.Index(fields=["organisation", "start", "id"], name="booking_org_start_id"),
            models.Index(fields=["start", "id"], name="booking_start_id"),
            # approval queue and status filters
            models.Index(fields=["status", "start"], name="booking_status_start"),
            # usage per machine over a period
            models.Index(fields=["equipment", "start"], name="booking_equipment_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=F("end")), name="booking_blocked_after_end"
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0) & Q(credit_hours__gte=0), name="booking_money_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind="member", organisation__isnull=False, session__isnull=True)
                | Q(kind="training", organisation__isnull=True, session__isnull=False),
                name="booking_kind_matches_owner",
            ),
            models.CheckConstraint(
                condition=Q(project__isnull=True) | Q(kind="member"),
                name="booking_project_only_for_members",
            ),
        ]

    def __str__(self) -> str:
        owner = self.organisation if self.kind == BookingKind.MEMBER else _("Training")
        return f"{self.equipment} {self.start:%Y-%m-%d %H:%M} ({owner})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def is_training(self) -> bool:
        return self.kind == BookingKind.TRAINING

    def revise(self) -> None:
        """Count one more revision (a change of time or status) before saving; see sequence."""
        self.sequence += 1


class BookingEvent(models.Model):
    """Every change of a booking: who, when, from which status to which, and why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=12, choices=BookingStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=BookingStatus.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # Set when the lab itself cancelled the booking (a closure, maintenance...): billing charges
    # no late-cancellation fee for those (docs/billing.md).
    cause = models.CharField(_("cancelled by the lab because of"), max_length=16, blank=True)
    # A move: where the booking was before (its new times are the booking's own).
    moved_from_start = models.DateTimeField(_("moved from (start)"), null=True, blank=True)
    moved_from_end = models.DateTimeField(_("moved from (end)"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class LabCredit(models.Model):
    """Free lab hours an organisation may spend on bookings during a period.

    Booking owns credits; other apps (incubation) grant them through ``booking.services``
    and name themselves in ``source`` / ``source_ref``.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="lab_credits"
    )
    period_start = models.DateField(_("valid from"))
    period_end = models.DateField(_("valid until (inclusive)"))
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    source = models.CharField(_("source"), max_length=200)
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period_start"]
        verbose_name = _("lab-hour credit")
        verbose_name_plural = _("lab-hour credits")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="labcredit_hours_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="labcredit_period_ordered"
            ),
            models.UniqueConstraint(
                fields=["organisation", "source_ref", "period_start"],
                condition=~Q(source_ref=""),
                name="labcredit_unique_per_source_and_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.hours} h ({self.period_start} to {self.period_end})"


class LabCreditUse(models.Model):
    """Hours of one credit spent by one booking (a booking may draw on several credits)."""

    credit = models.ForeignKey(LabCredit, on_delete=models.CASCADE, related_name="uses")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="credit_uses")
    hours = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("lab-hour credit use")
        verbose_name_plural = _("lab-hour credit uses")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="labcredituse_hours_positive"),
            models.UniqueConstraint(fields=["credit", "booking"], name="labcredituse_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h of {self.credit}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedKind(models.TextChoices):
    USER = "user", _("My bookings")
    ORGANISATION = "organisation", _("An organisation's bookings")
    EQUIPMENT = "equipment", _("A machine's bookings")


class FeedToken(models.Model):
    """The secret in an iCalendar feed URL; whoever holds it reads the feed. Revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_feed_tokens"
    )
    kind = models.CharField(_("feed"), max_length=16, choices=FeedKind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    equipment = models.ForeignKey(
        Equipment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What the feed last served (a hash of its bytes) and since when: the ETag and the
    # Last-Modified of conditional GETs (docs/booking.md, "calendar feeds").
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    content_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="user", organisation__isnull=True, equipment__isnull=True)
                    | Q(kind="organisation", organisation__isnull=False, equipment__isnull=True)
                    | Q(kind="equipment", organisation__isnull=True, equipment__isnull=False)
                ),
                name="feedtoken_target_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.user})"
