"""Demo people and organisations of a real-looking Souss Massa lab. Idempotent."""

from dataclasses import dataclass, field

from django.db import transaction

from caiac.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Role,
    Sector,
    User,
)

DEMO_PASSWORD = "caiac-demo-2026"

ORGANISATIONS = [
    {
        "name": "Coopérative Féminine Amalou Argan",
        "kind": OrganisationKind.COOPERATIVE,
        "sector": Sector.BOTH,
        "city": "Taroudant",
        "is_cluster_member": True,
        "contact_name": "Fatima Ait Lahcen",
        "contact_email": "contact@amalou-argan.ma",
    },
    {
        "name": "Atlas Essences SARL",
        "kind": OrganisationKind.STARTUP,
        "sector": Sector.COSMETICS,
        "city": "Agadir",
        "is_cluster_member": True,
        "contact_name": "Youssef Benali",
        "contact_email": "hello@atlas-essences.ma",
    },
    {
        "name": "Nectar de l'Anti-Atlas",
        "kind": OrganisationKind.STARTUP,
        "sector": Sector.COSMETICS,
        "city": "Tiznit",
        "is_cluster_member": False,
        "contact_name": "Salma Ouchen",
        "contact_email": "salma@nectar-antiatlas.ma",
    },
    {
        "name": "Souss Bio Snacks",
        "kind": OrganisationKind.STARTUP,
        "sector": Sector.AGRIFOOD,
        "city": "Inezgane",
        "is_cluster_member": True,
        "contact_name": "Hamid Idrissi",
        "contact_email": "hamid@soussbiosnacks.ma",
    },
    {
        "name": "Laboratoire Phytochimie UIZ",
        "kind": OrganisationKind.RESEARCH_LAB,
        "sector": Sector.BOTH,
        "city": "Agadir",
        "is_cluster_member": True,
        "contact_name": "Pr. Khadija Amrani",
        "contact_email": "phytochimie@uiz.ac.ma",
    },
]

# username, first, last, role, language, [(organisation, membership role)]
PEOPLE = [
    ("staff", "Nadia", "El Fassi", Role.STAFF, "fr", []),
    ("trainer", "Rachid", "Ouzzine", Role.TRAINER, "fr", []),
    ("trainer2", "Meryem", "Tazi", Role.TRAINER, "ar", []),
    ("fatima", "Fatima", "Ait Lahcen", Role.MEMBER, "ar",
     [("Coopérative Féminine Amalou Argan", MembershipRole.OWNER)]),
    ("aicha", "Aïcha", "Boutaleb", Role.MEMBER, "ar",
     [("Coopérative Féminine Amalou Argan", MembershipRole.MEMBER)]),
    ("youssef", "Youssef", "Benali", Role.MEMBER, "fr",
     [("Atlas Essences SARL", MembershipRole.OWNER)]),
    ("salma", "Salma", "Ouchen", Role.MEMBER, "fr",
     [("Nectar de l'Anti-Atlas", MembershipRole.OWNER)]),
    ("hamid", "Hamid", "Idrissi", Role.MEMBER, "fr",
     [("Souss Bio Snacks", MembershipRole.OWNER)]),
    ("khadija", "Khadija", "Amrani", Role.MEMBER, "en",
     [("Laboratoire Phytochimie UIZ", MembershipRole.OWNER)]),
]  # fmt: skip


@dataclass
class DemoContext:
    users: dict[str, User] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)


@transaction.atomic
def seed() -> tuple[DemoContext, list[str]]:
    ctx = DemoContext()
    for data in ORGANISATIONS:
        organisation, _ = Organisation.objects.update_or_create(
            name=data["name"], defaults={k: v for k, v in data.items() if k != "name"}
        )
        ctx.organisations[organisation.name] = organisation
    for username, first, last, role, language, memberships in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.caiac.ma",
                "role": role,
                "language": language,
                "is_staff": role == Role.STAFF,
                # The back office (/admin/) shows nothing to a staff user without permissions.
                "is_superuser": role == Role.STAFF,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        elif role == Role.STAFF and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True  # a demo seeded before this fix
            user.save(update_fields=["is_staff", "is_superuser"])
        ctx.users[username] = user
        for organisation_name, membership_role in memberships:
            Membership.objects.get_or_create(
                user=user,
                organisation=ctx.organisations[organisation_name],
                defaults={"role": membership_role},
            )
    lines = [
        f"{len(ctx.organisations)} organisations, {len(ctx.users)} people "
        f"(password for all: {DEMO_PASSWORD})",
        "  staff: staff · trainers: trainer, trainer2 · members: "
        + ", ".join(u for u, *_rest, m in PEOPLE if m),
    ]
    return ctx, lines
