"""Programmes, calls for applications, applications and jury scoring."""

import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access
from caiac.accounts.models import Organisation, User
from caiac.errors import Conflict, Invalid, NotAllowed
from caiac.notifications.services import message_schedule
from incubation import selectors
from incubation.models import (
    LIVE_STAGES,
    Application,
    ApplicationStatus,
    Call,
    Cohort,
    Criterion,
    Evaluation,
    Incubatee,
    JurorAssignment,
    Programme,
    ProgrammeStage,
    Question,
    Stage,
)
from incubation.services._common import require_reason

DECISION_KIND = "incubation.application_decision"


# --- Programmes ----------------------------------------------------------------------------------
def _replace_stages(programme: Programme, stages: list[dict[str, Any]]) -> None:
    seen = set()
    for data in stages:
        if data["stage"] not in LIVE_STAGES:
            raise Invalid(
                _("Only pre-incubation, incubation and acceleration carry benefits."),
                code="invalid",
                fields={"stages": [str(_("Not a live stage."))]},
            )
        if data["stage"] in seen:
            raise Invalid(
                _("Each stage can be described once."),
                code="invalid",
                fields={"stages": [str(_("Stage listed twice."))]},
            )
        seen.add(data["stage"])
        ProgrammeStage.objects.update_or_create(
            programme=programme,
            stage=data["stage"],
            defaults={
                "description": data.get("description", ""),
                "lab_hours_per_month": data.get("lab_hours_per_month", Decimal(0)),
                "trainings_included": data.get("trainings_included", []),
            },
        )
    programme.stages.exclude(stage__in=seen).delete()


@transaction.atomic
def programme_create(
    *,
    by: User,
    name: str,
    description: str = "",
    is_active: bool = True,
    stages: list[dict[str, Any]] | None = None,
) -> Programme:
    access.require_staff(by)
    if Programme.objects.filter(name__iexact=name).exists():
        raise Conflict(
            _("A programme with this name already exists."),
            code="programme_exists",
            fields={"name": [str(_("Already taken."))]},
        )
    programme = Programme.objects.create(name=name, description=description, is_active=is_active)
    _replace_stages(programme, stages or [])
    return programme


@transaction.atomic
def programme_update(*, by: User, programme: Programme, **data: Any) -> Programme:
    access.require_staff(by)
    for field in ("name", "description", "is_active"):
        if field in data:
            setattr(programme, field, data[field])
    programme.save()
    if "stages" in data:
        _replace_stages(programme, data["stages"])
    return programme


# --- Calls ---------------------------------------------------------------------------------------
def _check_call_dates(opens_at: datetime.datetime, closes_at: datetime.datetime) -> None:
    if closes_at <= opens_at:
        raise Invalid(
            _("A call must close after it opens."),
            code="invalid",
            fields={"closes_at": [str(_("Must be after the opening."))]},
        )


def _replace_questions_and_criteria(call: Call, data: dict[str, Any]) -> None:
    if ("criteria" in data or "questions" in data) and call.applications.filter(
        evaluations__isnull=False
    ).exists():
        raise Conflict(
            _("Scoring has started: the criteria and questions can no longer change."),
            code="scoring_started",
        )
    if "questions" in data:
        call.questions.all().delete()
        for position, question in enumerate(data["questions"]):
            Question.objects.create(call=call, position=position, **question)
    if "criteria" in data:
        if not data["criteria"]:
            raise Invalid(
                _("A call needs at least one scoring criterion."),
                code="invalid",
                fields={"criteria": [str(_("At least one."))]},
            )
        call.criteria.all().delete()
        for position, criterion in enumerate(data["criteria"]):
            Criterion.objects.create(call=call, position=position, **criterion)


@transaction.atomic
def call_create(
    *,
    by: User,
    programme: Programme,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    criteria: list[dict[str, Any]],
    questions: list[dict[str, Any]] | None = None,
    description: str = "",
    cohort: Cohort | None = None,
) -> Call:
    access.require_staff(by)
    _check_call_dates(opens_at, closes_at)
    _check_cohort(programme, cohort)
    call = Call.objects.create(
        programme=programme,
        title=title,
        description=description,
        opens_at=opens_at,
        closes_at=closes_at,
        cohort=cohort,
    )
    _replace_questions_and_criteria(call, {"criteria": criteria, "questions": questions or []})
    return call


