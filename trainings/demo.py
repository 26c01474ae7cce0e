"""Demo courses, sessions in the coming weeks, enrolments and certifications. Idempotent."""

import datetime
from decimal import Decimal

from django.utils import timezone

from caiac.demo_clock import replay_at
from trainings.models import Certification, Course, Enrolment, Session
from trainings.services import certification_grant, session_create, session_enrol

# title, fr title, ar title, description, hours, level, price MAD, validity months, prerequisite
COURSES = [
    ("Lab safety induction", "Accueil sécurité de la halle", "التعريف بقواعد السلامة في المختبر",
     "PPE, chemical storage, spills, fire and first aid in the Halle Technologique.",
     "2", "beginner", "0", 12, None),
    ("GMP for cosmetics — ISO 22716 basics", "BPF cosmétiques — bases de l'ISO 22716",
     "ممارسات التصنيع الجيدة لمستحضرات التجميل — أساسيات ISO 22716",
     "Good manufacturing practice for cosmetics: hygiene, traceability, batch records.",
     "7", "beginner", "300", None, None),
    ("Safe use of the vacuum emulsifier", "Utilisation sûre de l'émulsionneur sous vide",
     "الاستخدام الآمن لجهاز الاستحلاب تحت التفريغ",
     "Creams and lotions on the 10 L vacuum emulsifier: set-up, vacuum, homogeniser, cleaning.",
     "3.5", "intermediate", "250", 24, "GMP for cosmetics — ISO 22716 basics"),
    ("Food packaging and labelling rules", "Règles d'emballage et d'étiquetage alimentaire",
     "قواعد تغليف المواد الغذائية ووضع العلامات عليها",
     "ONSSA rules, mandatory mentions, allergens, lot and dates; using the heat sealer.",
     "4", "beginner", "0", None, None),
    ("Freeze dryer operation", "Conduite du lyophilisateur", "تشغيل جهاز التجفيف بالتجميد",
     "Loading, freezing and drying cycles, defrosting and cleaning of the freeze dryer.",
     "4", "intermediate", "400", 24, "Lab safety induction"),
    ("Essential-oil distillation", "Distillation d'huiles essentielles",
     "تقطير الزيوت العطرية",
     "Steam distillation of rosemary and thyme: loading, yields, separation, safety.",
     "6", "advanced", "500", 36, "Lab safety induction"),
]  # fmt: skip

# The descriptions in French and Arabic (title -> (fr, ar)); the English is in COURSES.
DESCRIPTIONS = {
    "Lab safety induction": (
        "Équipements de protection, stockage des produits chimiques, déversements, incendie et "
        "premiers secours à la Halle Technologique.",
        "معدات الوقاية، وتخزين المواد الكيميائية، والانسكابات، والحريق، والإسعافات الأولية في "
        "القاعة التكنولوجية.",
    ),
    "GMP for cosmetics — ISO 22716 basics": (
        "Bonnes pratiques de fabrication cosmétique\u00a0: hygiène, traçabilité, dossiers de lot.",
        "ممارسات التصنيع الجيدة لمستحضرات التجميل: النظافة، والتتبع، وسجلات الدفعات.",
    ),
    "Safe use of the vacuum emulsifier": (
        "Crèmes et laits sur l'émulsionneur sous vide de 10 L\u00a0: préparation, vide, "
        "homogénéisateur, nettoyage.",
        "الكريمات والمستحلبات على جهاز الاستحلاب تحت التفريغ سعة 10 لترات: التحضير، والتفريغ، "
        "والمجانس، والتنظيف.",
    ),
    "Food packaging and labelling rules": (
        "Règles de l'ONSSA, mentions obligatoires, allergènes, lot et dates\u00a0; utilisation "
        "de la soudeuse à bande.",
        "قواعد المكتب الوطني للسلامة الصحية للمنتجات الغذائية، والبيانات الإلزامية، ومسببات "
        "الحساسية، ورقم الدفعة والتواريخ؛ واستعمال آلة اللحام الحراري.",
    ),
    "Freeze dryer operation": (
        "Chargement, cycles de congélation et de séchage, dégivrage et nettoyage du "
        "lyophilisateur.",
        "التحميل، ودورات التجميد والتجفيف، وإذابة الجليد، وتنظيف جهاز التجفيف بالتجميد.",
    ),
    "Essential-oil distillation": (
        "Distillation à la vapeur du romarin et du thym\u00a0: chargement, rendements, "
        "séparation, sécurité.",
        "التقطير بالبخار لإكليل الجبل والزعتر: التحميل، والمردود، والفصل، والسلامة.",
    ),
}

# course, trainer, place, days ahead, hour (local), hours long, capacity, language, enrolled
SESSIONS = [
    ("Lab safety induction", "trainer", "Halle Technologique — salle de formation", 3, 9, 2,
     3, "fr", ["fatima", "aicha", "salma", "hamid", "khadija"]),
    ("GMP for cosmetics — ISO 22716 basics", "trainer2", "Salle de réunion du cluster", 6, 9, 7,
     12, "ar", ["fatima", "aicha"]),
    ("Safe use of the vacuum emulsifier", "trainer", "Halle Technologique — atelier cosmétique",
     9, 14, 3, 4, "fr", []),
    ("Food packaging and labelling rules", "trainer2", "Halle Technologique — salle de formation",
     13, 9, 4, 10, "fr", ["hamid"]),
    ("Freeze dryer operation", "trainer", "Halle Technologique — atelier agroalimentaire",
     16, 9, 4, 4, "fr", []),
    ("Essential-oil distillation", "trainer2", "Halle Technologique — distillerie", 20, 9, 6,
     6, "en", []),
]  # fmt: skip

