"""Staff pages: today's lab, the dashboard with its charts (each also a table and a CSV), usage
per machine (closures are with the catalogue pages). Same services and
selectors as the API; who may see them is ``caiac.access.require_staff`` (403 page otherwise)."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from billing import selectors as billing_selectors
from booking import reports as booking_reports
from booking import selectors, services
from booking.models import Booking, Closure, Equipment, EquipmentStatus
from caiac import access, clock, formatting
from caiac.errors import DomainError
from caiac.exports import Table, csv_response
from frontend.redirects import redirect_next
from incubation import selectors as incubation_selectors
from trainings import selectors as training_selectors
from trainings.models import SessionStatus


def _day(request, name: str = "date") -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate()


# --- Today's lab -----------------------------------------------------------------------------


@login_required
def lab_today(request):
    """Every booking of the day by machine and hour, machines out of service or closed, and the
    training sessions running that day (``?date=YYYY-MM-DD`` for another day)."""
    access.require_staff(request.user)
    day = _day(request)
    start, end = clock.start_of_day(day), clock.start_of_day(day + datetime.timedelta(days=1))
    bookings = list(
        Booking.objects.filter(start__lt=end, end__gt=start)
        .exclude(status__in=["cancelled", "rejected"])
        .select_related("equipment", "organisation", "booked_by")
        .order_by("equipment__name", "start", "id")
    )
    machines = list(Equipment.objects.order_by("name"))
    closures = list(
        Closure.objects.filter(start__lt=end, end__gt=start).select_related("equipment")
    )
    lab_closures = [c for c in closures if c.equipment_id is None]
    by_machine = []
    for machine in machines:
        own = [b for b in bookings if b.equipment_id == machine.pk]
        shut = [c for c in closures if c.equipment_id == machine.pk]
        if own or shut or machine.status != EquipmentStatus.AVAILABLE:
            by_machine.append({"machine": machine, "bookings": own, "closures": shut})
    sessions = list(
        training_selectors.sessions_with_counts()
        .filter(start__lt=end, end__gt=start)
        .exclude(status=SessionStatus.CANCELLED)
    )
    return render(
        request,
        "frontend/staff/today.html",
        {
            "day": day,
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
            "is_today": day == timezone.localdate(),
            "rows": by_machine,
            "count": len(bookings),
            "lab_closures": lab_closures,
            "out_of_service": [m for m in machines if m.status != EquipmentStatus.AVAILABLE],
            "sessions": sessions,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def booking_act(request, pk: int, act: str):
    """One-click check-in / no-show from today's lab (a plain form post; htmx not needed)."""
    access.require_staff(request.user)
    booking = get_object_or_404(Booking, pk=pk)
    service = services.booking_check_in if act == "check-in" else services.booking_no_show
    try:
        service(user=request.user, booking=booking)
        done = _("%(who)s checked in.") if act == "check-in" else _("%(who)s marked no-show.")
        messages.success(request, done % {"who": booking.organisation.name})
    except DomainError as error:
        messages.error(request, f"{booking.organisation.name}: {error.message}")
    return redirect_next(request, "frontend:lab-today")


# --- Closures --------------------------------------------------------------------------------


# --- Dashboard -------------------------------------------------------------------------------


def _dash_period(request) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    default_first = clock.month_start(
        (today.replace(day=1) - datetime.timedelta(days=150)).replace(day=1)
    )
    try:
        first = datetime.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        first = default_first
    try:
        last = datetime.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        last = today
    if last < first:
        first, last = last, first
    return first, min(last, first + datetime.timedelta(days=400))


