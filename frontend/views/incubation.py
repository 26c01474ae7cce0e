"""Incubation pages: calls and applications, jury scoring, ranking and decisions, incubatee
follow-up (stage, milestones, lab hours, KPIs) and the cohort dashboard. Same services as the API.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access, files
from caiac.accounts.models import User
from caiac.errors import DomainError, NotAllowed
from frontend.forms import CaiacForm
from frontend.forms.incubation import KpiForm
from incubation import reports, selectors, services
from incubation.models import (
    LIVE_STAGES,
    ApplicationStatus,
    MilestoneStatus,
)


def _get(request, queryset, pk):
    """An object of a queryset already scoped to the person, else the 404 page."""
    return selectors.get_for_user_or_404(queryset, request.user, pk)


def _form_error(form, error: DomainError) -> None:
    form.add_domain_error(error)


# --- Overview ----------------------------------------------------------------------------------
@login_required
def overview(request):
    user = request.user
    context = {
        "open_calls": selectors.open_calls(),
        "applications": selectors.applications_of(user),
        "to_score": selectors.applications_to_score(user).order_by("call", "organisation__name"),
        "incubatees": selectors.incubatees_of(user),
    }
    if access.is_staff(user):
        context["calls"] = selectors.calls_visible_to(user).order_by("-opens_at")
        context["cohorts"] = selectors.cohorts_visible_to(user)
    return render(request, "frontend/incubation/overview.html", context)


# --- Applying ----------------------------------------------------------------------------------
class ApplicationForm(CaiacForm):
    def __init__(self, *args, call, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        if len(organisations) > 1:
            self.fields["organisation"] = forms.ModelChoiceField(
                queryset=organisations, label=_("Organisation")
            )
        for question in call.questions.all():
            self.fields[f"q{question.pk}"] = forms.CharField(
                label=question.text,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def answers(self) -> dict[str, str]:
        return {
            name[1:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("q") and name[1:].isdigit()
        }


@login_required
def apply(request, call_id: int):
    call = _get(request, selectors.calls_visible_to(request.user), call_id)
    organisations = access.organisations_of(request.user)
    application = selectors.application_for_call(user=request.user, call=call)
    initial = {f"q{k}": v for k, v in (application.answers if application else {}).items()}
    form = ApplicationForm(
        request.POST or None, call=call, organisations=organisations, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            if application is None:
                application = services.application_create(
                    by=request.user,
                    call=call,
                    organisation=form.cleaned_data.get("organisation"),
                    answers=form.answers(),
                )
            else:
                application = services.application_update(
                    by=request.user, application=application, answers=form.answers()
                )
            if "submit" in request.POST:
                services.application_submit(by=request.user, application=application)
                messages.success(request, _("Your application has been submitted."))
            else:
                messages.success(request, _("Draft saved."))
            return redirect("frontend:incubation-apply", call_id=call.pk)
        except DomainError as error:
            _form_error(form, error)
    return render(
        request,
        "frontend/incubation/apply.html",
        {
            "call": call,
            "form": form,
            "application": application,
            "is_open": selectors.call_is_open(call),
            "editable": application is None or application.status == ApplicationStatus.DRAFT,
        },
    )


# --- Jury --------------------------------------------------------------------------------------
class ScoreForm(CaiacForm):
    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.IntegerField(
                label=_("%(name)s (out of %(max)s, weight %(weight)s)")
                % {"name": criterion.name, "max": criterion.max_score, "weight": criterion.weight},
                min_value=0,
                max_value=criterion.max_score,
            )
        self.fields["comment"] = forms.CharField(
            label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
        )

    def scores(self) -> list[dict]:
        return [
            {
                "criterion": c,
                "score": self.cleaned_data[f"c{c.pk}"],
                "comment": self.cleaned_data["comment"] if i == 0 else "",
            }
            for i, c in enumerate(self.criteria)
        ]


@login_required
def score(request, application_id: int):
    application = _get(request, selectors.applications_visible_to(request.user), application_id)
    if not selectors.is_juror_of(user=request.user, application=application):
        raise NotAllowed(_("You are not a juror of this application."), code="not_assigned")
    criteria = list(application.call.criteria.all())
    done = selectors.juror_has_scored_all(juror=request.user, application=application)
    form = ScoreForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and not done and form.is_valid():
        try:
            services.evaluations_submit(
                juror=request.user, application=application, scores=form.scores()
            )
            messages.success(request, _("Your scores have been recorded."))
            return redirect("frontend:incubation-score", application_id=application.pk)
        except DomainError as error:
            _form_error(form, error)
    show_all = selectors.scores_visible_to(user=request.user, application=application)
    evaluations = application.evaluations.select_related("juror", "criterion")
    if not show_all:
        evaluations = evaluations.filter(juror=request.user)
    return render(
        request,
        "frontend/incubation/score.html",
        {
            "application": application,
            "form": form,
            "done": done,
            "evaluations": evaluations,
            "questions": application.call.questions.all(),
        },
    )


# --- Staff: ranking, decisions, cohorts --------------------------------------------------------
class DecisionForm(CaiacForm):
    decision = forms.ChoiceField(
        choices=[("admit", _("Admit")), ("decline", _("Decline"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Reason"), required=False)


@login_required
def ranking(request, call_id: int):
    access.require_staff(request.user)
    call = _get(request, selectors.calls_visible_to(request.user), call_id)
    error = None
    if request.method == "POST" and "juror" in request.POST:
        application = _get(request, call.applications.all(), request.POST.get("application"))
        juror = User.objects.filter(username=request.POST["juror"].strip(), is_active=True).first()
        if juror is None:
            error = _("No active user has this username.")
        else:
            try:
                services.jurors_assign(by=request.user, application=application, jurors=[juror])
                messages.success(request, _("Juror assigned."))
                return redirect("frontend:incubation-ranking", call_id=call.pk)
            except DomainError as exc:
                error = exc.message
    elif request.method == "POST":
        form = DecisionForm(request.POST)
        application = _get(request, call.applications.all(), request.POST.get("application"))
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "admit":
                    services.application_admit(
                        by=request.user,
                        application=application,
                        reason=form.cleaned_data["reason"],
                    )
                else:
                    services.application_decline(
                        by=request.user,
                        application=application,
                        reason=form.cleaned_data["reason"],
                    )
                messages.success(request, _("Decision recorded; the applicant is told."))
                return redirect("frontend:incubation-ranking", call_id=call.pk)
            except DomainError as exc:
                error = exc.message
    rows = selectors.call_ranking(call)
    return render(
        request,
        "frontend/incubation/ranking.html",
        {
            "call": call,
            "rows": rows,
            "ties": selectors.ranking_ties(rows),
            "criteria": list(call.criteria.all()),
            "error": error,
        },
    )


@login_required
def cohort_dashboard(request, cohort_id: int):
    access.require_staff(request.user)
    cohort = _get(request, selectors.cohorts_visible_to(request.user), cohort_id)
    report = reports.cohort_report(cohort=cohort)
    period = selectors.last_ended_period(timezone.localdate())
    missing = list(selectors.kpi_reports_missing(period=period, cohort=cohort))
    reminded = selectors.kpi_last_reminders(
        period=period, incubatee_ids=[incubatee.pk for incubatee in missing]
    )
    return render(
        request,
        "frontend/incubation/cohort.html",
        {
            "cohort": cohort,
            "report": report,
            "metrics": [(label, report["figures"][key]) for key, label in reports.METRICS],
            "incubatees": selectors.incubatees_visible_to(request.user).filter(cohort=cohort),
            "kpi_period": period,
            "kpi_missing": [(incubatee, reminded.get(incubatee.pk)) for incubatee in missing],
            "api": reverse("api:incubation-cohort-report", args=[cohort.pk]),
            "csv": reverse("api:incubation-cohort-report-csv", args=[cohort.pk]),
            "xlsx": reverse("api:incubation-cohort-report-xlsx", args=[cohort.pk]),
        },
    )


# --- Incubatee follow-up -----------------------------------------------------------------------
class StageForm(CaiacForm):
    """Only the stages the incubatee may move to, and no preselected one: a click on "Change
    stage" without choosing does nothing, it never moves anyone backwards."""

    stage = forms.ChoiceField(label=_("New stage"))
    reason = forms.CharField(label=_("Reason"), required=False)

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            ("", _("— choose the next stage —")),
            *[(stage.value, stage.label) for stage in services.next_stages(current)],
        ]


