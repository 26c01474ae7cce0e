"""Back office for what has no page yet. Writes that carry rules go through the API / pages."""

from django.contrib import admin

from incubation import models


class ProgrammeStageInline(admin.TabularInline):
    model = models.ProgrammeStage
    extra = 0


@admin.register(models.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    inlines = [ProgrammeStageInline]


class QuestionInline(admin.TabularInline):
    model = models.Question
    extra = 0


class CriterionInline(admin.TabularInline):
    model = models.Criterion
    extra = 0


@admin.register(models.Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "opens_at", "closes_at", "cohort"]
    list_filter = ["programme"]
    inlines = [QuestionInline, CriterionInline]


@admin.register(models.Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "call", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "call"]
    readonly_fields = ["status", "submitted_at", "submitted_by", "decided_at", "decided_by"]


@admin.register(models.Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "year", "starts_on", "ends_on"]


class StageChangeInline(admin.TabularInline):
    model = models.StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "changed_at", "changed_by", "reason"]
    can_delete = False


@admin.register(models.Incubatee)
class IncubateeAdmin(admin.ModelAdmin):
    list_display = ["organisation", "cohort", "stage", "stage_started_at"]
    list_filter = ["cohort", "stage"]
    readonly_fields = ["stage", "stage_started_at"]
    inlines = [StageChangeInline]


@admin.register(models.Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "incubatee", "due_date", "owner", "status"]
    list_select_related = ["incubatee__organisation", "incubatee__cohort", "owner"]
    list_filter = ["status"]


@admin.register(models.MentoringSession)
class MentoringSessionAdmin(admin.ModelAdmin):
    list_display = ["incubatee", "mentor_name", "date", "hours", "topic"]


class KpiAmendmentInline(admin.TabularInline):
    model = models.KpiAmendment
    extra = 0
    readonly_fields = ["previous", "changed_by", "changed_at", "reason"]
    can_delete = False


@admin.register(models.KpiReport)
class KpiReportAdmin(admin.ModelAdmin):
    list_display = ["incubatee", "period", "revenue_mad", "jobs_women", "jobs_men"]
    list_filter = ["period"]
    inlines = [KpiAmendmentInline]
