"""Demo of the cluster nursery: a programme, a closed and scored call, a cohort at work.

Idempotent: every row is found again by its natural key. The figures below are module
constants so that tests can check the cohort report against them by hand.
"""

import datetime
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from caiac.accounts.demo import DEMO_PASSWORD, DemoContext
from caiac.accounts.models import Role, User
from incubation import services
from incubation.models import (
    Application,
    ApplicationStatus,
    Call,
    Cohort,
    Criterion,
    Evaluation,
    Incubatee,
    JurorAssignment,
    KpiReport,
    MentoringSession,
    Milestone,
    Programme,
    ProgrammeStage,
    Question,
    Stage,
)

TZ = zoneinfo.ZoneInfo("Africa/Casablanca")

PROGRAMME = "Pépinière cosmétique Souss Massa"
PROGRAMME_STAGES = [
    # stage, free lab hours per month, trainings included
    (Stage.PRE_INCUBATION, Decimal("4"), ["Good manufacturing practice (ISO 22716)"]),
    (
        Stage.INCUBATION,
        Decimal("10"),
        ["Good manufacturing practice (ISO 22716)", "Vacuum emulsifier: safe use"],
    ),
    (Stage.ACCELERATION, Decimal("20"), ["Export labelling (EU 1223/2009)"]),
]
PROTOTYPING = "CAIAC prototyping track"

COHORT = "Cohorte 2026 — Pépinière cosmétique"
COHORT_DATES = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))

CALL = "Appel à candidatures 2026 — Pépinière cosmétique"
CALL_OPENS = datetime.datetime(2025, 11, 3, 9, 0, tzinfo=TZ)
CALL_CLOSES = datetime.datetime(2025, 12, 15, 18, 0, tzinfo=TZ)
QUESTIONS = [
    "Quel produit voulez-vous mettre sur le marché\u00a0?",
    "Qui sont vos clients, et comment les atteignez-vous\u00a0?",
    "Qui compose l'équipe, et qu'apporte chacun\u00a0?",
]
CRITERIA = [
    # name, weight, max score
    ("Innovation", Decimal("3"), 10),
    ("Potentiel de marché", Decimal("2"), 10),
    ("Équipe", Decimal("2"), 5),
    ("Impact social et environnemental", Decimal("1"), 5),
]
JURORS = [
    ("jury1", "Amina", "Berrada"),
    ("jury2", "Omar", "Chraibi"),
]
AMALOU = "Coopérative Féminine Amalou Argan"
ATLAS = "Atlas Essences SARL"
NECTAR = "Nectar de l'Anti-Atlas"
SNACKS = "Souss Bio Snacks"
# organisation -> (decision, scores of jury1, scores of jury2), scores in CRITERIA order
APPLICATIONS = {
    AMALOU: (ApplicationStatus.ADMITTED, (8, 7, 5, 5), (9, 6, 4, 5)),
    ATLAS: (ApplicationStatus.ADMITTED, (9, 8, 4, 3), (8, 9, 5, 3)),
    NECTAR: (ApplicationStatus.ADMITTED, (7, 6, 4, 4), (6, 7, 3, 4)),
    SNACKS: (ApplicationStatus.DECLINED, (5, 6, 3, 2), (4, 5, 3, 3)),
}
DECLINE_REASON = "Projet agroalimentaire\u00a0: mieux adapté au parcours de prototypage du CAIAC."
# organisation -> stage reached (moved forward from pre-incubation)
STAGES = {AMALOU: Stage.INCUBATION, ATLAS: Stage.ACCELERATION, NECTAR: Stage.PRE_INCUBATION}

