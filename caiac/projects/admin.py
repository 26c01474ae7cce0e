"""Back office of R&D projects. Funding sources are kept here through the services; projects,
their partners, funding and history are read here and written on their pages and the API, where
the rules (who, the workflow, the history) apply."""

from django.contrib import admin

from caiac.adminkit import ServiceAdmin, ServiceModelForm
from caiac.projects import models, services


def _all_fields(model) -> list[str]:
    return [f.name for f in model._meta.fields]


class FundingSourceForm(ServiceModelForm):
    class Meta:
        model = models.FundingSource
        fields = ["name", "kind", "description", "is_active"]

    def apply(self):
        values = self.service_values()
        if self.instance.pk:
            return services.funding_source_update(by=self.user, source=self.current(), **values)
        return services.funding_source_create(by=self.user, **values)


@admin.register(models.FundingSource)
class FundingSourceAdmin(ServiceAdmin):
    form = FundingSourceForm
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # past funding keeps its source: deactivate instead


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PartnerInline(_ReadOnlyInline):
    model = models.ProjectPartner
    fields = ["organisation", "role", "contribution", "joined_on"]


class FundingInline(_ReadOnlyInline):
    model = models.ProjectFunding
    fields = ["source", "year", "committed_mad", "received_mad", "note"]


class StatusChangeInline(_ReadOnlyInline):
    model = models.ProjectStatusChange
    fields = ["from_status", "to_status", "changed_at", "changed_by", "reason"]


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):
    """Read-only: partners' owners and staff write on the project pages (or the API)."""

    list_display = ["title", "lead", "theme", "status", "budget_mad", "starts_on", "ends_on"]
    list_filter = ["status", "theme"]
    list_select_related = ["lead"]
    search_fields = ["title", "lead__name"]
    readonly_fields = _all_fields(models.Project)
    inlines = [PartnerInline, FundingInline, StatusChangeInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