def _pct(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.1"))


def _month_label(month: datetime.date) -> str:
    return month.strftime("%Y-%m")


def _axis_label(value: str, axis: str | None) -> str:
    """The page's label of a chart row: an ISO week ("2026-11-30") or month ("2026-11") as the
    language writes it ("30 novembre", "novembre 2026"). The CSV keeps the ISO form, which sorts
    and parses."""
    if axis == "week":
        return formatting.date(datetime.date.fromisoformat(value), "MONTH_DAY_FORMAT")
    if axis == "month":
        return formatting.date(datetime.date.fromisoformat(f"{value}-01"), "YEAR_MONTH_FORMAT")
    return value


def dashboard_charts(first: datetime.date, last: datetime.date) -> list[dict]:
    """Every chart of the dashboard: its kind, its table (headers, rows of label + numbers)."""
    weeks, machines = selectors.utilisation_by_week(first=first, last=last)
    kinds = selectors.bookings_by_organisation_kind(first=first, last=last)
    months = selectors.bookings_by_month(first=first, last=last)
    invoiced = {
        r["month"]: r["net"]
        for r in billing_selectors.revenue_by_month(start=clock.month_start(first), end=last)
    }
    people = training_selectors.participants_by_month(first=first, last=last)
    kpis = incubation_selectors.kpis_by_quarter(first=first, last=last)
    charts = [
        {
            "id": "utilisation",
            "title": _("Utilisation per machine per week (%)"),
            "help": _("Hours booked ÷ hours open (opening hours minus closures)."),
            "kind": "line",
            "unit": "%",
            "axis": "week",
            "headers": [_("Week of"), *[m.name for m in machines]],
            "rows": [
                [w.isoformat(), *[_pct(m.utilisation[i]) for m in machines]]
                for i, w in enumerate(weeks)
            ],
        },
        {
            "id": "organisation-kinds",
            "title": _("Bookings by kind of organisation"),
            "help": _("Bookings starting in the period, not cancelled or rejected."),
            "kind": "bar",
            "headers": [_("Kind"), _("Bookings"), _("Hours booked")],
            "rows": [[k["label"], k["bookings"], k["hours"]] for k in kinds],
        },
        {
            "id": "no-shows",
            "title": _("No-show rate per month (%)"),
            "help": _("No-shows among the bookings that ended checked in or no-show."),
            "kind": "line",
            "unit": "%",
            "axis": "month",
            "headers": [_("Month"), _("No-show rate (%)"), _("Checked in"), _("No-shows")],
            "series": 1,
            "rows": [
                [_month_label(m["month"]), _pct(m["no_show_rate"]), m["completed"], m["no_shows"]]
                for m in months
            ],
        },
        {
            "id": "revenue",
            "title": _("Revenue per month (MAD)"),
            "help": _(
                "Booked: price of the bookings checked in or missed that month. Invoiced: "
                "issued invoices net of credit notes, excluding VAT."
            ),
            "kind": "bar",
            "axis": "month",
            "headers": [_("Month"), _("Booked (MAD)"), _("Invoiced (MAD)")],
            "rows": [
                [_month_label(m["month"]), m["booked_mad"], invoiced.get(m["month"], Decimal(0))]
                for m in months
            ],
        },
        {
            "id": "participants",
            "title": _("Training participants per month"),
            "help": _("People marked present; women / men where their profile says so."),
            "kind": "bar",
            "stacked": True,
            "axis": "month",
            "headers": [_("Month"), _("Women"), _("Men"), _("Not stated")],
            "rows": [
                [_month_label(p["month"]), p["women"], p["men"], p["not_stated"]] for p in people
            ],
        },
        {
            "id": "incubation-kpis",
            "title": _("Incubation KPIs per quarter and cohort"),
            "help": _("Sums of the incubatees' quarterly reports."),
            "kind": "bar",
            "headers": [
                _("Cohort and quarter"),
                _("Revenue (MAD)"),
                _("Jobs (women)"),
                _("Jobs (men)"),
                _("Funding raised (MAD)"),
            ],
            "series": 1,
            "rows": [
                [
                    f"{k['cohort']} {k['period']}",
                    k["revenue_mad"],
                    k["jobs_women"],
                    k["jobs_men"],
                    k["funding_raised_mad"],
                ]
                for k in kpis
            ],
        },
    ]
    return charts


@login_required
def dashboard(request):
    access.require_staff(request.user)
    first, last = _dash_period(request)
    charts = dashboard_charts(first, last)
    query = f"from={first.isoformat()}&to={last.isoformat()}"
    for chart in charts:
        chart["csv"] = f"{reverse('frontend:staff-chart-csv', args=[chart['id']])}?{query}"
        # Nothing but zeros: an empty grid says less than a sentence (the table stays).
        chart["blank"] = all(not cell for row in chart["rows"] for cell in row[1:])
        chart["lines"] = [
            (_axis_label(row[0], chart.get("axis")), row[0], row[1:]) for row in chart["rows"]
        ]
    today = timezone.localdate()
    return render(
        request,
        "frontend/staff/dashboard.html",
        {
            "charts": charts,
            "first": first,
            "last": last,
            "presets": [
                (_("This month"), today.replace(day=1), today),
                (
                    _("Last 3 months"),
                    clock.months_between(today - datetime.timedelta(days=62), today)[0],
                    today,
                ),
                (_("This year"), today.replace(month=1, day=1), today),
            ],
            "pending": selectors.approval_queue().count(),
        },
    )


@login_required
def chart_csv(request, chart_id: str):
    access.require_staff(request.user)
    first, last = _dash_period(request)
    chart = next((c for c in dashboard_charts(first, last) if c["id"] == chart_id), None)
    if chart is None:
        raise Http404
    table = Table(title=chart["title"], headers=chart["headers"], rows=chart["rows"])
    return csv_response(table, f"{chart_id}-{first}-{last}.csv")


# --- Usage per machine -----------------------------------------------------------------------


@login_required
def usage(request):
    """Hours booked and used, no-shows and utilisation per machine (and organisation) over a
    period; ``?equipment=`` narrows to one machine; ``?format=csv`` downloads the table."""
    access.require_staff(request.user)
    first, last = _dash_period(request)
    start, end = clock.start_of_day(first), clock.start_of_day(last + datetime.timedelta(days=1))
    report = selectors.usage_report(start=start, end=end)
    machine_id = request.GET.get("equipment", "")
    if machine_id.isdigit():
        report["equipment"] = [r for r in report["equipment"] if r.id == int(machine_id)]
    tables = booking_reports.usage_tables(report)
    if request.GET.get("format") == "csv":
        table = request.GET.get("table", booking_reports.EQUIPMENT)
        if table not in booking_reports.TABLES:
            raise Http404
        return csv_response(tables[table], f"usage-{table}-{first}-{last}.csv")
    return render(
        request,
        "frontend/staff/usage.html",
        {
            "first": first,
            "last": last,
            "machines": Equipment.objects.order_by("name"),
            "machine_id": int(machine_id) if machine_id.isdigit() else None,
            "report": report,
            "tables": tables,
            "csv_query": request.GET.urlencode(),
        },
    )


urlpatterns = [
    path("lab/today/", lab_today, name="lab-today"),
    path(
        "lab/today/bookings/<int:pk>/check-in/",
        booking_act,
        {"act": "check-in"},
        name="lab-check-in",
    ),
    path(
        "lab/today/bookings/<int:pk>/no-show/", booking_act, {"act": "no-show"}, name="lab-no-show"
    ),
    path("lab/usage/", usage, name="staff-usage"),
    path("staff/", dashboard, name="staff-dashboard"),
    path("staff/charts/<slug:chart_id>.csv", chart_csv, name="staff-chart-csv"),
]
