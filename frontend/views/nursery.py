"""Staff pages of the nursery: calls for applications (criteria, questions, jury), milestones
and mentoring sessions of an incubatee, and KPI report amendments. Same services as the API
(``incubation.services``); objects are looked up through the selectors scoped to the person
(``caiac.access``), and only cluster staff get past ``require_staff``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from caiac import access
from caiac.errors import DomainError
from frontend.forms.incubation import (
    CallForm,
    CriteriaFormSet,
    KpiAmendForm,
    MentoringForm,
    MilestoneForm,
    criteria_of,
)
from incubation import selectors, services
from incubation.models import KpiReport, MentoringSession, Milestone


def _staff_get(request, queryset, pk):
    access.require_staff(request.user)
    return selectors.get_for_user_or_404(queryset, request.user, pk)


def _incubatee(request, pk):
    return _staff_get(request, selectors.incubatees_visible_to(request.user), pk)


def _followup_get(request, model, pk):
    """A milestone, mentoring session or KPI report of an incubatee staff can see, or 404."""
    queryset = model.objects.filter(
        incubatee__in=selectors.incubatees_visible_to(request.user)
    ).select_related("incubatee__organisation")
    return _staff_get(request, queryset, pk)


# --- Calls -----------------------------------------------------------------------------------


@login_required
def call_form(request, call_id: int | None = None):
    """Create or edit a call with its criteria and questions, and add jurors to its submitted
    applications. Criteria and questions no longer change once scoring has started (the
    service says so, inline)."""
    access.require_staff(request.user)
    call = (
        _staff_get(request, selectors.calls_visible_to(request.user), call_id) if call_id else None
    )
    form = CallForm(request.POST or None, call=call)
    existing = (
        [
            {"name": c.name, "weight": c.weight, "max_score": c.max_score}
            for c in call.criteria.all()
        ]
        if call
        else []
    )
    criteria = CriteriaFormSet(request.POST or None, initial=existing, prefix="criteria")
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        values = form.values()
        chosen = criteria_of(criteria)
        if call is None or chosen != existing:
            values["criteria"] = chosen
        try:
            with transaction.atomic():  # the call and its jury, or nothing
                if call is None:
                    call = services.call_create(by=request.user, **values)
                else:
                    call = services.call_update(by=request.user, call=call, **values)
                jury = services.call_jurors_assign(
                    by=request.user, call=call, jurors=form.cleaned_data["jurors"]
                )
        except DomainError as error:
            form.add_domain_error(error)
            call = call if call_id else None
        else:
            messages.success(request, _("Call saved."))
            for application, juror in jury["skipped"]:
                messages.warning(
                    request,
                    _("%(juror)s belongs to %(organisation)s and does not judge its application.")
                    % {"juror": juror.display_name, "organisation": application.organisation.name},
                )
            return redirect("frontend:incubation-ranking", call_id=call.pk)
    return render(
        request,
        "frontend/incubation/call_form.html",
        {
            "form": form,
            "criteria": criteria,
            "call": call,
            "jury": selectors.call_jury(call) if call is not None else [],
        },
    )


@login_required
@require_POST
def call_juror_remove(request, call_id: int, juror_id: int):
    """Take a juror off the jury of the call's applications awaiting a decision; they stay on
    those they have started scoring (said in a warning)."""
    call = _staff_get(request, selectors.calls_visible_to(request.user), call_id)
    juror = next((row.juror for row in selectors.call_jury(call) if row.juror.pk == juror_id), None)
    if juror is None:
        raise Http404
    result = services.call_juror_remove(by=request.user, call=call, juror=juror)
    messages.success(
        request,
        ngettext(
            "%(juror)s is off the jury of %(n)d application.",
            "%(juror)s is off the jury of %(n)d applications.",
            len(result["removed"]),
        )
        % {"juror": juror.display_name, "n": len(result["removed"])},
    )
    for application in result["kept"]:
        messages.warning(
            request,
            _("%(juror)s has already scored %(organisation)s and stays on its jury.")
            % {"juror": juror.display_name, "organisation": application.organisation.name},
        )
    return redirect("frontend:incubation-call-edit", call_id=call.pk)


# --- Milestones and mentoring ----------------------------------------------------------------


@login_required
def milestone_form(request, incubatee_id: int | None = None, milestone_id: int | None = None):
    milestone = None
    if milestone_id is not None:
        milestone = _followup_get(request, Milestone, milestone_id)
        incubatee = milestone.incubatee
    else:
        incubatee = _incubatee(request, incubatee_id)
    form = MilestoneForm(request.POST or None, instance=milestone, incubatee=incubatee)
    if request.method == "POST" and form.is_valid():
        try:
            if milestone is None:
                services.milestone_create(by=request.user, incubatee=incubatee, **form.values())
            else:
                services.milestone_update(by=request.user, milestone=milestone, **form.values())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Milestone saved; its owner is reminded before it is due."))
            return redirect("frontend:incubation-incubatee", incubatee_id=incubatee.pk)
    return render(
        request,
        "frontend/incubation/followup_form.html",
        {
            "form": form,
            "incubatee": incubatee,
            "title": _("Edit the milestone") if milestone else _("New milestone"),
            "form_id": "milestone-form",
        },
    )


@login_required
def mentoring_form(request, incubatee_id: int | None = None, session_id: int | None = None):
    session = None
    if session_id is not None:
        session = _followup_get(request, MentoringSession, session_id)
        incubatee = session.incubatee
    else:
        incubatee = _incubatee(request, incubatee_id)
    form = MentoringForm(request.POST or None, instance=session, incubatee=incubatee)
    if request.method == "POST" and form.is_valid():
        try:
            if session is None:
                services.mentoring_session_create(
                    by=request.user, incubatee=incubatee, **form.values()
                )
            else:
                services.mentoring_session_update(by=request.user, session=session, **form.values())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Mentoring session saved."))
            return redirect("frontend:incubation-incubatee", incubatee_id=incubatee.pk)
    return render(
        request,
        "frontend/incubation/followup_form.html",
        {
            "form": form,
            "incubatee": incubatee,
            "title": _("Edit the mentoring session") if session else _("New mentoring session"),
            "form_id": "mentoring-form",
        },
    )


# --- KPI reports -----------------------------------------------------------------------------


@login_required
def kpi_amend(request, report_id: int):
    """Correct a KPI report: the previous figures are kept with who, when and why."""
    report = _followup_get(request, KpiReport, report_id)
    form = KpiAmendForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_report_amend(
                by=request.user,
                report=report,
                reason=form.cleaned_data["reason"],
                **form.figures(),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("KPI report amended; the previous figures are kept."))
            return redirect("frontend:incubation-incubatee", incubatee_id=report.incubatee_id)
    return render(
        request,
        "frontend/incubation/kpi_amend.html",
        {
            "form": form,
            "report": report,
            "incubatee": report.incubatee,
            "amendments": report.amendments.select_related("changed_by").order_by("-changed_at"),
        },
    )


urlpatterns = [
    path("incubation/calls/new/", call_form, name="incubation-call-new"),
    path("incubation/calls/<int:call_id>/edit/", call_form, name="incubation-call-edit"),
    path(
        "incubation/calls/<int:call_id>/jurors/<int:juror_id>/remove/",
        call_juror_remove,
        name="incubation-call-juror-remove",
    ),
    path(
        "incubation/incubatees/<int:incubatee_id>/milestones/new/",
        milestone_form,
        name="incubation-milestone-new",
    ),
    path(
        "incubation/milestones/<int:milestone_id>/edit/",
        milestone_form,
        name="incubation-milestone-edit",
    ),
    path(
        "incubation/incubatees/<int:incubatee_id>/mentoring/new/",
        mentoring_form,
        name="incubation-mentoring-new",
    ),
    path(
        "incubation/mentoring/<int:session_id>/edit/",
        mentoring_form,
        name="incubation-mentoring-edit",
    ),
    path("incubation/kpi-reports/<int:report_id>/amend/", kpi_amend, name="incubation-kpi-amend"),
]
