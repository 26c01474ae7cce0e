"""Programmes, calls for applications with jury scoring, cohorts, incubatees and their follow-up.

Rules live in ``incubation.services``; what the database can hold is declared here.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import Organisation

PERIOD_VALIDATOR = RegexValidator(r"^\d{4}-Q[1-4]$", _("Use a quarter such as 2026-Q3."))


class Stage(models.TextChoices):
    PRE_INCUBATION = "pre_incubation", _("Pre-incubation")
    INCUBATION = "incubation", _("Incubation")
    ACCELERATION = "acceleration", _("Acceleration")
    GRADUATED = "graduated", _("Graduated")
    EXITED = "exited", _("Exited")


LIVE_STAGES = (Stage.PRE_INCUBATION, Stage.INCUBATION, Stage.ACCELERATION)
# Forward order; "exited" is reachable from any live stage, out of this order.
STAGE_ORDER = (Stage.PRE_INCUBATION, Stage.INCUBATION, Stage.ACCELERATION, Stage.GRADUATED)


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class ProgrammeStage(models.Model):
    """What an incubatee of ``programme`` gets while at ``stage``."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    description = models.TextField(_("description"), blank=True)
    lab_hours_per_month = models.DecimalField(
        _("free lab hours per month"), max_digits=6, decimal_places=2, default=0
    )
    trainings_included = models.JSONField(
        _("trainings included"), default=list, blank=True, help_text=_("Course titles.")
    )

    class Meta:
        ordering = ["programme", "id"]
        verbose_name = _("programme stage")
        verbose_name_plural = _("programme stages")
        constraints = [
            models.UniqueConstraint(fields=["programme", "stage"], name="programmestage_unique"),
            models.CheckConstraint(
                condition=Q(lab_hours_per_month__gte=0), name="programmestage_hours_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.get_stage_display()}"


class Cohort(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="cohort_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cohort_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    """A call for applications; open from ``opens_at`` until ``closes_at`` (exclusive)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="calls")
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        help_text=_("The cohort admitted applicants join."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=500)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["call", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class Criterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("maximum score"))

    class Meta:
        ordering = ["call", "position", "id"]
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ADMITTED = "admitted", _("Admitted")
    DECLINED = "declined", _("Declined")


class Application(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="incubation_applications"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    jurors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="JurorAssignment",
        through_fields=("application", "juror"),
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organisation"], name="application_one_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="application_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["admitted", "declined"]) | Q(decided_at__isnull=False),
                name="application_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.call}"


class JurorAssignment(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jury_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("juror assignment")
        verbose_name_plural = _("juror assignments")
        constraints = [
            models.UniqueConstraint(fields=["application", "juror"], name="juror_assigned_once"),
        ]

    def __str__(self) -> str:
        return f"{self.juror} judges {self.application}"


class Evaluation(models.Model):
    """One juror's score of one criterion of one application. Given once, never edited."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="evaluations"
    )
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="evaluations")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "juror", "criterion__position", "criterion_id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "juror", "criterion"], name="evaluation_once_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.juror}: {self.criterion} = {self.score}"


class Incubatee(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="incubatees")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="incubations"
    )
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="incubatee"
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.PRE_INCUBATION
    )
    stage_started_at = models.DateTimeField(_("stage started at"))
    joined_at = models.DateTimeField(_("joined at"))

    class Meta:
        ordering = ["cohort", "organisation__name"]
        verbose_name = _("incubatee")
        verbose_name_plural = _("incubatees")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "organisation"], name="incubatee_once_per_cohort"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="incubatee_stage_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.cohort})"

    @property
    def is_live(self) -> bool:
        return self.stage in LIVE_STAGES


class StageChange(models.Model):
    incubatee = models.ForeignKey(Incubatee, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=16, choices=Stage.choices)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["incubatee", "changed_at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.incubatee}: {self.from_stage or '-'} → {self.to_stage}"


class MilestoneStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


OPEN_MILESTONE_STATUSES = (MilestoneStatus.TODO, MilestoneStatus.IN_PROGRESS)


class Milestone(models.Model):
    incubatee = models.ForeignKey(Incubatee, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("due date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incubation_milestones",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.TODO
    )
    evidence_file = models.FileField(
        _("evidence file"), upload_to="incubation/evidence/%Y/%m/", blank=True
    )
    evidence_link = models.URLField(_("evidence link"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [models.Index(fields=["status", "due_date"], name="milestone_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MilestoneStatus.values), name="milestone_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False)
                | (~Q(status="done") & Q(completed_at__isnull=True)),
                name="milestone_done_has_completion",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MentoringSession(models.Model):
    incubatee = models.ForeignKey(
        Incubatee, on_delete=models.CASCADE, related_name="mentoring_sessions"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentoring_given",
    )
    mentor_name = models.CharField(_("mentor"), max_length=200)
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2)
    topic = models.CharField(_("topic"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentoring_sessions",
        verbose_name=_("R&D project"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="mentoring_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_name}: {self.topic} ({self.date})"


KPI_FIELDS = (
    "revenue_mad",
    "jobs_women",
    "jobs_men",
    "funding_raised_mad",
    "products_launched",
    "certifications",
    "exports",
    "exports_mad",
)


class KpiReport(models.Model):
    """What an incubatee achieved in one quarter (figures for that quarter, not cumulative)."""

    incubatee = models.ForeignKey(Incubatee, on_delete=models.CASCADE, related_name="kpi_reports")
    period = models.CharField(_("period"), max_length=7, validators=[PERIOD_VALIDATOR])
    revenue_mad = models.DecimalField(_("revenue (MAD)"), max_digits=14, decimal_places=2)
    jobs_women = models.PositiveIntegerField(_("jobs created (women)"), default=0)
    jobs_men = models.PositiveIntegerField(_("jobs created (men)"), default=0)
    funding_raised_mad = models.DecimalField(
        _("funding raised (MAD)"), max_digits=14, decimal_places=2, default=0
    )
    products_launched = models.PositiveIntegerField(_("products launched"), default=0)
    certifications = models.JSONField(_("certifications obtained"), default=list, blank=True)
    exports = models.BooleanField(_("exports"), default=False)
    exports_mad = models.DecimalField(
        _("exports (MAD)"), max_digits=14, decimal_places=2, default=0
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["incubatee", "period"]
        verbose_name = _("KPI report")
        verbose_name_plural = _("KPI reports")
        constraints = [
            models.UniqueConstraint(
                fields=["incubatee", "period"], name="kpireport_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(revenue_mad__gte=0)
                & Q(funding_raised_mad__gte=0)
                & Q(exports_mad__gte=0),
                name="kpireport_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incubatee} {self.period}"


class KpiAmendment(models.Model):
    """A staff correction of a KPI report: the values before it, who, when and why."""

    report = models.ForeignKey(KpiReport, on_delete=models.CASCADE, related_name="amendments")
    previous = models.JSONField(_("previous values"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["report", "changed_at", "id"]
        verbose_name = _("KPI amendment")
        verbose_name_plural = _("KPI amendments")

    def __str__(self) -> str:
        return f"{self.report} amended {self.changed_at:%Y-%m-%d}"


class KpiFundingLine(models.Model):
    """One source's share of a KPI report's funding raised (the same sources as R&D projects).
    When a report has lines, its ``funding_raised_mad`` is their sum; older reports keep their
    single total and no lines."""

    report = models.ForeignKey(KpiReport, on_delete=models.CASCADE, related_name="funding_lines")
    source = models.ForeignKey(
        "projects.FundingSource",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("funding source"),
    )
    amount_mad = models.DecimalField(_("amount (MAD)"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["report", "source__name", "id"]
        verbose_name = _("funding raised by source")
        verbose_name_plural = _("funding raised by source")
        constraints = [
            models.UniqueConstraint(fields=["report", "source"], name="kpifunding_once_per_source"),
            models.CheckConstraint(
                condition=Q(amount_mad__gte=0), name="kpifunding_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.source} {self.amount_mad}"
