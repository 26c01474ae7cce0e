"""Every write of R&D projects. The API, the pages and the admin call these.

Who may write: cluster staff, and the owners of a partner organisation (the lead included).
The people of a partner organisation read; a deliverable's owner also reports its progress.
Anyone else meets 404 ``not_found``: they may not even learn that the project exists.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access, files
from caiac.accounts.models import Organisation, OrganisationKind, Sector, User
from caiac.errors import Conflict, Invalid, NotAllowed, NotFound
from caiac.projects import selectors
from caiac.projects.models import (
    MAX_YEAR,
    MIN_YEAR,
    STATUS_TRANSITIONS,
    Deliverable,
    DeliverableStatus,
    FundingSource,
    PartnerRole,
    Project,
    ProjectDocument,
    ProjectFunding,
    ProjectPartner,
    ProjectStatus,
    ProjectStatusChange,
)

PROJECT_FIELDS = ("title", "summary", "theme", "tags", "starts_on", "ends_on", "budget_mad")
DELIVERABLE_FIELDS = ("title", "description", "due_date", "owner")
DELIVERABLE_PROGRESS_FIELDS = ("status", "evidence_file", "evidence_link")
MAX_TAGS = 12


# --- Checks shared by the services ---------------------------------------------------------------
def require_sees(by: Any, project: Project) -> None:
    """Not a partner's person nor staff: the project does not exist for them."""
    if not selectors.projects_visible_to(by).filter(pk=project.pk).exists():
        raise NotFound()


def require_editor(by: Any, project: Project) -> None:
    """Staff or an owner of a partner organisation; a partner's plain member gets 403."""
    access.require_signed_in(by)
    require_sees(by, project)
    if not selectors.may_edit(by, project):
        raise NotAllowed(
            _("Only an owner of a partner organisation (or cluster staff) can change a project."),
            code="not_organisation_owner",
        )


def _amount(value: Any, field: str) -> Decimal:
    amount = Decimal(value if value is not None else 0)
    if amount < 0:
        raise Invalid(
            _("Amounts cannot be negative."),
            code="invalid",
            fields={field: [str(_("Zero or more."))]},
        )
    return amount


