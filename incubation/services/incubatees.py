"""Cohorts, incubatees and their stages (with the lab hours each stage brings)."""

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.services import lab_credit_grant
from caiac import access
from caiac.accounts.models import Organisation, User
from caiac.errors import Conflict, Invalid
from caiac.notifications.services import messages_drop
from incubation.models import (
    LIVE_STAGES,
    STAGE_ORDER,
    Application,
    Cohort,
    Incubatee,
    Programme,
    ProgrammeStage,
    Stage,
    StageChange,
)
from incubation.services._common import month_bounds, today


@transaction.atomic
def cohort_create(
    *,
    by: User,
    programme: Programme,
    name: str,
    year: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> Cohort:
    access.require_staff(by)
    _check_dates(starts_on, ends_on)
    if Cohort.objects.filter(programme=programme, name__iexact=name).exists():
        raise Conflict(
            _("This programme already has a cohort with this name."),
            code="cohort_exists",
            fields={"name": [str(_("Already taken."))]},
        )
    return Cohort.objects.create(
        programme=programme, name=name, year=year, starts_on=starts_on, ends_on=ends_on
    )


@transaction.atomic
def cohort_update(*, by: User, cohort: Cohort, **data: Any) -> Cohort:
    access.require_staff(by)
    for field in ("name", "year", "starts_on", "ends_on"):
        if field in data:
            setattr(cohort, field, data[field])
    _check_dates(cohort.starts_on, cohort.ends_on)
    cohort.save()
    return cohort


def _check_dates(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise Invalid(
            _("A cohort cannot end before it starts."),
            code="invalid",
            fields={"ends_on": [str(_("Before the start."))]},
        )


def stage_transition_allowed(current: str, new: str) -> bool:
    """Forward only along the stage order; ``exited`` from any live stage."""
    if current not in LIVE_STAGES:
        return False
    if new == Stage.EXITED:
        return True
    return STAGE_ORDER.index(new) > STAGE_ORDER.index(current)


def next_stages(current: str) -> list[Stage]:
    """The stages an incubatee at ``current`` may move to, forward first, ``exited`` last."""
    return [stage for stage in Stage if stage_transition_allowed(current, stage)]


def lab_hours_grant_for_stage(*, incubatee: Incubatee, on: datetime.date) -> Decimal:
    """Grant the month's free lab hours of the incubatee's current stage (idempotent)."""
    if incubatee.stage not in LIVE_STAGES:
        return Decimal(0)
    benefit = ProgrammeStage.objects.filter(
        programme_id=incubatee.cohort.programme_id, stage=incubatee.stage
    ).first()
    if benefit is None or benefit.lab_hours_per_month <= 0:
        return Decimal(0)
    first, last = month_bounds(on)
    lab_credit_grant(
        organisation=incubatee.organisation,
        period_start=first,
        period_end=last,
        hours=benefit.lab_hours_per_month,
        source=f"{incubatee.cohort.programme.name} — {incubatee.get_stage_display()}",
        source_ref=f"incubatee:{incubatee.pk}:stage:{incubatee.stage}:{first:%Y-%m}",
    )
    return benefit.lab_hours_per_month


@transaction.atomic
def incubatee_create(
    *,
    by: User,
    cohort: Cohort,
    organisation: Organisation,
    stage: str = Stage.PRE_INCUBATION,
    application: Application | None = None,
    reason: str = "",
) -> Incubatee:
    access.require_staff(by)
    if stage not in LIVE_STAGES:
        raise Invalid(
            _("An incubatee starts at a live stage."),
            code="invalid_stage_transition",
            fields={"stage": [str(_("Not a starting stage."))]},
        )
    if Incubatee.objects.filter(cohort=cohort, organisation=organisation).exists():
        raise Conflict(_("This organisation is already in this cohort."), code="incubatee_exists")
    now = timezone.now()
    incubatee = Incubatee.objects.create(
        cohort=cohort,
        organisation=organisation,
        application=application,
        stage=stage,
        stage_started_at=now,
        joined_at=now,
    )
    StageChange.objects.create(
        incubatee=incubatee,
        from_stage="",
        to_stage=stage,
        changed_at=now,
        changed_by=by,
        reason=reason or str(_("Joined the cohort.")),
    )
    lab_hours_grant_for_stage(incubatee=incubatee, on=today())
    return incubatee


@transaction.atomic
def incubatee_move_stage(
    *, by: User, incubatee: Incubatee, stage: str, reason: str = ""
) -> Incubatee:
    access.require_staff(by)
    incubatee = (
        Incubatee.objects.select_for_update()
        .select_related("cohort__programme", "organisation")
        .get(pk=incubatee.pk)
    )
    if not stage_transition_allowed(incubatee.stage, stage):
        raise Invalid(
            _("An incubatee cannot move from %(from)s to %(to)s.")
            % {"from": incubatee.get_stage_display(), "to": Stage(stage).label}
            if stage in Stage.values
            else _("Unknown stage."),
            code="invalid_stage_transition",
            fields={"stage": [str(_("Not allowed from the current stage."))]},
        )
    now = timezone.now()
    StageChange.objects.create(
        incubatee=incubatee,
        from_stage=incubatee.stage,
        to_stage=stage,
        changed_at=now,
        changed_by=by,
        reason=reason.strip(),
    )
    incubatee.stage = stage
    incubatee.stage_started_at = now
    incubatee.save(update_fields=["stage", "stage_started_at"])
    if stage in LIVE_STAGES:
        lab_hours_grant_for_stage(incubatee=incubatee, on=today())
    else:
        # Gone from the nursery: nobody should be reminded of its milestones any more.
        for milestone_id in incubatee.milestones.values_list("pk", flat=True):
            messages_drop(dedup_prefix=f"milestone:{milestone_id}:")
    return incubatee


def lab_hours_grant_monthly(*, on: datetime.date | None = None) -> int:
    """Grant the month of ``on`` to every live incubatee; safe to run any number of times."""
    on = on or today()
    granted = 0
    incubatees = Incubatee.objects.filter(stage__in=LIVE_STAGES).select_related(
        "cohort__programme", "organisation"
    )
    for incubatee in incubatees:
        with transaction.atomic():
            if lab_hours_grant_for_stage(incubatee=incubatee, on=on) > 0:
                granted += 1
    return granted
