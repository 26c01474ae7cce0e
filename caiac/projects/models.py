"""Collaborative R&D projects: partners, status history, funding by source and year,
deliverables and documents.

A cross-cutting app beside accounts (DESIGN.md): bookings, training sessions and mentoring
sessions name a project, and incubation's KPI reports split their funding by the same sources,
so this app imports nothing but accounts. Rules live in ``caiac.projects.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import Organisation, Sector

MIN_YEAR = 2000
MAX_YEAR = 2100


class FundingSourceKind(models.TextChoices):
    STATE = "state", _("State programme")
    REGION = "region", _("Region")
    INTERNATIONAL = "international", _("International cooperation")
    PRIVATE = "private", _("Private investors")
    BANK = "bank", _("Banks")
    OWN_FUNDS = "own_funds", _("Own funds")
    OTHER = "other", _("Other")


class FundingSource(models.Model):
    """Where money comes from (a programme, a funder); a list cluster staff keep."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=FundingSourceKind.choices)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive sources stay on past figures only.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FundingSourceKind.values), name="fundingsource_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    SUBMITTED = "submitted", _("Submitted")
    FUNDED = "funded", _("Funded")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    ABANDONED = "abandoned", _("Abandoned")


# The workflow: forward along idea → submitted → funded → running → closed; a submitted project
# may be rejected (and resubmitted later, as an idea again); any open project may be abandoned.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProjectStatus.IDEA: (ProjectStatus.SUBMITTED, ProjectStatus.ABANDONED),
    ProjectStatus.SUBMITTED: (
        ProjectStatus.FUNDED,
        ProjectStatus.REJECTED,
        ProjectStatus.ABANDONED,
    ),
    ProjectStatus.FUNDED: (ProjectStatus.RUNNING, ProjectStatus.ABANDONED),
    ProjectStatus.RUNNING: (ProjectStatus.CLOSED, ProjectStatus.ABANDONED),
    ProjectStatus.REJECTED: (ProjectStatus.IDEA,),
    ProjectStatus.CLOSED: (),
    ProjectStatus.ABANDONED: (),
}
# Projects that may still spend the lab (bookings, sessions, mentoring may name them).
OPEN_STATUSES = (
    ProjectStatus.IDEA,
    ProjectStatus.SUBMITTED,
    ProjectStatus.FUNDED,
    ProjectStatus.RUNNING,
)


class Project(models.Model):
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    theme = models.CharField(_("theme"), max_length=16, choices=Sector.choices)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    lead = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("lead organisation"),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.IDEA
    )
    status_changed_at = models.DateTimeField(_("status changed at"))
    budget_mad = models.DecimalField(_("budget (MAD)"), max_digits=14, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("R&D project")
        verbose_name_plural = _("R&D projects")
        indexes = [models.Index(fields=["status", "starts_on"], name="project_status_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="project_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(theme__in=Sector.values), name="project_theme_valid"
            ),
            models.CheckConstraint(
                condition=Q(budget_mad__gte=0), name="project_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="project_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ProjectStatusChange(models.Model):
    """Every change of a project's status: from, to, when, who and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        _("from"), max_length=16, choices=ProjectStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=ProjectStatus.choices)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["project", "changed_at", "id"]
        verbose_name = _("project status change")
        verbose_name_plural = _("project status changes")

    def __str__(self) -> str:
        return f"{self.project}: {self.from_status or '-'} → {self.to_status}"


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    RESEARCH = "research", _("Research partner")
    INDUSTRIAL = "industrial", _("Industrial partner")
    FUNDER = "funder", _("Funder")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")
    ASSOCIATE = "associate", _("Associate")


class ProjectPartner(models.Model):
    """An organisation taking part in a project (its people see the project; its owners edit it).
    Member organisations, research labs and outside companies alike: an organisation that is not
    a cluster member is simply recorded with ``is_cluster_member`` false."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="project_partnerships"
    )
    role = models.CharField(_("role"), max_length=16, choices=PartnerRole.choices)
    contribution = models.CharField(_("contribution"), max_length=300, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="projectpartner_once_per_project"
            ),
            # One lead per project (the row of ``Project.lead``).
            models.UniqueConstraint(
                fields=["project"], condition=Q(role="lead"), name="projectpartner_one_lead"
            ),
            models.CheckConstraint(
                condition=Q(role__in=PartnerRole.values), name="projectpartner_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()}) — {self.project}"


class ProjectFunding(models.Model):
    """Money for a project from one source in one calendar year: committed and received."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding")
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    committed_mad = models.DecimalField(
        _("committed (MAD)"), max_digits=14, decimal_places=2, default=0
    )
    received_mad = models.DecimalField(
        _("received (MAD)"), max_digits=14, decimal_places=2, default=0
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "year", "source__name", "id"]
        verbose_name = _("project funding")
        verbose_name_plural = _("project funding")
        indexes = [models.Index(fields=["year", "source"], name="projectfunding_year_source")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "source", "year"], name="projectfunding_once_per_source_year"
            ),
            models.CheckConstraint(
                condition=Q(committed_mad__gte=0) & Q(received_mad__gte=0),
                name="projectfunding_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR) & Q(year__lte=MAX_YEAR),
                name="projectfunding_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.source} {self.year}"


class DeliverableStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_DELIVERABLE_STATUSES = (DeliverableStatus.PLANNED, DeliverableStatus.IN_PROGRESS)


class Deliverable(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("due date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_deliverables",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliverableStatus.choices,
        default=DeliverableStatus.PLANNED,
    )
    evidence_file = models.FileField(
        _("evidence file"), upload_to="projects/evidence/%Y/%m/", blank=True
    )
    evidence_link = models.URLField(_("evidence link"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliverableStatus.values), name="deliverable_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False)
                | (~Q(status="delivered") & Q(delivered_at__isnull=True)),
                name="deliverable_delivered_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectDocument(models.Model):
    """A file of the project (agreement, report, budget sheet): off any public URL, handed out
    only to the people who may see the project (caiac.files)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="projects/documents/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-uploaded_at", "-id"]
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")

    def __str__(self) -> str:
        return self.title
