"""Demo of collaborative R&D in the Souss Massa: argan, prickly pear and Kelaat M'Gouna rose
projects with their partners (Université Ibn Zohr, ANPMA, GIZ...), funding by source and year,
deliverables, and lab bookings made for them.

Idempotent: sources, organisations and projects are found again by name."""

import datetime
from decimal import Decimal

from django.db import transaction

from caiac.accounts.demo import DemoContext
from caiac.accounts.models import Organisation, OrganisationKind, Sector
from caiac.projects import services
from caiac.projects.models import FundingSource, Project, ProjectStatus

SOURCES = [
    ("Ministère de l'Industrie — appui aux clusters", "state"),
    ("Tamwilcom — Innov Invest", "state"),
    ("Région Souss Massa", "region"),
    ("GIZ — Partenariat pour l'emploi (PPE)", "international"),
    ("Crédit Agricole du Maroc", "bank"),
    ("Business angels", "private"),
    ("Fonds propres", "own_funds"),
]

# Partners that are not cluster members: recorded as organisations of their own.
LAB = OrganisationKind.RESEARCH_LAB
OUTSIDE = [
    ("Université Ibn Zohr — Faculté des Sciences", LAB, "Agadir"),
    ("ANPMA — Agence nationale des plantes médicinales et aromatiques", LAB, "Taounate"),
    ("GIZ Maroc", OrganisationKind.OTHER, "Rabat"),
    ("Verrerie de l'Atlas SARL", OrganisationKind.COMPANY, "Casablanca"),
]

AMALOU = "Coopérative Féminine Amalou Argan"
ATLAS = "Atlas Essences SARL"
NECTAR = "Nectar de l'Anti-Atlas"
SNACKS = "Souss Bio Snacks"
UIZ_LAB = "Laboratoire Phytochimie UIZ"
UIZ = OUTSIDE[0][0]
ANPMA = OUTSIDE[1][0]
GIZ = OUTSIDE[2][0]
GLASS = OUTSIDE[3][0]

PROJECTS = [
    {
        "title": "Huile d'argan cosmétique stabilisée sans conservateur de synthèse",
        "lead": AMALOU,
        "owner": "fatima",
        "theme": Sector.COSMETICS,
        "tags": ["argan", "antioxydants naturels", "stabilité"],
        "summary": (
            "Allonger la durée de vie de l'huile d'argan cosmétique de la coopérative avec des "
            "extraits de romarin et de tocophérols, sans conservateur de synthèse, et valider la "
            "stabilité accélérée au laboratoire."
        ),
        "dates": (datetime.date(2026, 1, 15), datetime.date(2027, 6, 30)),
        "budget": Decimal("920000"),
        "steps": [
            ("submitted", "Déposé au programme PPE de la GIZ"),
            ("funded", "Convention de financement signée avec la GIZ et la Région"),
            ("running", "Lancement des essais de stabilité"),
        ],
        "partners": [
            (UIZ_LAB, "research", "Analyses HPLC et stabilité accélérée"),
            (ANPMA, "research", "Sélection des extraits de romarin"),
            (GIZ, "funder", "Financement PPE"),
        ],
        "funding": [
            ("GIZ — Partenariat pour l'emploi (PPE)", 2026, "450000", "300000"),
            ("Région Souss Massa", 2026, "250000", "100000"),
            ("Fonds propres", 2026, "60000", "60000"),
            ("GIZ — Partenariat pour l'emploi (PPE)", 2027, "150000", "0"),
        ],
        "deliverables": [
            (
                "Protocole de stabilité accélérée",
                datetime.date(2026, 4, 30),
                "khadija",
                "delivered",
            ),
            ("Lot pilote de 200 flacons", datetime.date(2026, 12, 18), "fatima", "in_progress"),
            ("Dossier de notification cosmétique", datetime.date(2027, 5, 31), "fatima", "planned"),
        ],
    },
    {
        "title": "Pépins de figue de barbarie : huile et poudre protéinée",
        "lead": SNACKS,
        "owner": "hamid",
        "theme": Sector.BOTH,
        "tags": ["cactus", "extraction CO2", "valorisation des coproduits"],
        "summary": (
            "Valoriser les pépins de figue de barbarie de Sidi Ifni : huile par extraction CO2 "
            "supercritique pour la cosmétique, tourteau en poudre protéinée pour les snacks."
        ),
        "dates": (datetime.date(2026, 9, 1), datetime.date(2028, 2, 29)),
        "budget": Decimal("1350000"),
        "steps": [
            ("submitted", "Dossier Innov Invest déposé"),
            ("funded", "Subvention Innov Invest accordée"),
        ],
        "partners": [
            (UIZ, "research", "Caractérisation des huiles et des protéines"),
            (ATLAS, "industrial", "Formulation d'un sérum à l'huile de pépins"),
        ],
        "funding": [
            ("Tamwilcom — Innov Invest", 2026, "600000", "0"),
            ("Crédit Agricole du Maroc", 2026, "300000", "150000"),
            ("Tamwilcom — Innov Invest", 2027, "200000", "0"),
        ],
        "deliverables": [
            ("Plan d'essais d'extraction CO2", datetime.date(2026, 12, 31), "hamid", "planned"),
        ],
    },
    {
        "title": "Eau florale de rose de Kelaat M'Gouna par distillation douce",
        "lead": ATLAS,
        "owner": "youssef",
        "theme": Sector.COSMETICS,
        "tags": ["rose de Damas", "distillation", "Vallée du Dadès"],
        "summary": (
            "Mettre au point une distillation à basse température de la rose de Damas de "
            "Kelaat M'Gouna pour une eau florale plus riche en alcool phényléthylique."
        ),
        "dates": (datetime.date(2027, 3, 1), datetime.date(2027, 12, 31)),
        "budget": Decimal("380000"),
        "steps": [("submitted", "Déposé à l'appel à projets du Ministère de l'Industrie")],
        "partners": [
            (NECTAR, "industrial", "Approvisionnement en roses et conditionnement"),
            (ANPMA, "research", "Profil aromatique"),
            (GLASS, "subcontractor", "Flacons en verre ambré"),
        ],
        "funding": [("Fonds propres", 2027, "80000", "0")],
        "deliverables": [],
    },
    {
        "title": "Amlou allégé en sucre pour l'export",
        "lead": SNACKS,
        "owner": "hamid",
        "theme": Sector.AGRIFOOD,
        "tags": ["amlou", "amande", "export"],
        "summary": "Une recette d'amlou à l'huile d'argan alimentaire, moins sucrée.",
        "dates": (None, None),
        "budget": Decimal("0"),
        "steps": [],
        "partners": [(AMALOU, "industrial", "Huile d'argan alimentaire")],
        "funding": [],
        "deliverables": [],
    },
]