def _check_dates(starts_on: datetime.date | None, ends_on: datetime.date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise Invalid(
            _("A project cannot end before it starts."),
            code="invalid",
            fields={"ends_on": [str(_("After the start."))]},
        )


def _clean_tags(tags: Iterable[Any] | None) -> list[str]:
    cleaned: list[str] = []
    for tag in tags or ():
        text = str(tag).strip()[:40]
        if text and text.lower() not in (t.lower() for t in cleaned):
            cleaned.append(text)
    if len(cleaned) > MAX_TAGS:
        raise Invalid(
            _("At most %(n)s tags.") % {"n": MAX_TAGS},
            code="invalid",
            fields={"tags": [str(_("Too many."))]},
        )
    return cleaned


def _set_fields(instance: Any, data: dict, allowed: tuple[str, ...]) -> list[str]:
    changed = []
    for field in allowed:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    return changed


# --- Projects ------------------------------------------------------------------------------------
@transaction.atomic
def project_create(
    *,
    by: User,
    lead: Organisation,
    title: str,
    theme: str,
    summary: str = "",
    tags: Iterable[str] | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    budget_mad: Decimal = Decimal("0"),
    status: str = ProjectStatus.IDEA,
    reason: str = "",
) -> Project:
    """A new project led by ``lead``: by an owner of it, or staff (who may record a project
    already under way, at any status; the history says who did)."""
    access.require_owner_of(by, lead)
    if status != ProjectStatus.IDEA:
        access.require_staff(by)
    if status not in ProjectStatus.values:
        raise Invalid(_("Unknown status."), code="invalid", fields={"status": ["?"]})
    _check_dates(starts_on, ends_on)
    now = timezone.now()
    project = Project.objects.create(
        title=title.strip(),
        summary=summary,
        theme=theme,
        tags=_clean_tags(tags),
        lead=lead,
        starts_on=starts_on,
        ends_on=ends_on,
        budget_mad=_amount(budget_mad, "budget_mad"),
        status=status,
        status_changed_at=now,
        created_by=by,
    )
    ProjectPartner.objects.create(project=project, organisation=lead, role=PartnerRole.LEAD)
    ProjectStatusChange.objects.create(
        project=project,
        from_status="",
        to_status=status,
        changed_at=now,
        changed_by=by,
        reason=reason.strip(),
    )
    return project


@transaction.atomic
def project_update(*, by: User, project: Project, **data: Any) -> Project:
    """Title, summary, theme, tags, dates and budget (the status has its own service)."""
    require_editor(by, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if "tags" in data:
        data["tags"] = _clean_tags(data["tags"])
    if "budget_mad" in data:
        data["budget_mad"] = _amount(data["budget_mad"], "budget_mad")
    if "title" in data:
        data["title"] = data["title"].strip()
    _check_dates(data.get("starts_on", project.starts_on), data.get("ends_on", project.ends_on))
    if _set_fields(project, data, PROJECT_FIELDS):
        project.save()
    return Project.objects.select_related("lead").get(pk=project.pk)


def next_statuses(status: str) -> tuple[str, ...]:
    return STATUS_TRANSITIONS.get(status, ())


@transaction.atomic
def project_change_status(*, by: User, project: Project, status: str, reason: str) -> Project:
    """One step of the workflow, with a reason; the change is kept (from, to, when, who, why).
    400 ``invalid_status_transition`` for a step the workflow does not have."""
    require_editor(by, project)
    project = Project.objects.select_for_update().select_related("lead").get(pk=project.pk)
    if status not in next_statuses(project.status):
        raise Invalid(
            _("A project cannot go from %(from)s to %(to)s.")
            % {"from": project.get_status_display(), "to": ProjectStatus(status).label}
            if status in ProjectStatus.values
            else _("Unknown status."),
            code="invalid_status_transition",
            fields={"status": [str(_("Not allowed from the current status."))]},
        )
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            _("Please give a reason."),
            code="reason_required",
            fields={"reason": [str(_("Required."))]},
        )
    now = timezone.now()
    ProjectStatusChange.objects.create(
        project=project,
        from_status=project.status,
        to_status=status,
        changed_at=now,
        changed_by=by,
        reason=reason,
    )
    project.status = status
    project.status_changed_at = now
    project.save(update_fields=["status", "status_changed_at", "updated_at"])
    return project


# --- Partners ------------------------------------------------------------------------------------
def _outside_organisation(name: str, kind: str, sector: str, city: str) -> Organisation:
    """An organisation recorded only as a partner: not a cluster member (the same name as an
    existing organisation is that organisation)."""
    name = name.strip()
    existing = Organisation.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    if kind not in OrganisationKind.values:
        raise Invalid(
            _("Say what kind of organisation it is."),
            code="invalid",
            fields={"organisation_kind": [str(_("Required."))]},
        )
    return Organisation.objects.create(
        name=name,
        kind=kind,
        sector=sector if sector in Sector.values else Sector.BOTH,
        city=city.strip(),
        is_cluster_member=False,
    )


@transaction.atomic
def partner_add(
    *,
    by: User,
    project: Project,
    role: str,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    organisation_kind: str = "",
    organisation_sector: str = "",
    organisation_city: str = "",
    contribution: str = "",
    joined_on: datetime.date | None = None,
) -> ProjectPartner:
    """A partner: an organisation of the platform, or one recorded here by name (a research lab,
    an outside company: a non-member organisation). 409 ``already_partner`` twice."""
    require_editor(by, project)
    if role == PartnerRole.LEAD or role not in PartnerRole.values:
        raise Invalid(
            _("A project has one lead, named when it is created."),
            code="invalid",
            fields={"role": [str(_("Choose another role."))]},
        )
    if organisation is None:
        if not organisation_name.strip():
            raise Invalid(
                _("Choose an organisation or give the name of a new one."),
                code="invalid",
                fields={"organisation": [str(_("Required."))]},
            )
        organisation = _outside_organisation(
            organisation_name, organisation_kind, organisation_sector, organisation_city
        )
    exists = Conflict(
        _("This organisation is already a partner of the project."), code="already_partner"
    )
    if ProjectPartner.objects.filter(project=project, organisation=organisation).exists():
        raise exists
    try:
        with transaction.atomic():
            return ProjectPartner.objects.create(
                project=project,
                organisation=organisation,
                role=role,
                contribution=contribution.strip(),
                joined_on=joined_on,
            )
    except IntegrityError:
        raise exists from None


@transaction.atomic
def partner_update(*, by: User, partner: ProjectPartner, **data: Any) -> ProjectPartner:
    require_editor(by, partner.project)
    if "role" in data and (data["role"] == PartnerRole.LEAD) != (partner.role == PartnerRole.LEAD):
        raise Invalid(
            _("The lead stays the lead; a partner cannot become it."),
            code="invalid",
            fields={"role": [str(_("Choose another role."))]},
        )
    if "contribution" in data:
        data["contribution"] = data["contribution"].strip()
    if _set_fields(partner, data, ("role", "contribution", "joined_on")):
        partner.save()
    return partner


@transaction.atomic
def partner_remove(*, by: User, partner: ProjectPartner) -> None:
    require_editor(by, partner.project)
    if partner.role == PartnerRole.LEAD:
        raise Invalid(
            _("The lead organisation cannot leave its project."), code="lead_cannot_leave"
        )
    partner.delete()


# --- Funding -------------------------------------------------------------------------------------
def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(
            _("Give a year such as 2026."),
            code="invalid",
            fields={"year": [str(_("Not a valid year."))]},
        )


@transaction.atomic
def funding_create(
    *,
    by: User,
    project: Project,
    source: FundingSource,
    year: int,
    committed_mad: Decimal = Decimal("0"),
    received_mad: Decimal = Decimal("0"),
    note: str = "",
) -> ProjectFunding:
    """What one source commits and pays to a project in one year; once per source and year
    (409 ``funding_exists``: change the row instead)."""
    require_editor(by, project)
    _check_year(year)
    if not source.is_active:
        raise Invalid(
            _("This funding source is no longer in use."),
            code="funding_source_inactive",
            fields={"source": [str(_("Inactive."))]},
        )
    exists = Conflict(
        _("This source already has an amount for that year; change it instead."),
        code="funding_exists",
    )
    if ProjectFunding.objects.filter(project=project, source=source, year=year).exists():
        raise exists
    try:
        with transaction.atomic():
            return ProjectFunding.objects.create(
                project=project,
                source=source,
                year=year,
                committed_mad=_amount(committed_mad, "committed_mad"),
                received_mad=_amount(received_mad, "received_mad"),
                note=note.strip(),
                updated_by=by,
            )
    except IntegrityError:
        raise exists from None


@transaction.atomic
def funding_update(*, by: User, funding: ProjectFunding, **data: Any) -> ProjectFunding:
    require_editor(by, funding.project)
    funding = ProjectFunding.objects.select_for_update().get(pk=funding.pk)
    for field in ("committed_mad", "received_mad"):
        if field in data:
            data[field] = _amount(data[field], field)
    if "note" in data:
        data["note"] = data["note"].strip()
    if _set_fields(funding, data, ("committed_mad", "received_mad", "note")):
        funding.updated_by = by
        funding.save()
    return ProjectFunding.objects.select_related("source", "project").get(pk=funding.pk)


@transaction.atomic
def funding_delete(*, by: User, funding: ProjectFunding) -> None:
    require_editor(by, funding.project)
    funding.delete()


# --- Funding sources (staff keep the list) -------------------------------------------------------
@transaction.atomic
def funding_source_create(
    *, by: User, name: str, kind: str, description: str = "", is_active: bool = True
) -> FundingSource:
    access.require_staff(by)
    name = name.strip()
    if FundingSource.objects.filter(name__iexact=name).exists():
        raise Conflict(_("A funding source of that name exists."), code="funding_source_exists")
    return FundingSource.objects.create(
        name=name, kind=kind, description=description, is_active=is_active
    )


@transaction.atomic
def funding_source_update(*, by: User, source: FundingSource, **data: Any) -> FundingSource:
    access.require_staff(by)
    if "name" in data:
        data["name"] = data["name"].strip()
        if FundingSource.objects.filter(name__iexact=data["name"]).exclude(pk=source.pk).exists():
            raise Conflict(_("A funding source of that name exists."), code="funding_source_exists")
    if _set_fields(source, data, ("name", "kind", "description", "is_active")):
        source.save()
    return source


# --- Deliverables --------------------------------------------------------------------------------
def _check_deliverable_owner(project: Project, owner: User | None) -> None:
    if owner is None or access.is_staff(owner):
        return
    partner_ids = ProjectPartner.objects.filter(project=project).values("organisation_id")
    if access.organisation_ids_of(owner).filter(organisation_id__in=partner_ids).exists():
        return
    raise Invalid(
        _("The owner must belong to a partner organisation, or be cluster staff."),
        code="invalid",
        fields={"owner": [str(_("Not one of the partners' people."))]},
    )


def _checked_evidence(evidence_file: Any, field: str = "evidence_file") -> Any:
    if evidence_file:
        evidence_file.name = files.check_upload(evidence_file, field=field)
    return evidence_file


def _apply_delivery(deliverable: Deliverable) -> None:
    if deliverable.status == DeliverableStatus.DELIVERED:
        deliverable.delivered_at = deliverable.delivered_at or timezone.now()
    else:
        deliverable.delivered_at = None


@transaction.atomic
def deliverable_create(
    *,
    by: User,
    project: Project,
    title: str,
    due_date: datetime.date,
    description: str = "",
    owner: User | None = None,
    status: str = DeliverableStatus.PLANNED,
    evidence_link: str = "",
    evidence_file: Any = None,
) -> Deliverable:
    require_editor(by, project)
    _check_deliverable_owner(project, owner)
    evidence_file = _checked_evidence(evidence_file)
    deliverable = Deliverable(
        project=project,
        title=title.strip(),
        description=description,
        due_date=due_date,
        owner=owner,
        status=status,
        evidence_link=evidence_link,
    )
    if evidence_file:
        deliverable.evidence_file = evidence_file
    _apply_delivery(deliverable)
    deliverable.save()
    return deliverable


@transaction.atomic
def deliverable_update(*, by: User, deliverable: Deliverable, **data: Any) -> Deliverable:
    """Editors change anything; the deliverable's owner reports progress (status, evidence)."""
    deliverable = (
        Deliverable.objects.select_for_update(of=("self",))
        .select_related("project", "owner")
        .get(pk=deliverable.pk)
    )
    project = deliverable.project
    require_sees(by, project)
    is_owner = deliverable.owner_id is not None and deliverable.owner_id == getattr(by, "pk", None)
    if not (is_owner and set(data) <= set(DELIVERABLE_PROGRESS_FIELDS)):
        require_editor(by, project)
    if "owner" in data:
        _check_deliverable_owner(project, data["owner"])
    previous_file = deliverable.evidence_file.name
    if "evidence_file" in data:
        data["evidence_file"] = _checked_evidence(data["evidence_file"]) or ""
    _set_fields(deliverable, data, DELIVERABLE_FIELDS + DELIVERABLE_PROGRESS_FIELDS)
    _apply_delivery(deliverable)
    deliverable.save()
    if previous_file and deliverable.evidence_file.name != previous_file:
        files.discard(previous_file)
    return deliverable


@transaction.atomic
def deliverable_delete(*, by: User, deliverable: Deliverable) -> None:
    require_editor(by, deliverable.project)
    deliverable.delete()  # its evidence file goes too (ProjectsConfig.ready)


# --- Documents -----------------------------------------------------------------------------------
@transaction.atomic
def document_add(*, by: User, project: Project, title: str, file: Any) -> ProjectDocument:
    """A document of the project (PDF, image, office file; checked by content, 10 MB at most)."""
    require_editor(by, project)
    if not file:
        raise Invalid(_("Choose a file."), code="invalid", fields={"file": [str(_("Required."))]})
    file.name = files.check_upload(file, field="file")
    return ProjectDocument.objects.create(
        project=project, title=title.strip() or file.name, file=file, uploaded_by=by
    )


@transaction.atomic
def document_delete(*, by: User, document: ProjectDocument) -> None:
    require_editor(by, document.project)
    document.delete()


# --- Linking lab use to a project (booking, trainings, incubation call this) ---------------------
def _not_partner(field: str) -> Invalid:
    return Invalid(
        _("This project is not one your organisation takes part in."),
        code="project_not_partner",
        fields={field: [str(_("Choose a project of the organisation."))]},
    )


def _require_open(project: Project, field: str) -> Project:
    if not project.is_open:
        raise Invalid(
            _("This project is %(status)s: it can no longer be charged with lab use.")
            % {"status": project.get_status_display().lower()},
            code="project_not_open",
            fields={field: [str(_("Closed, rejected or abandoned."))]},
        )
    return project


def project_for_person(
    *, project: Project | int | None, person: Any, field: str = "project"
) -> Project | None:
    """The project a training session names, checked against the person scheduling it: staff
    may name any open project; a trainer one their own organisation takes part in."""
    if project is None:
        return None
    project_id = project if isinstance(project, int) else project.pk
    found = Project.objects.filter(pk=project_id).first()
    if found is None:
        raise _not_partner(field)
    if (
        not access.is_staff(person)
        and not ProjectPartner.objects.filter(
            project=found, organisation_id__in=access.organisation_ids_of(person)
        ).exists()
    ):
        raise _not_partner(field)
    return _require_open(found, field)


def project_for_organisation(
    *,
    project: Project | int | None,
    organisation: Organisation | int | None,
    field: str = "project",
) -> Project | None:
    """The project a booking, a training session or a mentoring session names, checked: it must
    be one the organisation takes part in (400 ``project_not_partner``, the same answer for a
    project that does not exist, so nothing leaks) and still open (400 ``project_not_open``)."""
    if project is None:
        return None
    project_id = project if isinstance(project, int) else project.pk
    found = Project.objects.filter(pk=project_id).first()
    if found is None or not selectors.takes_part(organisation, found):
        raise _not_partner(field)
    return _require_open(found, field)