@transaction.atomic
def call_update(*, by: User, call: Call, **data: Any) -> Call:
    access.require_staff(by)
    call = Call.objects.select_for_update().get(pk=call.pk)
    for field in ("title", "description", "opens_at", "closes_at", "cohort"):
        if field in data:
            setattr(call, field, data[field])
    _check_call_dates(call.opens_at, call.closes_at)
    _check_cohort(call.programme, call.cohort)
    call.save()
    _replace_questions_and_criteria(call, data)
    return call


def _check_cohort(programme: Programme, cohort: Cohort | None) -> None:
    if cohort is not None and cohort.programme_id != programme.pk:
        raise Invalid(
            _("The cohort belongs to another programme."),
            code="invalid",
            fields={"cohort": [str(_("Not a cohort of this programme."))]},
        )


# --- Applications --------------------------------------------------------------------------------
def _require_open(call: Call) -> None:
    if selectors.call_is_open(call):
        return
    if timezone.now() < call.opens_at:
        raise Invalid(_("This call is not open yet."), code="call_not_open")
    raise Invalid(_("This call is closed: the deadline has passed."), code="call_closed")


def _clean_answers(call: Call, answers: dict[str, Any]) -> dict[str, str]:
    valid_ids = {str(pk) for pk in call.questions.values_list("pk", flat=True)}
    unknown = sorted(set(map(str, answers)) - valid_ids)
    if unknown:
        raise Invalid(
            _("Some answers do not match a question of this call."),
            code="invalid",
            fields={"answers": [str(_("Unknown question: %s")) % ", ".join(unknown)]},
        )
    return {str(k): str(v).strip() for k, v in answers.items()}


@transaction.atomic
def application_create(
    *,
    by: User,
    call: Call,
    organisation: Organisation | None = None,
    answers: dict[str, Any] | None = None,
) -> Application:
    """A draft application of ``organisation`` (its members only; staff do not apply on an
    organisation's behalf) while the call is open. Without one: the person's only organisation."""
    organisation = organisation or access.default_organisation_of(by)
    if organisation is None and not access.organisations_of(by).exists():
        raise NotAllowed(
            _("You do not belong to an organisation that can apply."), code="not_a_member"
        )
    if organisation is None:
        raise Invalid(
            _("Name the organisation you apply for."),
            code="organisation_required",
            fields={"organisation": [str(_("Required."))]},
        )
    access.require_member_of(by, organisation, staff_too=False)
    _require_open(call)
    if Application.objects.filter(call=call, organisation=organisation).exists():
        raise Conflict(
            _("This organisation has already applied to this call."), code="application_exists"
        )
    try:
        with transaction.atomic():
            return Application.objects.create(
                call=call,
                organisation=organisation,
                answers=_clean_answers(call, answers or {}),
                created_by=by,
            )
    except IntegrityError:  # a concurrent request won the race the check above could not see
        raise Conflict(
            _("This organisation has already applied to this call."), code="application_exists"
        ) from None


def _locked_draft(by: User, application: Application) -> Application:
    application = (
        Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    )
    access.require_member_of(by, application.organisation_id, staff_too=False)
    _require_open(application.call)
    if application.status != ApplicationStatus.DRAFT:
        raise Invalid(
            _("This application has been submitted and can no longer change."),
            code="application_submitted",
        )
    return application


@transaction.atomic
def application_update(
    *, by: User, application: Application, answers: dict[str, Any]
) -> Application:
    application = _locked_draft(by, application)
    application.answers = {**application.answers, **_clean_answers(application.call, answers)}
    application.save(update_fields=["answers", "updated_at"])
    return application