def _sources() -> dict[str, FundingSource]:
    sources = {}
    for name, kind in SOURCES:
        source, _ = FundingSource.objects.get_or_create(name=name, defaults={"kind": kind})
        sources[name] = source
    return sources


def _outside_partners() -> None:
    for name, kind, city in OUTSIDE:
        Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "sector": Sector.BOTH,
                "city": city,
                "is_cluster_member": False,
            },
        )


def _project(ctx: DemoContext, data: dict, sources: dict[str, FundingSource]) -> Project | None:
    if Project.objects.filter(title=data["title"]).exists():
        return None
    lead = ctx.organisations.get(data["lead"]) or Organisation.objects.get(name=data["lead"])
    owner = ctx.users[data["owner"]]
    project = services.project_create(
        by=owner,
        lead=lead,
        title=data["title"],
        theme=data["theme"],
        summary=data["summary"],
        tags=data["tags"],
        starts_on=data["dates"][0],
        ends_on=data["dates"][1],
        budget_mad=data["budget"],
    )
    for name, role, contribution in data["partners"]:
        services.partner_add(
            by=owner,
            project=project,
            organisation=Organisation.objects.get(name=name),
            role=role,
            contribution=contribution,
        )
    for name, year, committed, received in data["funding"]:
        services.funding_create(
            by=owner,
            project=project,
            source=sources[name],
            year=year,
            committed_mad=Decimal(committed),
            received_mad=Decimal(received),
        )
    for title, due, username, status in data["deliverables"]:
        services.deliverable_create(
            by=owner,
            project=project,
            title=title,
            due_date=due,
            owner=ctx.users.get(username),
            status=status,
        )
    for status, reason in data["steps"]:
        project = services.project_change_status(
            by=ctx.users["staff"], project=project, status=status, reason=reason
        )
    return project


def _lab_use(ctx: DemoContext) -> int:
    """The demo bookings of the argan cooperative are for its argan project."""
    from booking.models import Booking

    project = Project.objects.filter(lead__name=AMALOU, status=ProjectStatus.RUNNING).first()
    if project is None:
        return 0
    return Booking.objects.filter(
        organisation__name=AMALOU, kind="member", project__isnull=True
    ).update(project=project)


@transaction.atomic
def seed(ctx: DemoContext) -> list[str]:
    sources = _sources()
    _outside_partners()
    made = [p for p in (_project(ctx, data, sources) for data in PROJECTS) if p is not None]
    linked = _lab_use(ctx)
    return [
        f"R&D projects: {Project.objects.count()} ({len(made)} new), "
        f"{len(sources)} funding sources, {linked} demo bookings linked to a project"
    ]