class MilestoneStatusForm(CaiacForm):
    status = forms.ChoiceField(label=_("Status"), choices=MilestoneStatus.choices)
    evidence_link = forms.URLField(label=_("Evidence link"), required=False, assume_scheme="https")
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)


@login_required
def incubatee_page(request, incubatee_id: int):
    user = request.user
    incubatee = _get(request, selectors.incubatees_visible_to(user), incubatee_id)
    is_member = access.is_member_of(user, incubatee.organisation_id)
    kpi_form = KpiForm(request.POST if "kpi" in request.POST else None)
    stage_form = StageForm(
        request.POST if "stage" in request.POST else None, current=incubatee.stage
    )
    error = None
    if request.method == "POST":
        try:
            if "kpi" in request.POST and kpi_form.is_valid():
                services.kpi_report_submit(by=user, incubatee=incubatee, **kpi_form.figures())
                messages.success(request, _("KPI report submitted."))
                return redirect("frontend:incubation-incubatee", incubatee_id=incubatee.pk)
            if "stage" in request.POST and stage_form.is_valid():
                services.incubatee_move_stage(
                    by=user, incubatee=incubatee, **stage_form.cleaned_data
                )
                messages.success(request, _("Stage changed."))
                return redirect("frontend:incubation-incubatee", incubatee_id=incubatee.pk)
            if "milestone" in request.POST:
                milestone = _get(request, incubatee.milestones.all(), request.POST["milestone"])
                form = MilestoneStatusForm(request.POST, request.FILES)
                if form.is_valid():
                    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
                    services.milestone_update(by=user, milestone=milestone, **data)
                    messages.success(request, _("Milestone updated."))
                    return redirect("frontend:incubation-incubatee", incubatee_id=incubatee.pk)
                error = _("Check the milestone form.")
        except DomainError as exc:
            if "kpi" in request.POST:
                _form_error(kpi_form, exc)
            else:
                error = exc.message
    today = timezone.localdate()
    milestones = list(incubatee.milestones.select_related("owner"))
    for milestone in milestones:
        milestone.overdue = selectors.milestone_is_overdue(milestone, on=today)
    return render(
        request,
        "frontend/incubation/incubatee.html",
        {
            "incubatee": incubatee,
            "is_member": is_member,
            "balance": selectors.lab_hours_balance(organisation=incubatee.organisation),
            "history": incubatee.stage_changes.select_related("changed_by"),
            "milestones": milestones,
            "milestone_statuses": MilestoneStatus.choices,
            "sessions": incubatee.mentoring_sessions.select_related("project"),
            "kpis": incubatee.kpi_reports.prefetch_related("amendments", "funding_lines__source"),
            "kpi_form": kpi_form,
            "stage_form": stage_form,
            "can_move": access.is_staff(user) and incubatee.stage in LIVE_STAGES,
            "error": error,
            "zero": Decimal(0),
        },
    )


@login_required
def milestone_evidence(request, milestone_id: int):
    """The evidence file as a download, for the incubatee's organisation, its mentors and staff."""
    milestone = selectors.milestone_evidence_get_for_user(
        user=request.user, milestone_id=milestone_id
    )
    return files.attachment(milestone.evidence_file)


urlpatterns = [
    path("incubation/", overview, name="incubation"),
    path("incubation/calls/<int:call_id>/apply/", apply, name="incubation-apply"),
    path("incubation/calls/<int:call_id>/ranking/", ranking, name="incubation-ranking"),
    path("incubation/applications/<int:application_id>/score/", score, name="incubation-score"),
    path("incubation/cohorts/<int:cohort_id>/", cohort_dashboard, name="incubation-cohort"),
    path(
        "incubation/incubatees/<int:incubatee_id>/",
        incubatee_page,
        name="incubation-incubatee",
    ),
    path(
        "incubation/milestones/<int:milestone_id>/evidence/",
        milestone_evidence,
        name="incubation-evidence",
    ),
]
