"""Staff pages of the lab's catalogue: machines (rules, rates, status), opening hours with their
seasonal timetables, and closures (create, change, lift). Every write is a service of
``booking.services``; a change that hits live bookings is shown first (the service's dry run)
and cancels them only once confirmed, as creating a closure does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking import services
from booking.models import Closure, Equipment, OpeningHours
from caiac import access
from caiac.errors import DomainError
from frontend.forms.catalogue import ClosureForm, MachineForm, OpeningHoursForm, ReasonForm


def _staff_get(request, queryset, pk):
    """Staff only (403 otherwise), then the object or the 404 page."""
    access.require_staff(request.user)
    return access.get_for_person_or_404(queryset, request.user, pk, via=None)


def two_step(request, form, run):
    """Run ``run(dry_run=True)`` first: if it hits live bookings and the person has not
    confirmed yet, give them back to be shown (nothing written). Otherwise run it for real.
    Returns ``(change, preview)``; a service refusal lands in the form."""
    try:
        if "confirm" not in request.POST:
            trial = run(dry_run=True)
            if trial.affected:
                return None, trial.affected
        return run(dry_run=False), None
    except DomainError as error:
        form.add_domain_error(error)
        return None, None


def _done(request, change, text):
    n = len(change.cancelled)
    if n:
        text = _("%(what)s %(n)s booking(s) cancelled and their bookers told.") % {
            "what": text,
            "n": n,
        }
    messages.success(request, text)


# --- Machines --------------------------------------------------------------------------------


@login_required
def machines(request):
    access.require_staff(request.user)
    rows = (
        Equipment.objects.select_related("required_course")
        .annotate(own_hours=Count("opening_hours"))
        .order_by("name")
    )
    return render(request, "frontend/staff/machines.html", {"machines": rows})


@login_required
def machine_form(request, pk: int | None = None):
    access.require_staff(request.user)
    machine = _staff_get(request, Equipment.objects.all(), pk) if pk else None
    form = MachineForm(request.POST or None, instance=machine)
    preview = None
    if request.method == "POST" and form.is_valid():
        if machine is None:
            try:
                machine = services.equipment_create(by=request.user, **form.values())
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(
                    request, _("Machine added. Give it opening hours if it keeps its own.")
                )
                return redirect("frontend:staff-machines")
        else:
            change, preview = two_step(
                request,
                form,
                lambda dry_run: services.equipment_update(
                    by=request.user,
                    equipment=machine,
                    dry_run=dry_run,
                    reason=form.cleaned_data["reason"],
                    **form.changes(machine),
                ),
            )
            if change is not None:
                _done(request, change, _("Machine saved."))
                return redirect("frontend:staff-machines")
    return render(
        request,
        "frontend/staff/machine_form.html",
        {"form": form, "machine": machine, "preview": preview},
    )


# --- Opening hours ---------------------------------------------------------------------------


@login_required
def opening_hours(request):
    """Every rule (the lab's, each machine's), seasonal ones apart, and a form to add one."""
    access.require_staff(request.user)
    initial = {}
    machine_id = request.GET.get("equipment", "")
    if machine_id.isdigit():
        initial["equipment"] = int(machine_id)
    form = OpeningHoursForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        change, preview = two_step(
            request,
            form,
            lambda dry_run: services.opening_hours_create(
                by=request.user,
                dry_run=dry_run,
                reason=form.cleaned_data["reason"],
                **form.values(),
            ),
        )
        if change is not None:
            _done(request, change, _("Opening hours added."))
            return redirect(f"{reverse('frontend:staff-hours')}?{request.GET.urlencode()}")
    rules = list(OpeningHours.objects.select_related("equipment"))
    groups: dict = {}
    for rule in rules:
        key = (rule.equipment.name if rule.equipment else "", rule.equipment_id)
        groups.setdefault(key, {"machine": rule.equipment, "usual": [], "seasonal": []})
        groups[key]["seasonal" if rule.is_dated else "usual"].append(rule)
    return render(
        request,
        "frontend/staff/opening_hours.html",
        {
            "form": form,
            "preview": preview,
            "groups": [groups[k] for k in sorted(groups, key=lambda k: (k[1] is not None, k[0]))],
        },
    )


@login_required
def opening_hours_edit(request, pk: int):
    rule = _staff_get(request, OpeningHours.objects.select_related("equipment"), pk)
    form = OpeningHoursForm(request.POST or None, instance=rule)
    preview = None
    if request.method == "POST" and form.is_valid():
        change, preview = two_step(
            request,
            form,
            lambda dry_run: services.opening_hours_update(
                by=request.user,
                rule=rule,
                dry_run=dry_run,
                reason=form.cleaned_data["reason"],
                **form.values(),
            ),
        )
        if change is not None:
            _done(request, change, _("Opening hours saved."))
            return redirect("frontend:staff-hours")
    return render(
        request,
        "frontend/staff/opening_hours_edit.html",
        {"form": form, "preview": preview, "rule": rule},
    )


@login_required
def opening_hours_delete(request, pk: int):
    """GET: what removing the rule would cancel; POST: remove it (and cancel those)."""
    rule = _staff_get(request, OpeningHours.objects.select_related("equipment"), pk)
    form = ReasonForm(request.POST or None)
    preview = []
    try:
        preview = services.opening_hours_delete(by=request.user, rule=rule, dry_run=True).affected
    except DomainError as error:
        form.add_domain_error(error)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.opening_hours_delete(
                by=request.user, rule=rule, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            _done(request, change, _("Opening hours removed."))
            return redirect("frontend:staff-hours")
    return render(
        request,
        "frontend/staff/opening_hours_delete.html",
        {"form": form, "preview": preview, "rule": rule},
    )


# --- Closures: create, change or lift ---------------------------------------------------------


@login_required
def closures(request):
    """Create a closure in two steps: the live bookings it hits are shown, then confirmed."""
    access.require_staff(request.user)
    form = ClosureForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        values = form.values()
        change, preview = two_step(
            request,
            form,
            lambda dry_run: services.closure_create(by=request.user, dry_run=dry_run, **values),
        )
        if change is not None:
            _done(request, change, _("Closure recorded."))
            return redirect("frontend:staff-closures")
    upcoming = (
        Closure.objects.filter(end__gt=timezone.now()).select_related("equipment").order_by("start")
    )
    return render(
        request,
        "frontend/staff/closures.html",
        {"form": form, "preview": preview, "closures": upcoming},
    )


@login_required
def closure_edit(request, pk: int):
    closure = _staff_get(request, Closure.objects.select_related("equipment"), pk)
    form = ClosureForm(request.POST or None, initial=ClosureForm.initial_for(closure))
    preview = None
    if request.method == "POST" and form.is_valid():
        change, preview = two_step(
            request,
            form,
            lambda dry_run: services.closure_update(
                by=request.user, closure=closure, dry_run=dry_run, **form.values()
            ),
        )
        if change is not None:
            _done(request, change, _("Closure saved."))
            return redirect("frontend:staff-closures")
    return render(
        request,
        "frontend/staff/closure_edit.html",
        {"form": form, "preview": preview, "closure": closure},
    )


@login_required
def closure_delete(request, pk: int):
    """Lifting a closure gives the time back; what it cancelled stays cancelled."""
    closure = _staff_get(request, Closure.objects.select_related("equipment"), pk)
    if request.method == "POST":
        try:
            services.closure_delete(by=request.user, closure=closure)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Closure lifted: the time can be booked again."))
        return redirect("frontend:staff-closures")
    return render(
        request,
        "frontend/staff/closure_delete.html",
        {"closure": closure, "past": closure.end <= timezone.now()},
    )


urlpatterns = [
    path("staff/machines/", machines, name="staff-machines"),
    path("staff/machines/new/", machine_form, name="staff-machine-new"),
    path("staff/machines/<int:pk>/edit/", machine_form, name="staff-machine-edit"),
    path("staff/opening-hours/", opening_hours, name="staff-hours"),
    path("staff/opening-hours/<int:pk>/edit/", opening_hours_edit, name="staff-hours-edit"),
    path("staff/opening-hours/<int:pk>/delete/", opening_hours_delete, name="staff-hours-delete"),
    path("lab/closures/", closures, name="staff-closures"),
    path("lab/closures/<int:pk>/edit/", closure_edit, name="staff-closure-edit"),
    path("lab/closures/<int:pk>/delete/", closure_delete, name="staff-closure-delete"),
]
