"""Back office of the nursery. Writes that carry a rule go through ``incubation.services``
(caiac.adminkit): a KPI correction keeps its amendment trail, a milestone's reminder moves with
its due date, cohorts, programmes and mentoring sessions are checked; stages, decisions,
applications and scores are read-only here (their pages and the API record who and why)."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from caiac.adminkit import ServiceAdmin, ServiceModelForm
from incubation import models, services
from incubation.models import KPI_FIELDS, LIVE_STAGES, Stage


def _all_fields(model) -> list[str]:
    return [f.name for f in model._meta.fields]


# --- Programmes and cohorts ---------------------------------------------------------------------


class ProgrammeStageInline(admin.TabularInline):
    model = models.ProgrammeStage
    extra = 0

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "stage":  # only live stages carry benefits (the service's rule)
            kwargs["choices"] = [(s.value, s.label) for s in Stage if s in LIVE_STAGES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class ProgrammeForm(ServiceModelForm):
    class Meta:
        model = models.Programme
        fields = ["name", "description", "is_active"]

    def apply(self):
        values = self.service_values()
        if self.instance.pk:
            return services.programme_update(by=self.user, programme=self.current(), **values)
        return services.programme_create(by=self.user, **values)


@admin.register(models.Programme)
class ProgrammeAdmin(ServiceAdmin):
    form = ProgrammeForm
    list_display = ["name", "is_active"]
    inlines = [ProgrammeStageInline]


class CohortForm(ServiceModelForm):
    class Meta:
        model = models.Cohort
        fields = ["programme", "name", "year", "starts_on", "ends_on"]

    def apply(self):
        values = self.service_values()
        if self.instance.pk:
            values.pop("programme", None)  # a cohort stays in its programme
            return services.cohort_update(by=self.user, cohort=self.current(), **values)
        return services.cohort_create(by=self.user, **values)


@admin.register(models.Cohort)
class CohortAdmin(ServiceAdmin):
    form = CohortForm
    list_display = ["name", "programme", "year", "starts_on", "ends_on"]

    def get_readonly_fields(self, request, obj=None):
        return ["programme"] if obj else []


# --- Calls and applications ---------------------------------------------------------------------


class _LockedOnceScored(admin.TabularInline):
    """Questions and criteria cannot change once a juror has scored (the service's rule)."""

    extra = 0

    def _scored(self, obj) -> bool:
        return obj is not None and models.Evaluation.objects.filter(application__call=obj).exists()

    def has_add_permission(self, request, obj=None):
        return not self._scored(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._scored(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._scored(obj) and super().has_delete_permission(request, obj)


class QuestionInline(_LockedOnceScored):
    model = models.Question


class CriterionInline(_LockedOnceScored):
    model = models.Criterion


class CallForm(ServiceModelForm):
    class Meta:
        model = models.Call
        fields = ["title", "description", "opens_at", "closes_at", "cohort"]

    def apply(self):
        return services.call_update(by=self.user, call=self.current(), **self.service_values())


@admin.register(models.Call)
class CallAdmin(ServiceAdmin):
    """Calls are created on the staff page (with their criteria); edited here or there."""

    form = CallForm
    list_display = ["title", "programme", "opens_at", "closes_at", "cohort"]
    list_filter = ["programme"]
    readonly_fields = ["programme"]
    inlines = [QuestionInline, CriterionInline]

    def has_add_permission(self, request):
        return False


class JurorAssignmentInline(admin.TabularInline):
    model = models.JurorAssignment
    fk_name = "application"
    extra = 0
    can_delete = False
    fields = ["juror", "assigned_by", "assigned_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: members write applications, jurors score, staff decide on the ranking page."""

    list_display = ["organisation", "call", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "call"]
    readonly_fields = _all_fields(models.Application)
    inlines = [JurorAssignmentInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Incubatees ---------------------------------------------------------------------------------


class StageChangeInline(admin.TabularInline):
    model = models.StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "changed_at", "changed_by", "reason"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class IncubateeForm(ServiceModelForm):
    class Meta:
        model = models.Incubatee
        fields = ["cohort", "organisation", "stage"]

    def apply(self):
        return services.incubatee_create(by=self.user, **self.service_values())


@admin.register(models.Incubatee)
class IncubateeAdmin(ServiceAdmin):
    """New incubatees through the service (history, lab hours); stages move on its page."""

    form = IncubateeForm
    list_display = ["organisation", "cohort", "stage", "stage_started_at"]
    list_filter = ["cohort", "stage"]
    inlines = [StageChangeInline]

    def get_readonly_fields(self, request, obj=None):
        return _all_fields(models.Incubatee) if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


# --- Follow-up ----------------------------------------------------------------------------------


class MilestoneForm(ServiceModelForm):
    evidence_link = forms.URLField(label=_("evidence link"), required=False, assume_scheme="https")

    class Meta:
        model = models.Milestone
        fields = ["incubatee", "title", "description", "due_date", "owner", "status",
                  "evidence_link"]  # fmt: skip

    def apply(self):
        values = self.service_values()
        if self.instance.pk:
            values.pop("incubatee", None)
            return services.milestone_update(by=self.user, milestone=self.current(), **values)
        return services.milestone_create(by=self.user, **values)


@admin.register(models.Milestone)
class MilestoneAdmin(ServiceAdmin):
    """Through the service: moving the due date or the owner moves the reminder."""

    form = MilestoneForm
    list_display = ["title", "incubatee", "due_date", "owner", "status"]
    list_select_related = ["incubatee__organisation", "incubatee__cohort", "owner"]
    list_filter = ["status"]
    # Evidence is uploaded through the service (checked by content) and downloaded through the
    # checked view: the admin links there, never to a public URL.
    readonly_fields = ["evidence", "completed_at"]
    actions = None

    @admin.display(description=_("evidence file"))
    def evidence(self, milestone: models.Milestone) -> str:
        if not milestone.evidence_file:
            return "—"
        url = reverse("frontend:incubation-evidence", args=[milestone.pk])
        return format_html('<a href="{}">{}</a>', url, milestone.evidence_file.name.rsplit("/")[-1])

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "incubatee"] if obj else self.readonly_fields

    def delete_model(self, request, obj):
        services.milestone_delete(by=request.user, milestone=obj)


class MentoringSessionForm(ServiceModelForm):
    class Meta:
        model = models.MentoringSession
        fields = [
            "incubatee",
            "mentor",
            "mentor_name",
            "date",
            "hours",
            "topic",
            "notes",
            "project",
        ]

    def apply(self):
        values = self.service_values()
        if self.instance.pk:
            values.pop("incubatee", None)
            return services.mentoring_session_update(by=self.user, session=self.current(), **values)
        return services.mentoring_session_create(by=self.user, **values)


@admin.register(models.MentoringSession)
class MentoringSessionAdmin(ServiceAdmin):
    form = MentoringSessionForm
    list_display = ["incubatee", "mentor_name", "date", "hours", "topic"]

    def get_readonly_fields(self, request, obj=None):
        return ["incubatee"] if obj else []


class KpiAmendmentInline(admin.TabularInline):
    model = models.KpiAmendment
    extra = 0
    readonly_fields = ["previous", "changed_by", "changed_at", "reason"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class KpiReportForm(ServiceModelForm):
    amendment_reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the amendment trail with the values before the change."),
    )
    not_model_fields = ("amendment_reason",)

    class Meta:
        model = models.KpiReport
        fields = ["incubatee", "period", *KPI_FIELDS]

    def apply(self):
        values = self.service_values()
        if not self.instance.pk:
            return services.kpi_report_submit(by=self.user, **values)
        figures = {k: v for k, v in values.items() if k in KPI_FIELDS}
        if not figures:
            return self.current()
        return services.kpi_report_amend(
            by=self.user,
            report=self.current(),
            reason=self.cleaned_data.get("amendment_reason", ""),
            **figures,
        )


@admin.register(models.KpiReport)
class KpiReportAdmin(ServiceAdmin):
    """A change is an amendment (kpi_report_amend): reason required, previous values kept."""

    form = KpiReportForm
    list_display = ["incubatee", "period", "revenue_mad", "jobs_women", "jobs_men"]
    list_filter = ["period"]
    inlines = [KpiAmendmentInline]
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return ["incubatee", "period", "funding_split"] if obj else []

    @admin.display(description=_("funding raised by source"))
    def funding_split(self, report: models.KpiReport) -> str:
        """Read here; changed on the amendment page or the API (the total follows the split)."""
        lines = report.funding_lines.select_related("source").order_by("source__name")
        return "; ".join(f"{line.source.name}: {line.amount_mad}" for line in lines) or "—"

    def has_delete_permission(self, request, obj=None):
        return False  # funders' figures: corrected with a trail, never removed
