"""R&D project pages: the projects one's organisations take part in (staff: all), a project's
partners, funding by source and year, deliverables, documents and lab use; the funding sources
staff keep. Same services and selectors as the API; a refusal shows inline."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from booking import selectors as booking_selectors
from caiac import access, files
from caiac.accounts.models import Organisation, OrganisationKind, Sector, User
from caiac.errors import DomainError, NotFound
from caiac.projects import selectors, services
from caiac.projects.models import (
    MAX_YEAR,
    MIN_YEAR,
    DeliverableStatus,
    FundingSource,
    FundingSourceKind,
    PartnerRole,
    ProjectStatus,
)
from frontend.forms import CaiacForm, DateInput


# --- Forms ---------------------------------------------------------------------------------------
class ProjectForm(CaiacForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    theme = forms.ChoiceField(label=_("Theme"), choices=Sector.choices)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tags = forms.CharField(label=_("Tags (comma-separated)"), required=False, max_length=400)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput())
    budget_mad = forms.DecimalField(
        label=_("Budget (MAD)"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = [t.strip() for t in data.get("tags", "").split(",") if t.strip()]
        return data


class NewProjectForm(ProjectForm):
    lead = forms.ModelChoiceField(label=_("Lead organisation"), queryset=Organisation.objects)
    field_order = ["lead", "title", "theme", "summary"]

    def __init__(self, *args, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads


class StatusForm(CaiacForm):
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(label=_("Reason"), max_length=2000)

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("— choose the next status —")),
            *[(s, ProjectStatus(s).label) for s in services.next_statuses(current)],
        ]


class PartnerForm(CaiacForm):
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("An organisation of the platform, or the name of a new outside partner."),
    )
    organisation_kind = forms.ChoiceField(
        label=_("Kind (new organisation)"), choices=OrganisationKind.choices
    )
    organisation_sector = forms.ChoiceField(
        label=_("Sector (new organisation)"), choices=Sector.choices, initial=Sector.BOTH
    )
    organisation_city = forms.CharField(label=_("City"), max_length=100, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=[c for c in PartnerRole.choices if c[0] != PartnerRole.LEAD]
    )
    contribution = forms.CharField(label=_("Contribution"), max_length=300, required=False)


class FundingForm(CaiacForm):
    source = forms.ModelChoiceField(label=_("Funding source"), queryset=FundingSource.objects)
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    committed_mad = forms.DecimalField(
        label=_("Committed (MAD)"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    received_mad = forms.DecimalField(
        label=_("Received (MAD)"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = selectors.funding_sources_active()


class FundingAmountsForm(CaiacForm):
    committed_mad = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)
    received_mad = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)


class DeliverableForm(CaiacForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people


class DeliverableProgressForm(CaiacForm):
    status = forms.ChoiceField(choices=DeliverableStatus.choices)
    evidence_link = forms.URLField(required=False, assume_scheme="https")
    evidence_file = forms.FileField(required=False)


class DocumentForm(CaiacForm):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class FundingSourceForm(CaiacForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=FundingSourceKind.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000)


# --- The list ------------------------------------------------------------------------------------
def _leads_for(user) -> "forms.QuerySet":
    if access.is_staff(user):
        return Organisation.objects.order_by("name")
    owned = access.organisation_ids_of(user).filter(role="owner")
    return Organisation.objects.filter(pk__in=owned).order_by("name")


@login_required
def project_list(request):
    user = request.user
    leads = _leads_for(user)
    form = NewProjectForm(request.POST or None, leads=leads)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(by=user, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Project created."))
            return redirect("frontend:project", project_id=project.pk)
    projects = selectors.projects_visible_to(user).annotate(
        partner_count=Count("partners", distinct=True)
    )
    status = request.GET.get("status", "")
    if status in ProjectStatus.values:
        projects = projects.filter(status=status)
    projects = projects.order_by("-created_at", "-id")
    return render(
        request,
        "frontend/projects/list.html",
        {
            "projects": projects,
            "statuses": ProjectStatus.choices,
            "status": status,
            "form": form,
            "can_create": leads.exists(),
        },
    )


# --- One project ---------------------------------------------------------------------------------
def _people_of_partners(project):
    organisations = project.partners.values("organisation_id")
    return (
        User.objects.filter(is_active=True, memberships__organisation_id__in=organisations)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _act(request, project, forms_by_action):
    """Run the POSTed action through its service; the form (or None) that shows the refusal."""
    user = request.user
    post = request.POST
    if "change_status" in post:
        form = forms_by_action["change_status"]
        if form.is_valid():
            services.project_change_status(by=user, project=project, **form.cleaned_data)
            return _("Status changed."), None
        return None, form
    if "add_partner" in post:
        form = forms_by_action["add_partner"]
        if form.is_valid():
            services.partner_add(by=user, project=project, **form.cleaned_data)
            return _("Partner added."), None
        return None, form
    if "partner_remove" in post:
        partner = _child(project.partners.all(), post["partner_remove"])
        services.partner_remove(by=user, partner=partner)
        return _("Partner removed."), None
    if "add_funding" in post:
        form = forms_by_action["add_funding"]
        if form.is_valid():
            services.funding_create(by=user, project=project, **form.cleaned_data)
            return _("Funding recorded."), None
        return None, form
    if "funding_update" in post:
        funding = _child(project.funding.all(), post["funding_update"])
        form = FundingAmountsForm(post)
        if form.is_valid():
            services.funding_update(by=user, funding=funding, **form.cleaned_data)
            return _("Funding updated."), None
        return None, form
    if "funding_remove" in post:
        funding = _child(project.funding.all(), post["funding_remove"])
        services.funding_delete(by=user, funding=funding)
        return _("Funding removed."), None
    if "add_deliverable" in post:
        form = forms_by_action["add_deliverable"]
        if form.is_valid():
            services.deliverable_create(by=user, project=project, **form.cleaned_data)
            return _("Deliverable added."), None
        return None, form
    if "deliverable_update" in post:
        deliverable = _child(project.deliverables.all(), post["deliverable_update"])
        form = DeliverableProgressForm(post, request.FILES)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            services.deliverable_update(by=user, deliverable=deliverable, **data)
            return _("Deliverable updated."), None
        return None, form
    if "add_document" in post:
        form = forms_by_action["add_document"]
        if form.is_valid():
            services.document_add(by=user, project=project, **form.cleaned_data)
            return _("Document added."), None
        return None, form
    if "document_remove" in post:
        document = _child(project.documents.all(), post["document_remove"])
        services.document_delete(by=user, document=document)
        return _("Document removed."), None
    return None, None


def _child(queryset, pk):
    return access.get_for_person_or_404(queryset, None, pk, via=None)


@login_required
def project_page(request, project_id: int):
    user = request.user
    project = selectors.project_get_for_user(user=user, project_id=project_id)
    post = request.POST if request.method == "POST" else None
    people = _people_of_partners(project)

    def bound(action):
        return post if post is not None and action in post else None

    forms_by_action = {
        "change_status": StatusForm(bound("change_status"), current=project.status),
        "add_partner": PartnerForm(bound("add_partner")),
        "add_funding": FundingForm(bound("add_funding")),
        "add_deliverable": DeliverableForm(bound("add_deliverable"), people=people),
        "add_document": DocumentForm(
            bound("add_document"), request.FILES if bound("add_document") else None
        ),
    }
    error = None
    if post is not None:
        try:
            done, failed = _act(request, project, forms_by_action)
        except DomainError as exc:
            done, failed = None, None
            target = next((f for key, f in forms_by_action.items() if key in post), None)
            if target is not None and selectors.may_edit(user, project):
                target.add_domain_error(exc)
            else:  # no form on the page for them: the refusal at the top
                error = exc.message
        if done:
            messages.success(request, done)
            return redirect("frontend:project", project_id=project.pk)
        if failed is not None and failed not in forms_by_action.values():
            error = _("Check the form: %(errors)s") % {"errors": failed.errors.as_text()}
    funding = list(selectors.funding_of(project))
    totals = selectors.funding_totals(project)
    lab = booking_selectors.project_lab_use([project.pk])[project.pk]
    deliverables = list(selectors.deliverables_of(project))
    return render(
        request,
        "frontend/projects/detail.html",
        {
            "project": project,
            "can_edit": selectors.may_edit(user, project),
            "partners": selectors.partners_of(project),
            "history": project.status_changes.select_related("changed_by"),
            "funding": funding,
            "totals": totals,
            "deliverables": deliverables,
            "deliverable_statuses": DeliverableStatus.choices,
            "documents": selectors.documents_of(project),
            "lab": lab,
            "bookings": booking_selectors.project_bookings([project.pk]).order_by("-start")[:20],
            "training": project.training_sessions.aggregate(
                count=Count("id"), people=Count("enrolments", filter=Q(enrolments__present=True))
            ),
            "mentoring": project.mentoring_sessions.aggregate(
                count=Count("id"), hours=Sum("hours")
            ),
            "forms": forms_by_action,
            "error": error,
        },
    )


@login_required
def project_edit(request, project_id: int):
    user = request.user
    project = selectors.project_get_for_user(user=user, project_id=project_id)
    initial = {
        "title": project.title,
        "theme": project.theme,
        "summary": project.summary,
        "tags": ", ".join(project.tags),
        "starts_on": project.starts_on,
        "ends_on": project.ends_on,
        "budget_mad": project.budget_mad,
    }
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(by=user, project=project, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Project saved."))
            return redirect("frontend:project", project_id=project.pk)
    elif not selectors.may_edit(user, project):
        services.require_editor(user, project)  # 403 page for a partner's plain member
    return render(request, "frontend/projects/edit.html", {"project": project, "form": form})


@login_required
def document_download(request, project_id: int, document_id: int):
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    document = _child(project.documents.all(), document_id)
    return files.attachment(document.file)


@login_required
def deliverable_evidence(request, project_id: int, deliverable_id: int):
    project = selectors.project_get_for_user(user=request.user, project_id=project_id)
    deliverable = _child(project.deliverables.exclude(evidence_file=""), deliverable_id)
    if not deliverable.evidence_file:
        raise NotFound()
    return files.attachment(deliverable.evidence_file)


# --- Funding sources (staff) ---------------------------------------------------------------------
@login_required
def funding_sources(request):
    user = request.user
    access.require_staff(user)
    form = FundingSourceForm(request.POST if "create" in request.POST else None)
    if request.method == "POST":
        try:
            if "create" in request.POST and form.is_valid():
                services.funding_source_create(by=user, **form.cleaned_data)
                messages.success(request, _("Funding source added."))
                return redirect("frontend:funding-sources")
            if "toggle" in request.POST:
                source = _child(FundingSource.objects.all(), request.POST["toggle"])
                services.funding_source_update(
                    by=user, source=source, is_active=not source.is_active
                )
                return redirect("frontend:funding-sources")
        except DomainError as exc:
            form.add_domain_error(exc)
    return render(
        request,
        "frontend/projects/funding_sources.html",
        {"sources": FundingSource.objects.order_by("-is_active", "name"), "form": form},
    )


urlpatterns = [
    path("projects/", project_list, name="projects"),
    path("projects/funding-sources/", funding_sources, name="funding-sources"),
    path("projects/<int:project_id>/", project_page, name="project"),
    path("projects/<int:project_id>/edit/", project_edit, name="project-edit"),
    path(
        "projects/<int:project_id>/documents/<int:document_id>/",
        document_download,
        name="project-document",
    ),
    path(
        "projects/<int:project_id>/deliverables/<int:deliverable_id>/evidence/",
        deliverable_evidence,
        name="project-evidence",
    ),
]
