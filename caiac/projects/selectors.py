"""Reads of R&D projects that need thought: who sees which project, figures for reports.

Who sees a project: cluster staff, and the people of its partner organisations (the lead is a
partner too). Anyone else is told it does not exist (404): a project's budget and funding are
the partners' business.
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from caiac import access, clock
from caiac.accounts.models import Organisation
from caiac.projects.models import (
    OPEN_STATUSES,
    Deliverable,
    FundingSource,
    PartnerRole,
    Project,
    ProjectDocument,
    ProjectFunding,
    ProjectPartner,
    ProjectStatus,
)

ZERO = Decimal("0.00")


# --- Who sees what -------------------------------------------------------------------------------
def projects_visible_to(person: Any) -> QuerySet[Project]:
    """Every project for staff; for anyone else those one of their organisations takes part in."""
    projects = Project.objects.select_related("lead")
    if access.is_staff(person):
        return projects
    if not access.is_signed_in(person):
        return projects.none()
    partnered = ProjectPartner.objects.filter(
        project_id=OuterRef("pk"), organisation_id__in=access.organisation_ids_of(person)
    )
    return projects.filter(Exists(partnered))


def project_get_for_user(*, user: Any, project_id: Any) -> Project:
    """The project if ``user`` may see it, else 404 ``not_found``."""
    return access.get_for_person_or_404(projects_visible_to(user), user, project_id, via=None)


def takes_part(organisation: Organisation | int | None, project: Project | int) -> bool:
    """Whether the organisation is a partner (the lead included) of the project."""
    if organisation is None:
        return False
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    project_id = project if isinstance(project, int) else project.pk
    return ProjectPartner.objects.filter(
        project_id=project_id, organisation_id=organisation_id
    ).exists()


def may_edit(person: Any, project: Project) -> bool:
    """Staff, and the owners of a partner organisation."""
    if access.is_staff(person):
        return True
    if not access.is_signed_in(person):
        return False
    owned = access.organisation_ids_of(person).filter(role="owner")
    return ProjectPartner.objects.filter(project=project, organisation_id__in=owned).exists()


def projects_open_for(organisation: Organisation | int | None) -> QuerySet[Project]:
    """Projects an organisation takes part in that may still spend the lab (for the forms that
    link a booking, a session or a mentoring session to a project)."""
    if organisation is None:
        return Project.objects.none()
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return Project.objects.filter(
        status__in=OPEN_STATUSES, partners__organisation_id=organisation_id
    ).order_by("title")


def projects_open_for_person(person: Any) -> QuerySet[Project]:
    """Open projects of any organisation the person belongs to (staff: every open project)."""
    return projects_visible_to(person).filter(status__in=OPEN_STATUSES).order_by("title")


# --- The parts of one project --------------------------------------------------------------------
def partners_of(project: Project) -> QuerySet[ProjectPartner]:
    """The partners, the lead first (its row is written when the project is created)."""
    return (
        ProjectPartner.objects.filter(project=project).select_related("organisation").order_by("id")
    )


def funding_of(project: Project) -> QuerySet[ProjectFunding]:
    return (
        ProjectFunding.objects.filter(project=project)
        .select_related("source")
        .order_by("year", "source__name", "id")
    )


def deliverables_of(project: Project) -> QuerySet[Deliverable]:
    return (
        Deliverable.objects.filter(project=project)
        .select_related("owner", "project")
        .order_by("due_date", "id")
    )


def documents_of(project: Project) -> QuerySet[ProjectDocument]:
    return (
        ProjectDocument.objects.filter(project=project)
        .select_related("uploaded_by", "project")
        .order_by("-uploaded_at", "-id")
    )


def funding_totals(project: Project) -> dict[str, Decimal]:
    totals = ProjectFunding.objects.filter(project=project).aggregate(
        committed=Sum("committed_mad"), received=Sum("received_mad")
    )
    return {k: v or ZERO for k, v in totals.items()}


def with_parts(projects: QuerySet[Project]) -> QuerySet[Project]:
    """A list of projects with their partners (and organisations) and funding fetched in a
    fixed number of queries."""
    return projects.prefetch_related(
        Prefetch(
            "partners",
            queryset=ProjectPartner.objects.select_related("organisation").order_by("id"),
        ),
        Prefetch(
            "funding", queryset=ProjectFunding.objects.select_related("source").order_by("year")
        ),
    )


def funding_sources_active() -> QuerySet[FundingSource]:
    return FundingSource.objects.filter(is_active=True).order_by("name")


# --- Figures for reports (the cluster's year, dashboards) ---------------------------------------
def projects_active_in_year(year: int) -> QuerySet[Project]:
    """Projects whose run touches the calendar year (undated ones: when they had a status change
    in it), or that have funding recorded for it.

    The year is [1 January 00:00, next 1 January 00:00) on the Casablanca wall clock, as two UTC
    instants computed here (DESIGN.md, "Time"): a ``__year`` lookup would take the bounds from
    whatever time zone is active at the call, or, against an expression, convert in SQL with the
    database's own stale copy of the rules."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    start, end = clock.start_of_day(first), clock.start_of_day(datetime.date(year + 1, 1, 1))
    runs = Q(starts_on__lte=last) & (Q(ends_on__isnull=True) | Q(ends_on__gte=first))
    undated = (
        Q(starts_on__isnull=True)
        & Q(status_changes__changed_at__gte=start)
        & Q(status_changes__changed_at__lt=end)
    )
    funded = Q(funding__year=year)
    return Project.objects.filter(runs | undated | funded).distinct()


def funding_rows(*, year: int, projects: QuerySet[Project] | None = None) -> QuerySet:
    """The funding rows of a year, each with its project and source (for detail sheets)."""
    rows = ProjectFunding.objects.filter(year=year).select_related("project__lead", "source")
    if projects is not None:
        rows = rows.filter(project__in=projects)
    return rows.order_by("source__name", "project__title", "id")


def funding_by_source(*, year: int) -> list[dict[str, Any]]:
    """Money mobilised on projects in a year, per source: committed and received (MAD)."""
    totals: dict[int, dict[str, Any]] = {}
    for row in (
        ProjectFunding.objects.filter(year=year)
        .values("source_id", "source__name", "source__kind")
        .annotate(committed=Sum("committed_mad"), received=Sum("received_mad"))
        .order_by("source__name")
    ):
        totals[row["source_id"]] = {
            "source_id": row["source_id"],
            "source": row["source__name"],
            "kind": row["source__kind"],
            "committed_mad": row["committed"] or ZERO,
            "received_mad": row["received"] or ZERO,
        }
    return list(totals.values())


def projects_by_status(projects: QuerySet[Project]) -> dict[str, int]:
    counts = {status: 0 for status in ProjectStatus.values}
    for status in projects.values_list("status", flat=True):
        counts[status] += 1
    return counts


def partners_involved(projects: QuerySet[Project]) -> QuerySet[Organisation]:
    """The distinct organisations taking part in these projects (the leads included)."""
    return Organisation.objects.filter(
        project_partnerships__project__in=projects.values("pk")
    ).distinct()


def partner_roles_count(projects: QuerySet[Project]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for role in ProjectPartner.objects.filter(project__in=projects.values("pk")).values_list(
        "role", flat=True
    ):
        counts[role] += 1
    return {role: counts.get(role, 0) for role in PartnerRole.values}
