"""Training pages: catalogue and schedule, enrol / cancel (htmx), my trainings, and the trainer's
sessions with their lists and attendance form. Every write goes through trainings.services."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caiac import access
from caiac.errors import DomainError
from caiac.projects import selectors as project_selectors
from frontend.forms import CaiacForm
from frontend.forms.trainings import CourseForm, SessionForm
from trainings import selectors, services
from trainings.models import Course, Session


def _with_mine(user, sessions) -> list[Session]:
    sessions = list(sessions)
    mine = selectors.my_enrolment_map(user=user, sessions=sessions)
    for session in sessions:
        session.mine = mine.get(session.pk)
        session.seats = selectors.seats_left(session)
    return sessions


@login_required
def catalogue(request):
    now = timezone.now()
    upcoming = selectors.sessions_visible_to(request.user).filter(end__gte=now, status="scheduled")
    return render(
        request,
        "frontend/trainings/catalogue.html",
        {
            "sessions": _with_mine(request.user, upcoming[:100]),
            "courses": selectors.courses_visible_to(request.user).filter(is_active=True),
            "now": now,
        },
    )


def _row(request, session_id: int, error: str | None = None):
    session = _with_mine(
        request.user, [selectors.session_get_for_user(user=request.user, session_id=session_id)]
    )[0]
    return render(
        request,
        "frontend/trainings/_session_row.html",
        {"session": session, "error": error, "now": timezone.now()},
    )


def _act(request, session_id: int, service, done_message: str):
    session = selectors.session_get_for_user(user=request.user, session_id=session_id)
    error = None
    try:
        service(by=request.user, session=session)
    except DomainError as exc:
        error = str(exc.message)
    if request.htmx:
        return _row(request, session_id, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done_message)
    return redirect("frontend:trainings")


@login_required
@require_POST
def enrol(request, session_id: int):
    return _act(request, session_id, services.session_enrol, _("You are enrolled."))


@login_required
@require_POST
def cancel(request, session_id: int):
    return _act(
        request, session_id, services.session_enrolment_cancel, _("Your enrolment is cancelled.")
    )


@login_required
def mine(request):
    enrolments = list(selectors.enrolments_of(request.user))
    for enrolment in enrolments:
        enrolment.position = selectors.waitlist_position(enrolment)
    certifications = selectors.certifications_visible_to(request.user).filter(user=request.user)
    valid_ids = set(
        selectors.certifications_valid_at().filter(user=request.user).values_list("pk", flat=True)
    )
    return render(
        request,
        "frontend/trainings/mine.html",
        {
            "enrolments": enrolments,
            "certifications": certifications,
            "valid_ids": valid_ids,
            "now": timezone.now(),
        },
    )


@login_required
def teach(request):
    access.require_teaches(request.user)
    sessions = selectors.sessions_of_trainer(trainer=request.user, upcoming=True)
    if access.is_staff(request.user) and request.GET.get("all"):
        sessions = selectors.sessions_with_counts().filter(end__gte=timezone.now())
    return render(
        request,
        "frontend/trainings/teach.html",
        {"sessions": _with_mine(request.user, sessions[:200])},
    )


class AttendanceForm(CaiacForm):
    present = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Present"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, enrolled, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(e.user_id, e.user.display_name) for e in enrolled]
        self.initial.setdefault("present", [e.user_id for e in enrolled if e.present])


@login_required
def session_manage(request, session_id: int):
    session = selectors.session_get_for_user(user=request.user, session_id=session_id)
    selectors.require_manages_session(user=request.user, session=session)
    lists = selectors.session_enrolments(session)
    form = AttendanceForm(request.POST or None, enrolled=lists["enrolled"])
    error = None
    if request.method == "POST" and form.is_valid():
        present = set(form.cleaned_data["present"])
        marks = [{"user": e.user_id, "present": e.user_id in present} for e in lists["enrolled"]]
        try:
            services.attendance_record(by=request.user, session=session, marks=marks)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Attendance saved; certifications issued."))
            return redirect("frontend:trainings-session", session_id=session.pk)
    return render(
        request,
        "frontend/trainings/session_manage.html",
        {
            "session": session,
            "enrolled": lists["enrolled"],
            "waitlisted": lists["waitlisted"],
            "form": form,
            "error": error,
            "started": timezone.now() >= session.start,
        },
    )


@login_required
@require_POST
def session_cancel(request, session_id: int):
    session = selectors.session_get_for_user(user=request.user, session_id=session_id)
    selectors.require_manages_session(user=request.user, session=session)
    try:
        services.session_cancel(by=request.user, session=session)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("The session is cancelled; everyone enrolled or waiting is told.")
        )
    return redirect("frontend:trainings-session", session_id=session.pk)


# --- Staff and trainers: courses and sessions ---------------------------------------------------


@login_required
def staff_trainings(request):
    """Staff: the course catalogue (every course, offered or not) and the coming sessions."""
    access.require_staff(request.user)
    courses = (
        selectors.courses_visible_to(request.user)
        .annotate(upcoming=Count("sessions", filter=Q(sessions__end__gte=timezone.now())))
        .order_by("title")
    )
    sessions = selectors.sessions_with_counts().filter(end__gte=timezone.now())[:200]
    return render(
        request,
        "frontend/trainings/staff.html",
        {"courses": courses, "sessions": sessions},
    )


@login_required
def course_form(request, pk: int | None = None):
    access.require_staff(request.user)
    course = (
        access.get_for_person_or_404(Course.objects.all(), request.user, pk, via=None)
        if pk
        else None
    )
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        try:
            if course is None:
                services.course_create(by=request.user, **form.values())
            else:
                services.course_update(by=request.user, course=course, **form.values())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Course saved."))
            return redirect("frontend:staff-trainings")
    return render(request, "frontend/trainings/course_form.html", {"form": form, "course": course})


@login_required
def session_form(request, session_id: int | None = None):
    """Schedule a session (trainers their own, staff for any trainer) or change one (its
    trainer or staff). A trainer already teaching then is refused inline
    (``trainer_unavailable``)."""
    user = request.user
    access.require_teaches(user)
    session = None
    if session_id is not None:
        session = selectors.session_get_for_user(user=user, session_id=session_id)
        selectors.require_manages_session(user=user, session=session)
    initial = {}
    if session is None and request.GET.get("course", "").isdigit():
        initial["course"] = int(request.GET["course"])
    form = SessionForm(
        request.POST or None,
        choose_trainer=access.is_staff(user),
        session=session,
        initial=initial or None,
        projects=project_selectors.projects_open_for_person(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if session is None:
                session = services.session_create(
                    by=user, **form.values(), **form.equipment_change()
                )
                done = _("Session scheduled; the trainer is told.")
            else:
                session = services.session_update(
                    by=user, session=session, **form.values(), **form.equipment_change()
                )
                done = _("Session saved; everyone enrolled is told of any change.")
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, done)
            return redirect("frontend:trainings-session", session_id=session.pk)
    return render(
        request, "frontend/trainings/session_form.html", {"form": form, "session": session}
    )


urlpatterns = [
    path("trainings/", catalogue, name="trainings"),
    path("trainings/mine/", mine, name="trainings-mine"),
    path("trainings/teach/", teach, name="trainings-teach"),
    path("trainings/sessions/<int:session_id>/", session_manage, name="trainings-session"),
    path("trainings/sessions/<int:session_id>/enrol/", enrol, name="trainings-enrol"),
    path("trainings/sessions/<int:session_id>/cancel/", cancel, name="trainings-cancel"),
    path("trainings/sessions/new/", session_form, name="trainings-session-new"),
    path("trainings/sessions/<int:session_id>/edit/", session_form, name="trainings-session-edit"),
    path("staff/trainings/", staff_trainings, name="staff-trainings"),
    path("staff/trainings/courses/new/", course_form, name="staff-course-new"),
    path("staff/trainings/courses/<int:pk>/edit/", course_form, name="staff-course-edit"),
    path(
        "trainings/sessions/<int:session_id>/cancel-session/",
        session_cancel,
        name="trainings-session-cancel",
    ),
]
