"""Pages of the Halle Technologique: catalogue, machine (free slots + booking form), my
bookings, staff approval queue. Every write goes through booking.services."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from booking import selectors, services
from booking.models import (
    LIVE_STATUSES,
    Booking,
    Category,
    EquipmentStatus,
    FeedKind,
    Line,
    OpeningHours,
)
from caiac import access, clock
from caiac.errors import DomainError
from caiac.projects import selectors as project_selectors
from frontend.forms import CaiacForm, DateInput, TimeInput
from frontend.redirects import redirect_next


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
    # Browsers' date and time inputs take ISO values whatever the page's language.
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=_("From"), widget=TimeInput())
    end = forms.TimeField(label=_("To"), widget=TimeInput())
    organisation = forms.TypedChoiceField(
        label=_("For"), coerce=int, required=False, empty_value=None
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    project = forms.TypedChoiceField(
        label=_("For the R&D project"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, organisations=(), projects=(), moving=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in self.organisations]
        if len(self.fields["organisation"].choices) <= 1:
            self.fields["organisation"].widget = forms.HiddenInput()
        projects = list(projects)
        if projects:
            self.fields["project"].choices = [("", _("— none —"))] + [
                (p.pk, p.title) for p in projects
            ]
        else:
            del self.fields["project"]
        if moving:  # a move keeps its organisation, notes and project
            del self.fields["organisation"]
            del self.fields["notes"]
            self.fields.pop("project", None)

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


def _parse_date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@login_required
def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    machines = selectors.equipment_list(**{k: v or None for k, v in filters.items()})
    return render(request, "frontend/booking/catalogue.html", {"form": form, "machines": machines})


class Calendar:
    """The week grid of one machine as a page shows it: which week and, on phones, which day;
    the links of every cell and arrow (plain links that htmx also follows); the selection."""

    def __init__(self, request, equipment, *, moving=None):
        self.request, self.equipment, self.moving = request, equipment, moving
        params = request.GET
        selected = _parse_date(params.get("date"))
        week = _parse_date(params.get("week"))
        if week is None:
            week = selected or (
                moving.start.astimezone(clock.local_tz()).date()
                if moving is not None
                else selectors.first_week_with_free_slot(equipment=equipment)
            )
        self.monday = _monday(week)
        self.grid = selectors.week_grid(
            equipment=equipment,
            monday=self.monday,
            organisation_ids=set(access.organisation_ids_of(request.user).values_list(
                "organisation_id", flat=True
            )),
            moving=moving,
        )  # fmt: skip
        day = _parse_date(params.get("day")) or selected
        if day is None or _monday(day) != self.monday:
            today = timezone.localdate()
            day = self.grid.first_free_day or (
                today if _monday(today) == self.monday else self.monday
            )
        self.day = day
        self.selection = (selected, params.get("start", ""), params.get("end", ""))
        if moving is not None:
            self.page_url = reverse("frontend:booking-move", args=[moving.pk])
            self.quote_url = reverse("frontend:booking-move-quote", args=[moving.pk])
        else:
            self.page_url = reverse("frontend:booking-machine", args=[equipment.pk])
            self.quote_url = reverse("frontend:booking-machine-quote", args=[equipment.pk])
        self.slots_url = reverse("frontend:booking-machine-slots", args=[equipment.pk])

    def _query(self, **params) -> str:
        if self.moving is not None:
            params.setdefault("move", self.moving.pk)
        return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    def week_link(self, monday: datetime.date) -> dict:
        query = self._query(week=monday.isoformat())
        return {"page": self.page_url + query, "slots": self.slots_url + query}

    def day_link(self, day: datetime.date) -> dict:
        query = self._query(week=_monday(day).isoformat(), day=day.isoformat())
        return {"page": self.page_url + query, "slots": self.slots_url + query}

    def context(self) -> dict:
        tz = clock.local_tz()
        selected_date, selected_start, selected_end = self.selection
        rows = []
        for index, time in enumerate(self.grid.rows):
            cells = []
            for grid_day in self.grid.days:
                cell = grid_day.cells[index]
                entry = {"day": grid_day.date, "cell": cell, "shown": grid_day.date == self.day}
                if cell is not None and cell.is_free:
                    start = cell.suggested_start.astimezone(tz)
                    end = cell.suggested_end.astimezone(tz)
                    params = {
                        "week": self.monday.isoformat(),
                        "day": grid_day.date.isoformat(),
                        "date": start.date().isoformat(),
                        "start": start.strftime("%H:%M"),
                        "end": end.strftime("%H:%M"),
                    }
                    entry["href"] = self.page_url + self._query(**params)
                    entry["quote"] = self.quote_url + self._query(**params)
                    entry["cell_start"] = cell.start.astimezone(tz).strftime("%H:%M")
                    entry["cell_end"] = cell.end.astimezone(tz).strftime("%H:%M")
                if cell is not None and selected_date == grid_day.date and selected_start:
                    local_start = cell.start.astimezone(tz).strftime("%H:%M")
                    local_end = cell.end.astimezone(tz).strftime("%H:%M")
                    entry["selected"] = selected_start <= local_start and local_end <= (
                        selected_end or local_end
                    )
                cells.append(entry)
            rows.append({"time": time, "cells": cells})
        one_day = datetime.timedelta(days=1)
        week = datetime.timedelta(days=7)
        return {
            "machine": self.equipment,
            "calendar": self,
            "grid": self.grid,
            "rows": rows,
            "monday": self.monday,
            "sunday": self.monday + datetime.timedelta(days=6),
            "shown_day": self.day,
            "previous_week": self.week_link(self.monday - week),
            "next_week": self.week_link(self.monday + week),
            "previous_day": self.day_link(self.day - one_day),
            "next_day": self.day_link(self.day + one_day),
            "moving": self.moving,
        }


def opening_summary(rules) -> list[dict]:
    """The machine's opening hours as people read them: one block per rule set (the usual one,
    then dated ones such as Ramadan), consecutive days with the same hours on one line."""
    sets: dict[tuple, dict] = {}
    for rule in sorted(rules, key=lambda r: (r.valid_from or datetime.date.min, r.weekday)):
        key = (rule.valid_from, rule.valid_until, rule.label)
        block = sets.setdefault(
            key,
            {"from": rule.valid_from, "until": rule.valid_until, "label": rule.label, "days": {}},
        )
        block["days"].setdefault(rule.weekday, []).append((rule.opens_at, rule.closes_at))
    names = dict(OpeningHours._meta.get_field("weekday").choices)
    summary = []
    for block in sets.values():
        lines: list[dict] = []
        for weekday in sorted(block["days"]):
            hours = sorted(block["days"][weekday])
            last = lines[-1] if lines else None
            if last and last["hours"] == hours and last["last"] == weekday - 1:
                last["last"] = weekday
            else:
                lines.append({"first": weekday, "last": weekday, "hours": hours})
        for line in lines:
            line["first_name"] = names[line["first"]]
            line["last_name"] = names[line["last"]] if line["last"] != line["first"] else ""
        summary.append({**block, "lines": lines})
    return summary


def _organisations(request):
    return access.organisations_visible_to(request.user).order_by("name")


def _initial(request) -> dict:
    initial = {k: request.GET.get(k) for k in ("date", "start", "end") if request.GET.get(k)}
    if request.GET.get("organisation"):
        initial["organisation"] = request.GET["organisation"]
    return initial


def _quote(request, equipment, form, *, moving=None):
    """The quote of the slot the form holds (None until it holds one)."""
    if not form.is_bound:  # a slot chosen on the calendar: checked without showing errors
        form = BookingForm(
            form.initial, organisations=form.organisations, moving=moving is not None
        )
    if not form.is_valid():
        return None
    organisation = form.cleaned_data.get("organisation") or (
        form.organisations[0].pk if form.organisations else None
    )
    return services.booking_quote(
        user=request.user,
        equipment=equipment,
        start=form.cleaned_data["start_at"],
        end=form.cleaned_data["end_at"],
        organisation=organisation,
        moving=moving,
    )


def _balance(quote):
    if quote is None or quote.organisation is None:
        return None
    return selectors.lab_credit_balance(
        organisation=quote.organisation, on=clock.local_date(quote.start)
    )


def _book_context(request, equipment, form, *, moving=None, quote="auto") -> dict:
    if quote == "auto":
        quote = _quote(request, equipment, form, moving=moving) if _has_slot(form) else None
    return {
        "machine": equipment,
        "form": form,
        "quote": quote,
        "balance": _balance(quote),
        "moving": moving,
        "week": request.GET.get("week", ""),
        "day": request.GET.get("day", ""),
    }


def _has_slot(form) -> bool:
    source = form.data if form.is_bound else form.initial
    return all(source.get(k) for k in ("date", "start", "end"))


@login_required
def machine(request, pk: int):
    equipment = get_object_or_404(selectors.equipment_list(), pk=pk)
    organisations = list(_organisations(request))
    projects = list(project_selectors.projects_open_for_person(request.user))
    quote = "auto"
    if request.method == "POST":
        form = BookingForm(request.POST, organisations=organisations, projects=projects)
        if form.is_valid():
            try:
                services.booking_create(
                    user=request.user,
                    equipment=equipment,
                    start=form.cleaned_data["start_at"],
                    end=form.cleaned_data["end_at"],
                    organisation=form.cleaned_data.get("organisation"),
                    notes=form.cleaned_data.get("notes", ""),
                    project=form.cleaned_data.get("project"),
                )
            except DomainError as exc:
                form.add_domain_error(exc)
                quote = None
            else:
                messages.success(request, _("Your booking is recorded."))
                return redirect("frontend:booking-mine")
    else:
        form = BookingForm(
            initial=_initial(request), organisations=organisations, projects=projects
        )
    context = Calendar(request, equipment).context()
    context.update(_book_context(request, equipment, form, quote=quote))
    context["opening"] = opening_summary(selectors.opening_rules_for(equipment))
    return render(request, "frontend/booking/machine.html", context)


def _moving_from(request) -> Booking | None:
    booking_id = request.GET.get("move")
    if not booking_id:
        return None
    return get_object_or_404(selectors.bookings_visible_to(request.user), pk=booking_id)


@login_required
def machine_slots(request, pk: int):
    """The htmx partial: the calendar of the chosen week (and day, on phones)."""
    equipment = get_object_or_404(selectors.equipment_list(), pk=pk)
    moving = _moving_from(request)
    if moving is not None and moving.equipment_id != equipment.pk:
        raise Http404
    return render(
        request,
        "frontend/booking/_calendar.html",
        Calendar(request, equipment, moving=moving).context(),
    )


@login_required
def machine_quote(request, pk: int):
    """The htmx partial: the booking form filled with the chosen slot, and its quote."""
    equipment = get_object_or_404(selectors.equipment_list(), pk=pk)
    form = BookingForm(initial=_initial(request), organisations=list(_organisations(request)))
    return render(request, "frontend/booking/_book.html", _book_context(request, equipment, form))


def _live_booking(request, pk: int) -> Booking:
    return get_object_or_404(
        selectors.bookings_visible_to(request.user).filter(status__in=LIVE_STATUSES), pk=pk
    )


@login_required
def move(request, pk: int):
    """Move a booking: the machine's calendar (as if the booking were not there) and the form."""
    booking = _live_booking(request, pk)
    equipment = booking.equipment
    quote = "auto"
    if request.method == "POST":
        form = BookingForm(request.POST, organisations=[], moving=True)
        if form.is_valid():
            try:
                services.booking_move(
                    user=request.user,
                    booking=booking,
                    start=form.cleaned_data["start_at"],
                    end=form.cleaned_data["end_at"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
                quote = None
            else:
                messages.success(request, _("The booking is moved."))
                return redirect("frontend:booking-mine")
    else:
        form = BookingForm(initial=_initial(request), organisations=[], moving=True)
    context = Calendar(request, equipment, moving=booking).context()
    context.update(_book_context(request, equipment, form, moving=booking, quote=quote))
    context["booking"] = booking
    return render(request, "frontend/booking/move.html", context)


@login_required
def move_quote(request, pk: int):
    booking = _live_booking(request, pk)
    form = BookingForm(initial=_initial(request), organisations=[], moving=True)
    return render(
        request,
        "frontend/booking/_book.html",
        _book_context(request, booking.equipment, form, moving=booking),
    )


@login_required
def my_bookings(request):
    """Coming up (in progress included), soonest first; or the past, latest first."""
    now = timezone.now()
    past = request.GET.get("when") == "past"
    mine = selectors.bookings_of(request.user)
    if past:
        bookings = mine.filter(end__lte=now).order_by("-start", "-id")
    else:
        bookings = mine.filter(end__gt=now).order_by("start", "id")
    page = Paginator(bookings, 25).get_page(request.GET.get("page"))
    feeds = [
        (feed, request.build_absolute_uri(f"/api/v1/calendar/{feed.token}.ics"))
        for feed in selectors.feed_tokens_of(request.user)
    ]
    return render(
        request,
        "frontend/booking/mine.html",
        {"page": page, "past": past, "live": LIVE_STATUSES, "now": now, "feeds": feeds},
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
    return redirect_next(request, "frontend:booking-mine")


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
    path("lab/machines/<int:pk>/quote/", machine_quote, name="booking-machine-quote"),
    path("lab/bookings/<int:pk>/move/", move, name="booking-move"),
    path("lab/bookings/<int:pk>/move/quote/", move_quote, name="booking-move-quote"),
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
