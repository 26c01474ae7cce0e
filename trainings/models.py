from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import Language

TRANSLATABLE_FIELDS = ("title", "description")


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class Course(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_('Per language: {"fr": {"title": "...", "description": "..."}, "ar": {...}}'),
    )
    duration_hours = models.DecimalField(
        _("duration (hours)"), max_digits=5, decimal_places=1, default=0
    )
    level = models.CharField(
        _("level"), max_length=16, choices=Level.choices, default=Level.BEGINNER
    )
    price = models.DecimalField(_("price (MAD)"), max_digits=9, decimal_places=2, default=0)
    prerequisite = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_courses",
        verbose_name=_("prerequisite"),
        help_text=_("A course one must have passed first."),
    )
    validity_months = models.PositiveIntegerField(
        _("certification valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the certification never expires."),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="course_price_not_negative"),
            models.CheckConstraint(
                condition=Q(duration_hours__gte=0), name="course_duration_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(prerequisite=F("pk")), name="course_not_its_own_prerequisite"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def translated(self, field: str, language: str | None = None) -> str:
        """``field`` in ``language`` (default: the active one), falling back to the source text."""
        language = (language or translation.get_language() or "").split("-")[0]
        value = (self.translations or {}).get(language, {}).get(field)
        return value or getattr(self, field)

    @property
    def local_title(self) -> str:
        return self.translated("title")

    @property
    def local_description(self) -> str:
        return self.translated("description")

    @property
    def is_free(self) -> bool:
        return self.price == 0


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


class Session(models.Model):
    """One run of a course: a trainer, a place, a time and a number of seats."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_sessions"
    )
    place = models.CharField(_("place"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    capacity = models.PositiveIntegerField(_("capacity"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    enrolment_deadline = models.DateTimeField(
        _("enrolment deadline"), null=True, blank=True, help_text=_("Empty: until the start.")
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("R&D project"),
    )
    # iCalendar SEQUENCE: one more at every change of time, place, trainer, machine or status.
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["trainer", "start"]), models.Index(fields=["start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(enrolment_deadline__isnull=True)
                | Q(enrolment_deadline__lte=F("start")),
                name="session_deadline_before_start",
            ),
        ]
        # On PostgreSQL, migration 0003 adds the exclusion constraint
        # ``session_trainer_no_overlap`` (btree_gist): one trainer, no two live sessions at once.

    def __str__(self) -> str:
        return f"{self.course} — {self.start:%Y-%m-%d %H:%M}"

    @property
    def closes_at(self):
        return self.enrolment_deadline or self.start

    def revise(self) -> None:
        """Count one more revision (time, place, trainer, machine, status) before saving."""
        self.sequence += 1


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Enrolment(models.Model):
    """A person's seat (or place in the queue) in a session, and whether they came."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(_("status"), max_length=16, choices=EnrolmentStatus.choices)
    # The waiting list is ordered by when one joined it (then id): a position is derived, never
    # stored, so cancellations leave no gaps to repair.
    queued_at = models.DateTimeField(_("queued at"))
    present = models.BooleanField(_("present"), null=True, blank=True)
    # One more at every change of status: a person's calendar event for the session carries
    # SEQUENCE = session.sequence + enrolment.sequence, which grows with either.
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["queued_at", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        indexes = [models.Index(fields=["session", "status", "queued_at"])]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="enrolment_once_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.session} ({self.status})"


class Certification(models.Model):
    """A person may use the machines a course certifies, from ``issued_at`` until expiry."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certifications"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certifications")
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certifications",
        help_text=_("The session whose attendance issued it; empty when granted by hand."),
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        indexes = [models.Index(fields=["user", "course"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("issued_at")),
                name="certification_expires_after_issue",
            ),
            # Re-marking attendance can never issue a second certification for one session.
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(session__isnull=False),
                name="certification_once_per_session_attendee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.course}"


class CertificationEventKind(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REVOKED = "revoked", _("Revoked")


class CertificationEvent(models.Model):
    """The history of a certification: who granted or revoked it, when and why. Never edited."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CertificationEventKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("certification event")
        verbose_name_plural = _("certification events")

    def __str__(self) -> str:
        return f"{self.certification}: {self.kind} at {self.at:%Y-%m-%d}"