@transaction.atomic
def application_submit(*, by: User, application: Application) -> Application:
    application = _locked_draft(by, application)
    missing = [
        str(q.pk)
        for q in application.call.questions.filter(required=True)
        if not application.answers.get(str(q.pk))
    ]
    if missing:
        raise Invalid(
            _("Please answer every required question before submitting."),
            code="answers_missing",
            fields={"answers": [str(_("Missing answers to questions: %s")) % ", ".join(missing)]},
        )
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = timezone.now()
    application.submitted_by = by
    application.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    return application


# --- Jury ----------------------------------------------------------------------------------------
@transaction.atomic
def jurors_assign(*, by: User, application: Application, jurors: list[User]) -> Application:
    """Add jurors to an application (already assigned ones are kept as they are)."""
    access.require_staff(by)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Invalid(
            _("Jurors are assigned to submitted applications awaiting a decision."),
            code="invalid_application_status",
        )
    for juror in jurors:
        if access.is_member_of(juror, application.organisation_id):
            raise Invalid(
                _("%(name)s belongs to the applicant organisation and cannot judge it.")
                % {"name": juror.display_name},
                code="juror_conflict",
                fields={"jurors": [str(_("Member of the applicant."))]},
            )
        JurorAssignment.objects.get_or_create(
            application=application, juror=juror, defaults={"assigned_by": by}
        )
    return application


@transaction.atomic
def call_jurors_assign(*, by: User, call: Call, jurors: list[User]) -> dict[str, list]:
    """Put ``jurors`` on the jury of every submitted application of the call (those already
    there stay). A juror who belongs to an applicant is skipped for that application only.
    Returns ``{"assigned": [(application, juror), ...], "skipped": [...]}``."""
    access.require_staff(by)
    result: dict[str, list] = {"assigned": [], "skipped": []}
    applications = (
        Application.objects.select_for_update(of=("self",))
        .filter(call=call, status=ApplicationStatus.SUBMITTED)
        .select_related("organisation")
        .order_by("pk")
    )
    for application in applications:
        for juror in jurors:
            if access.is_member_of(juror, application.organisation_id):
                result["skipped"].append((application, juror))
                continue
            _assignment, created = JurorAssignment.objects.get_or_create(
                application=application, juror=juror, defaults={"assigned_by": by}
            )
            if created:
                result["assigned"].append((application, juror))
    return result


@transaction.atomic
def call_juror_remove(*, by: User, call: Call, juror: User) -> dict[str, list[Application]]:
    """Take ``juror`` off the jury of the call's applications awaiting a decision.

    Where they have already given a score they stay (their scores count in the ranking, and a
    score is never withdrawn): those applications come back as ``kept``. Decided applications
    keep the jury that decided them. Returns ``{"removed": [...], "kept": [...]}``."""
    access.require_staff(by)
    # Locked first, then the scores read: a score given at the same moment (evaluation_create
    # locks the same row) is either refused or seen here.
    assignments = list(
        JurorAssignment.objects.select_for_update(of=("self",))
        .filter(
            application__call=call,
            application__status=ApplicationStatus.SUBMITTED,
            juror=juror,
        )
        .select_related("application__organisation")
        .order_by("application__organisation__name", "pk")
    )
    scored = set(
        Evaluation.objects.filter(
            juror=juror, application_id__in=[a.application_id for a in assignments]
        ).values_list("application_id", flat=True)
    )
    result: dict[str, list[Application]] = {"removed": [], "kept": []}
    for assignment in assignments:
        if assignment.application_id in scored:
            result["kept"].append(assignment.application)
        else:
            result["removed"].append(assignment.application)
    JurorAssignment.objects.filter(
        pk__in=[a.pk for a in assignments if a.application_id not in scored]
    ).delete()
    return result