# organisation -> [(title, due in N days from the day the demo is loaded, status)]: relative,
# like the rest of the demo, so that whatever the day one is due soon and one is overdue.
MILESTONES = {
    AMALOU: [
        ("Enregistrement du produit à l'ONSSA", -190, "done"),
        ("Emballage export (étiquetage UE)", 10, "in_progress"),  # due soon: on Fatima's home
    ],
    ATLAS: [
        ("Lot pilote de 500 unités", -145, "done"),
        ("Levée de fonds d'amorçage", 83, "todo"),
    ],
    NECTAR: [
        ("Plan d'affaires", -68, "done"),
        ("Test de stabilité de la formulation (3 mois)", -53, "todo"),  # overdue
    ],
}
# organisation -> [(mentor, date, hours, topic)]
MENTORING = {
    AMALOU: [
        (
            "Dr Amina Berrada",
            datetime.date(2026, 3, 12),
            Decimal("2.0"),
            "Réglementation cosmétique",
        ),
        ("Omar Chraibi", datetime.date(2026, 6, 20), Decimal("1.5"), "Prix à l'export"),
    ],
    ATLAS: [("Omar Chraibi", datetime.date(2026, 4, 8), Decimal("3.0"), "Levée de fonds")],
    NECTAR: [
        ("Dr Amina Berrada", datetime.date(2026, 9, 15), Decimal("2.5"), "Tests de stabilité")
    ],
}
# organisation -> {period: (revenue, jobs women, jobs men, funding, products, certs, exports)}
KPIS = {
    AMALOU: {
        "2026-Q2": (Decimal(180000), 4, 0, Decimal(0), 1, ["Organic (Ecocert)"], Decimal(60000)),
        "2026-Q3": (Decimal(210000), 2, 1, Decimal(150000), 2, ["ISO 22716"], Decimal(75000)),
    },
    ATLAS: {
        "2026-Q2": (Decimal(95000), 1, 1, Decimal(300000), 1, [], Decimal(0)),
        "2026-Q3": (Decimal(130000), 1, 0, Decimal(0), 2, ["ISO 22716"], Decimal(20000)),
    },
    NECTAR: {
        "2026-Q2": (Decimal(20000), 1, 0, Decimal(0), 0, [], Decimal(0)),
        "2026-Q3": (Decimal(35000), 0, 1, Decimal(50000), 1, ["Organic (Ecocert)"], Decimal(0)),
    },
}

OPEN_CALL = "CAIAC prototyping track — Appel 2027"
PROTOTYPING_COHORT = "Prototyping track 2027"


def _programmes() -> tuple[Programme, Programme]:
    programme, _ = Programme.objects.get_or_create(
        name=PROGRAMME,
        defaults={
            "description": "Pré-incubation, incubation et accélération des start-ups et "
            "coopératives cosmétiques du cluster Souss Massa."
        },
    )
    for stage, hours, trainings in PROGRAMME_STAGES:
        ProgrammeStage.objects.update_or_create(
            programme=programme,
            stage=stage,
            defaults={"lab_hours_per_month": hours, "trainings_included": trainings},
        )
    prototyping, _ = Programme.objects.get_or_create(
        name=PROTOTYPING,
        defaults={
            "description": "Six mois pour réaliser à la Halle un prototype prêt pour le marché."
        },
    )
    ProgrammeStage.objects.update_or_create(
        programme=prototyping,
        stage=Stage.INCUBATION,
        defaults={"lab_hours_per_month": Decimal("15")},
    )
    return programme, prototyping


def _jurors() -> list[User]:
    jurors = []
    for username, first, last in JURORS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.caiac.ma",
                "role": Role.MEMBER,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        jurors.append(user)
    return jurors


def _call(programme: Programme, cohort: Cohort) -> Call:
    call, created = Call.objects.get_or_create(
        title=CALL,
        defaults={
            "programme": programme,
            "cohort": cohort,
            "opens_at": CALL_OPENS,
            "closes_at": CALL_CLOSES,
            "description": "Douze mois d'accompagnement pour les start-ups et coopératives "
            "cosmétiques.",
        },
    )
    if created:
        for position, text in enumerate(QUESTIONS):
            Question.objects.create(call=call, position=position, text=text)
        for position, (name, weight, max_score) in enumerate(CRITERIA):
            Criterion.objects.create(
                call=call, position=position, name=name, weight=weight, max_score=max_score
            )
    return call


