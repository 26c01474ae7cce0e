"""Pages of the Halle Technologique: catalogue, machine (free slots + booking form), my
bookings, staff approval queue. Every write goes through booking.services."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from booking import selectors, services
from booking.models import LIVE_STATUSES, Category, EquipmentStatus, FeedKind, Line
from caiac import access, clock
from caiac.errors import DomainError
from frontend.forms import CaiacForm


class CatalogueFilterForm(CaiacForm):
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *Category.choices]
    )
    line = forms.ChoiceField(
        label=_("Line"),
        required=False,
        choices=[("", _("All")), (Line.FOOD, _("Food")), (Line.COSMETICS, _("Cosmetics"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *EquipmentStatus.choices]
    )
    search = forms.CharField(label=_("Search"), required=False)


class BookingForm(CaiacForm):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    organisation = forms.TypedChoiceField(
        label=_("For"), coerce=int, required=False, empty_value=None
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        if len(self.fields["organisation"].choices) <= 1:
            self.fields["organisation"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start"), data.get("end")
        if day and start and end:
            for name, value in (("start", start), ("end", end)):
                if clock.is_nonexistent(day, value):
                    self.add_error(name, _("The clock skips this time that day."))
            data["start_at"] = clock.wall_clock(day, start)
            data["end_at"] = clock.wall_clock(day, end)
        return data


def _week_start(request) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


def _week_slots(equipment, monday: datetime.date):
    start = clock.wall_clock(monday, datetime.time(0))
    end = clock.wall_clock(monday + datetime.timedelta(days=7), datetime.time(0))
    free = selectors.free_slots(equipment=equipment, start=start, end=end)
    tz = clock.local_tz()
    shortest = datetime.timedelta(minutes=equipment.min_duration_minutes)
    days = []
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        intervals = []
        for s, e in free:
            ls, le = s.astimezone(tz), e.astimezone(tz)
            if ls.date() == day:
                intervals.append({"start": ls, "end": le, "suggested_end": min(le, ls + shortest)})
        days.append({"date": day, "slots": intervals})
    return days


@login_required
def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    machines = selectors.equipment_list(**{k: v or None for k, v in filters.items()})
    return render(request, "frontend/booking/catalogue.html", {"form": form, "machines": machines})


def _machine_context(request, equipment, form):
    monday = _week_start(request)
    return {
        "machine": equipment,
        "form": form,
        "monday": monday,
        "previous_week": monday - datetime.timedelta(days=7),
        "next_week": monday + datetime.timedelta(days=7),
        "days": _week_slots(equipment, monday),
        "rules": selectors.opening_rules_for(equipment),
    }


@login_required
def machine(request, pk: int):
    equipment = get_object_or_404(selectors.equipment_list(), pk=pk)
    organisations = access.organisations_visible_to(request.user)
    if request.method == "POST":
        form = BookingForm(request.POST, organisations=organisations)
        if form.is_valid():
            try:
                services.booking_create(
                    user=request.user,
                    equipment=equipment,
                    start=form.cleaned_data["start_at"],
                    end=form.cleaned_data["end_at"],
                    organisation=form.cleaned_data.get("organisation"),
                    notes=form.cleaned_data.get("notes", ""),
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Your booking is recorded."))
                return redirect("frontend:booking-mine")
    else:
        form = BookingForm(
            initial={k: request.GET.get(k) for k in ("date", "start", "end") if request.GET.get(k)},
            organisations=organisations,
        )
    return render(
        request, "frontend/booking/machine.html", _machine_context(request, equipment, form)
    )


@login_required
def machine_slots(request, pk: int):
    """The htmx partial: free slots of the chosen week."""
    equipment = get_object_or_404(selectors.equipment_list(), pk=pk)
    monday = _week_start(request)
    return render(
        request,
        "frontend/booking/_slots.html",
        {
            "machine": equipment,
            "monday": monday,
            "previous_week": monday - datetime.timedelta(days=7),
            "next_week": monday + datetime.timedelta(days=7),
            "days": _week_slots(equipment, monday),
        },
    )


@login_required
def my_bookings(request):
    bookings = selectors.bookings_of(request.user).order_by("-start", "-id")
    page = Paginator(bookings, 25).get_page(request.GET.get("page"))
    feeds = [
        (feed, request.build_absolute_uri(f"/api/v1/calendar/{feed.token}.ics"))
        for feed in selectors.feed_tokens_of(request.user)
    ]
    return render(
        request,
        "frontend/booking/mine.html",
        {"page": page, "live": LIVE_STATUSES, "now": timezone.now(), "feeds": feeds},
    )


@login_required
@require_POST
def feed_create(request):
    services.feed_token_create(user=request.user, kind=FeedKind.USER)
    messages.success(request, _("Your calendar link is ready: add it to your calendar app."))
    return redirect("frontend:booking-mine")


@login_required
@require_POST
def feed_revoke(request, pk: int):
    feed = get_object_or_404(selectors.feed_tokens_of(request.user), pk=pk)
    services.feed_token_revoke(user=request.user, feed=feed)
    messages.success(request, _("The calendar link no longer works."))
    return redirect("frontend:booking-mine")


@login_required
@require_POST
def cancel(request, pk: int):
    booking = selectors.booking_get_for_user(user=request.user, booking_id=pk)
    try:
        services.booking_cancel(
            user=request.user, booking=booking, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("The booking is cancelled."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "frontend:booking-mine")


@login_required
def approvals(request):
    access.require_staff(request.user)
    return render(
        request, "frontend/booking/approvals.html", {"bookings": selectors.approval_queue()}
    )


@login_required
@require_POST
def decide(request, pk: int, decision: str):
    access.require_staff(request.user)
    booking = selectors.booking_get_for_user(user=request.user, booking_id=pk)
    try:
        if decision == "approve":
            services.booking_approve(user=request.user, booking=booking)
            messages.success(request, _("Booking approved."))
        else:
            services.booking_reject(
                user=request.user, booking=booking, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Booking rejected."))
    except DomainError as exc:
        messages.error(request, f"{booking}: {exc.message}")
    return redirect("frontend:booking-approvals")


urlpatterns = [
    path("lab/", catalogue, name="booking-catalogue"),
    path("lab/machines/<int:pk>/", machine, name="booking-machine"),
    path("lab/machines/<int:pk>/slots/", machine_slots, name="booking-machine-slots"),
    path("lab/my-bookings/", my_bookings, name="booking-mine"),
    path("lab/bookings/<int:pk>/cancel/", cancel, name="booking-cancel"),
    path("lab/calendar-links/", feed_create, name="booking-feed-create"),
    path("lab/calendar-links/<int:pk>/revoke/", feed_revoke, name="booking-feed-revoke"),
    path("lab/approvals/", approvals, name="booking-approvals"),
    path(
        "lab/approvals/<int:pk>/approve/", decide, {"decision": "approve"}, name="booking-approve"
    ),
    path("lab/approvals/<int:pk>/reject/", decide, {"decision": "reject"}, name="booking-reject"),
]