# username, course, reason
CERTIFICATIONS = [
    ("youssef", "GMP for cosmetics — ISO 22716 basics", "Demo: GMP training of last spring"),
    ("youssef", "Safe use of the vacuum emulsifier", "Demo: emulsifier session of last spring"),
    ("youssef", "Lab safety induction", "Demo: safety induction of last spring"),
    ("salma", "GMP for cosmetics — ISO 22716 basics", "Demo: trained by her former employer"),
    ("khadija", "Lab safety induction", "Demo: university safety training recognised"),
    ("khadija", "Freeze dryer operation", "Demo: runs the faculty's freeze dryer"),
    ("fatima", "Essential-oil distillation", "Demo: the cooperative's distiller operator"),
]


def _courses() -> dict[str, Course]:
    courses: dict[str, Course] = {}
    for title, fr, ar, description, hours, level, price, validity, prerequisite in COURSES:
        course, _ = Course.objects.update_or_create(
            title=title,
            defaults={
                "description": description,
                "translations": {
                    "fr": {"title": fr, "description": DESCRIPTIONS[title][0]},
                    "ar": {"title": ar, "description": DESCRIPTIONS[title][1]},
                },
                "duration_hours": Decimal(hours),
                "level": level,
                "price": Decimal(price),
                "validity_months": validity,
                "prerequisite": courses.get(prerequisite),
            },
        )
        courses[title] = course
    return courses


def _local(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    while day.weekday() >= 5:  # the lab trains on weekdays
        day += datetime.timedelta(days=1)
    naive = datetime.datetime.combine(day, datetime.time(hour))
    return timezone.make_aware(naive, timezone.get_current_timezone())


# A session that has just ended, its attendance still to take (the trainer's day): made as it
# would have been a week before (caiac.demo_clock). Idempotent per run day.
ENDED = ("Lab safety induction", "trainer", "Halle Technologique — atelier cosmétique",
         ["fatima", "aicha", "hamid"])  # fmt: skip


def _last_ended_slot(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """This morning 08:30-10:30 when it is over, else the last weekday afternoon 14:00-16:00."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    morning = datetime.datetime.combine(today, datetime.time(8, 30), tzinfo=tz)
    if today.weekday() < 5 and morning + datetime.timedelta(hours=2) <= now:
        return morning, morning + datetime.timedelta(hours=2)
    day = today - datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    afternoon = datetime.datetime.combine(day, datetime.time(14), tzinfo=tz)
    return afternoon, afternoon + datetime.timedelta(hours=2)


def _ended_session(ctx, courses: dict[str, Course]) -> Session | None:
    title, trainer, place, people = ENDED
    now = timezone.now()
    start, end = _last_ended_slot(now)
    session = Session.objects.filter(course=courses[title], place=place, start=start).first()
    if session is not None:
        return session
    with replay_at(start - datetime.timedelta(days=7)):
        session = session_create(
            by=ctx.users["staff"], course=courses[title], trainer=ctx.users[trainer],
            place=place, start=start, end=end, capacity=8, language="fr",
        )  # fmt: skip
        for username in people:
            session_enrol(by=ctx.users["staff"], session=session, user=ctx.users[username])
    return session


def seed(ctx) -> list[str]:
    courses = _courses()
    staff = ctx.users["staff"]
    for username, title, reason in CERTIFICATIONS:
        user, course = ctx.users[username], courses[title]
        if not Certification.objects.filter(user=user, course=course).exists():
            issued = timezone.now() - datetime.timedelta(days=200)
            certification_grant(by=staff, user=user, course=course, reason=reason, issued_at=issued)

    created = 0
    for title, trainer, place, days, hour, hours, capacity, language, people in SESSIONS:
        course = courses[title]
        session = Session.objects.filter(course=course, place=place).first()
        if session is None:
            start = _local(days, hour)
            session = session_create(
                by=staff,
                course=course,
                trainer=ctx.users[trainer],
                place=place,
                start=start,
                end=start + datetime.timedelta(hours=hours),
                capacity=capacity,
                language=language,
            )
            created += 1
        for username in people:
            user = ctx.users[username]
            if not Enrolment.objects.filter(session=session, user=user).exists():
                session_enrol(by=staff, session=session, user=user)
    ended = _ended_session(ctx, courses)
    return [
        f"{len(courses)} training courses, {Session.objects.count()} sessions "
        f"({created} new; the safety induction is full, with a waiting list), "
        f"{Certification.objects.count()} certifications (youssef: vacuum emulsifier); "
        f"attendance to take: {ended.course.title}, "
        f"{timezone.localtime(ended.start):%a %d %b %H:%M}",
    ]