def _applications(ctx: DemoContext, call: Call, jurors: list[User]) -> None:
    staff = ctx.users["staff"]
    criteria = list(call.criteria.order_by("position"))
    questions = list(call.questions.order_by("position"))
    for name, (decision, *scores) in APPLICATIONS.items():
        organisation = ctx.organisations[name]
        owner = organisation.memberships.order_by("id").first().user
        submitted_at = CALL_CLOSES - datetime.timedelta(days=5)
        application, _ = Application.objects.get_or_create(
            call=call,
            organisation=organisation,
            defaults={
                "status": decision,
                "answers": {str(q.pk): f"{name}: {q.text.lower()}" for q in questions},
                "created_by": owner,
                "submitted_by": owner,
                "submitted_at": submitted_at,
                "decided_by": staff,
                "decided_at": CALL_CLOSES + datetime.timedelta(days=10),
                "decision_reason": DECLINE_REASON if decision == ApplicationStatus.DECLINED else "",
            },
        )
        for juror, juror_scores in zip(jurors, scores, strict=True):
            JurorAssignment.objects.get_or_create(
                application=application, juror=juror, defaults={"assigned_by": staff}
            )
            for criterion, score in zip(criteria, juror_scores, strict=True):
                Evaluation.objects.get_or_create(
                    application=application,
                    juror=juror,
                    criterion=criterion,
                    defaults={"score": score},
                )


def _incubatees(ctx: DemoContext, cohort: Cohort, call: Call) -> dict[str, Incubatee]:
    staff = ctx.users["staff"]
    incubatees = {}
    for name, stage in STAGES.items():
        organisation = ctx.organisations[name]
        incubatee = Incubatee.objects.filter(cohort=cohort, organisation=organisation).first()
        if incubatee is None:
            incubatee = services.incubatee_create(
                by=staff,
                cohort=cohort,
                organisation=organisation,
                application=Application.objects.get(call=call, organisation=organisation),
                reason="Admise par le jury 2026.",
            )
            order = [Stage.PRE_INCUBATION, Stage.INCUBATION, Stage.ACCELERATION]
            for next_stage in order[1 : order.index(stage) + 1]:
                incubatee = services.incubatee_move_stage(
                    by=staff,
                    incubatee=incubatee,
                    stage=next_stage,
                    reason="Jalons de l'étape précédente atteints.",
                )
        incubatees[name] = incubatee
    return incubatees


def _follow_up(ctx: DemoContext, incubatees: dict[str, Incubatee]) -> None:
    staff = ctx.users["staff"]
    today = timezone.localdate()
    for name, incubatee in incubatees.items():
        owner = incubatee.organisation.memberships.order_by("id").first().user
        for title, due_in_days, status in MILESTONES[name]:
            if not Milestone.objects.filter(incubatee=incubatee, title=title).exists():
                services.milestone_create(
                    by=staff,
                    incubatee=incubatee,
                    title=title,
                    due_date=today + datetime.timedelta(days=due_in_days),
                    owner=owner,
                    status=status,
                )
        for mentor, date, hours, topic in MENTORING[name]:
            MentoringSession.objects.get_or_create(
                incubatee=incubatee,
                date=date,
                topic=topic,
                defaults={"mentor_name": mentor, "hours": hours, "created_by": staff},
            )
        for period, figures in KPIS[name].items():
            revenue, women, men, funding, products, certifications, exports = figures
            KpiReport.objects.get_or_create(
                incubatee=incubatee,
                period=period,
                defaults={
                    "revenue_mad": revenue,
                    "jobs_women": women,
                    "jobs_men": men,
                    "funding_raised_mad": funding,
                    "products_launched": products,
                    "certifications": certifications,
                    "exports": exports > 0,
                    "exports_mad": exports,
                    "submitted_by": owner,
                    "submitted_at": timezone.now(),
                },
            )