@transaction.atomic
def evaluation_create(
    *,
    juror: User,
    application: Application,
    criterion: Criterion,
    score: int,
    comment: str = "",
) -> Evaluation:
    """One juror's score of one criterion; given once (409 ``already_scored`` the second time)."""
    application = Application.objects.get(pk=application.pk)
    # The assignment row is locked: a juror taken off the jury at this moment is either refused
    # here or scores first and is kept on it (``call_juror_remove`` locks the same rows).
    assignment = (
        JurorAssignment.objects.select_for_update()
        .filter(application=application, juror=juror)
        .first()
    )
    if assignment is None:
        raise NotAllowed(_("You are not a juror of this application."), code="not_assigned")
    if application.status != ApplicationStatus.SUBMITTED:
        raise Invalid(
            _("Only submitted applications awaiting a decision can be scored."),
            code="invalid_application_status",
        )
    if criterion.call_id != application.call_id:
        raise Invalid(
            _("This criterion belongs to another call."),
            code="invalid",
            fields={"criterion": [str(_("Not a criterion of this call."))]},
        )
    if not 0 <= score <= criterion.max_score:
        raise Invalid(
            _("The score must be between 0 and %(max)s.") % {"max": criterion.max_score},
            code="invalid",
            fields={"score": [str(_("Between 0 and %(max)s.") % {"max": criterion.max_score})]},
        )
    already = Conflict(_("You have already scored this criterion."), code="already_scored")
    if Evaluation.objects.filter(
        application=application, juror=juror, criterion=criterion
    ).exists():
        raise already
    try:
        with transaction.atomic():
            return Evaluation.objects.create(
                application=application,
                juror=juror,
                criterion=criterion,
                score=score,
                comment=comment,
            )
    except IntegrityError:
        raise already from None


@transaction.atomic
def evaluations_submit(
    *, juror: User, application: Application, scores: list[dict[str, Any]]
) -> list[Evaluation]:
    """Several criteria at once (the scoring form); all or nothing."""
    return [evaluation_create(juror=juror, application=application, **score) for score in scores]


# --- Decisions -----------------------------------------------------------------------------------
def _locked_submitted(application: Application) -> Application:
    application = (
        Application.objects.select_for_update()
        .select_related("call", "organisation")
        .get(pk=application.pk)
    )
    if application.status != ApplicationStatus.SUBMITTED:
        raise Invalid(
            _("Only a submitted application awaiting a decision can be admitted or declined."),
            code="invalid_application_status",
        )
    return application


def _tell_applicant(application: Application, cohort: Cohort | None) -> None:
    message_schedule(
        recipient=application.submitted_by or application.created_by,
        kind=DECISION_KIND,
        dedup_key=f"application:{application.pk}:decision",
        about=application,
        context={
            "application_id": application.pk,
            "call": application.call.title,
            "organisation": application.organisation.name,
            "decision": application.status,
            "reason": application.decision_reason,
            "cohort": cohort.name if cohort else "",
        },
    )


@transaction.atomic
def application_admit(
    *, by: User, application: Application, cohort: Cohort | None = None, reason: str = ""
) -> Application:
    """Admit; with a cohort (given, or the call's), the organisation joins it in pre-incubation."""
    from incubation.services.incubatees import incubatee_create

    access.require_staff(by)
    application = _locked_submitted(application)
    cohort = cohort or application.call.cohort
    if cohort is not None:
        _check_cohort(application.call.programme, cohort)
    application.status = ApplicationStatus.ADMITTED
    application.decided_by = by
    application.decided_at = timezone.now()
    application.decision_reason = reason.strip()
    application.save()
    if cohort is not None:
        existing = Incubatee.objects.filter(
            cohort=cohort, organisation=application.organisation
        ).first()
        if existing is None:
            incubatee_create(
                by=by,
                cohort=cohort,
                organisation=application.organisation,
                stage=Stage.PRE_INCUBATION,
                application=application,
                reason=str(_("Admitted through the call “%s”.") % application.call.title),
            )
    _tell_applicant(application, cohort)
    return application


@transaction.atomic
def application_decline(*, by: User, application: Application, reason: str) -> Application:
    access.require_staff(by)
    reason = require_reason(reason)
    application = _locked_submitted(application)
    application.status = ApplicationStatus.DECLINED
    application.decided_by = by
    application.decided_at = timezone.now()
    application.decision_reason = reason
    application.save()
    _tell_applicant(application, None)
    return application