def _open_call(prototyping: Programme) -> Call:
    cohort, _ = Cohort.objects.get_or_create(
        programme=prototyping,
        name=PROTOTYPING_COHORT,
        defaults={
            "year": 2027,
            "starts_on": datetime.date(2027, 2, 1),
            "ends_on": datetime.date(2027, 12, 31),
        },
    )
    now = timezone.now()
    call, created = Call.objects.get_or_create(
        title=OPEN_CALL,
        defaults={
            "programme": prototyping,
            "cohort": cohort,
            "opens_at": now - datetime.timedelta(days=7),
            "closes_at": now + datetime.timedelta(days=60),
            "description": "Venez avec une idée, repartez avec un prototype fait à la Halle.",
        },
    )
    if created:
        Question.objects.create(call=call, position=0, text="Que voulez-vous prototyper\u00a0?")
        Question.objects.create(
            call=call,
            position=1,
            text="De quelles machines de la Halle avez-vous besoin\u00a0?",
            required=False,
        )
        Criterion.objects.create(
            call=call, position=0, name="Faisabilité", weight=Decimal(2), max_score=10
        )
        Criterion.objects.create(
            call=call, position=1, name="Potentiel de marché", weight=Decimal(1), max_score=10
        )
    return call


# The open call's applications waiting for the jurors' scores: organisation -> answers.
TO_SCORE = {
    SNACKS: [
        "Des chips de figue de barbarie séchée, sans sucre ajouté.",
        "Lyophilisateur, soudeuse à bande.",
    ],
    "Laboratoire Phytochimie UIZ": [
        "Un hydrolat de romarin pour les start-ups cosmétiques de la région.",
        "Alambic à huiles essentielles, autoclave.",
    ],
}


def _applications_to_score(ctx: DemoContext, call: Call, jurors: list[User]) -> int:
    staff = ctx.users["staff"]
    questions = list(call.questions.order_by("position"))
    for name, answers in TO_SCORE.items():
        organisation = ctx.organisations[name]
        owner = organisation.memberships.order_by("id").first().user
        application, _ = Application.objects.get_or_create(
            call=call,
            organisation=organisation,
            defaults={
                "status": ApplicationStatus.SUBMITTED,
                "answers": {str(q.pk): a for q, a in zip(questions, answers, strict=False)},
                "created_by": owner,
                "submitted_by": owner,
                "submitted_at": timezone.now() - datetime.timedelta(days=2),
            },
        )
        for juror in jurors:
            JurorAssignment.objects.get_or_create(
                application=application, juror=juror, defaults={"assigned_by": staff}
            )
    return len(TO_SCORE)


@transaction.atomic
def seed(ctx: DemoContext) -> list[str]:
    programme, prototyping = _programmes()
    cohort, _ = Cohort.objects.get_or_create(
        programme=programme,
        name=COHORT,
        defaults={"year": 2026, "starts_on": COHORT_DATES[0], "ends_on": COHORT_DATES[1]},
    )
    jurors = _jurors()
    call = _call(programme, cohort)
    _applications(ctx, call, jurors)
    incubatees = _incubatees(ctx, cohort, call)
    _follow_up(ctx, incubatees)
    open_call = _open_call(prototyping)
    to_score = _applications_to_score(ctx, open_call, jurors)
    return [
        f"incubation: programmes “{PROGRAMME}” and “{PROTOTYPING}”, closed call “{CALL}” "
        f"({len(APPLICATIONS)} scored applications), cohort “{COHORT}” "
        f"({len(incubatees)} incubatees), open call “{OPEN_CALL}”",
        "  jurors: "
        + ", ".join(username for username, *_ in JURORS)
        + f" ({to_score} applications of the open call to score)",
    ]
