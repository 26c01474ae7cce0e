"""A real-looking Halle Technologique: machines, hours (with Ramadan 2027), closures, bookings,
in French like the lab itself.

Idempotent: machines are matched by name, rules and closures by their content, bookings by
machine and start.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from booking import messaging, services
from booking.models import (
    Booking,
    Category,
    Closure,
    Equipment,
    EquipmentStatus,
    Line,
    OpeningHours,
)
from caiac import clock
from caiac.demo_clock import replay_at
from caiac.errors import DomainError

D = Decimal
# The Halle Technologique's machines carry French names, as in the lab (the model has no
# translations: the same name on every page, isolated with |bdi in Arabic).
MIXER = "Mélangeur planétaire (20 L)"
EMULSIFIER = "Émulsionneur sous vide (10 L)"
TUBE_FILLER = "Remplisseuse-scelleuse de tubes"
HEAT_SEALER = "Soudeuse à bande continue"
LABELLER = "Étiqueteuse enveloppante"
DISTILLER = "Alambic à huiles essentielles (50 L)"
FREEZE_DRYER = "Lyophilisateur pilote"
SPRAY_DRYER = "Atomiseur de laboratoire"
AUTOCLAVE = "Autoclave (75 L)"
CO2_EXTRACTOR = "Extracteur CO2 supercritique"
OIL_PRESS = "Presse à huile à froid"
AW_METER = "Analyseur d'activité de l'eau"

MACHINES = [
    # name, category, line, location, rates (member, other), extra rules, description
    (
        MIXER,
        Category.PROTOTYPING,
        Line.BOTH,
        "Halle A · paillasse 1",
        (D("120"), D("220")),
        {},
        "Mélangeur planétaire professionnel pour pâtes, crèmes et préparations.",
    ),
    (
        EMULSIFIER,
        Category.PROTOTYPING,
        Line.COSMETICS,
        "Halle A · salle cosmétique",
        (D("250"), D("450")),
        {"buffer_minutes": 30, "min_duration_minutes": 60},
        "Homogénéisateur chauffant sous vide pour émulsions\u00a0: crèmes, laits, baumes.",
    ),
    (
        TUBE_FILLER,
        Category.PACKAGING,
        Line.COSMETICS,
        "Halle B · ligne de conditionnement",
        (D("150"), D("280")),
        {"buffer_minutes": 15},
        "Remplissage et scellage semi-automatiques de tubes souples.",
    ),
    (
        HEAT_SEALER,
        Category.PACKAGING,
        Line.FOOD,
        "Halle B · ligne de conditionnement",
        (D("60"), D("110")),
        {},
        "Soudure en continu de sachets et de poches.",
    ),
    (
        LABELLER,
        Category.PACKAGING,
        Line.BOTH,
        "Halle B · ligne de conditionnement",
        (D("70"), D("130")),
        {},
        "Étiquetage automatique de flacons ronds et de bocaux.",
    ),
    (
        DISTILLER,
        Category.TRANSFORMATION,
        Line.COSMETICS,
        "Halle C · extraction",
        (D("180"), D("320")),
        {
            "min_duration_minutes": 120,
            "max_duration_minutes": 480,
            "slot_minutes": 60,
            "buffer_minutes": 60,
        },
        "Distillation à la vapeur du romarin, du thym, de la lavande et d'autres plantes "
        "aromatiques.",
    ),
    (
        FREEZE_DRYER,
        Category.TRANSFORMATION,
        Line.BOTH,
        "Halle C · séchage",
        (D("200"), D("380")),
        {
            "requires_approval": True,
            "min_duration_minutes": 240,
            "max_duration_minutes": 540,
            "slot_minutes": 60,
            "lead_time_minutes": 48 * 60,
        },
        "Lyophilisation de fruits, de probiotiques et d'extraits végétaux.",
    ),
    (
        SPRAY_DRYER,
        Category.TRANSFORMATION,
        Line.FOOD,
        "Halle C · séchage",
        (D("220"), D("400")),
        {"requires_approval": True, "buffer_minutes": 60, "min_duration_minutes": 120},
        "Séchage par atomisation de jus et d'extraits en poudre.",
    ),
    (
        AUTOCLAVE,
        Category.TRANSFORMATION,
        Line.BOTH,
        "Halle A · stérilisation",
        (D("90"), D("170")),
        {"buffer_minutes": 30},
        "Stérilisation de bocaux, d'outils et de milieux de culture.",
    ),
    (
        CO2_EXTRACTOR,
        Category.TRANSFORMATION,
        Line.COSMETICS,
        "Halle C · extraction",
        (D("450"), D("800")),
        {
            "requires_approval": True,
            "min_duration_minutes": 240,
            "max_duration_minutes": 540,
            "slot_minutes": 60,
            "lead_time_minutes": 72 * 60,
            "cancellation_deadline_hours": 72,
        },
        "Extraction sans solvant des huiles d'argan, de pépins de figue de barbarie et "
        "d'autres graines.",
    ),
    (
        OIL_PRESS,
        Category.TRANSFORMATION,
        Line.BOTH,
        "Halle C · extraction",
        (D("110"), D("200")),
        {},
        "Presse à vis pour amandons d'argan et autres graines oléagineuses.",
    ),
    (
        AW_METER,
        Category.PROTOTYPING,
        Line.FOOD,
        "Laboratoire qualité",
        (D("40"), D("80")),
        {"status": EquipmentStatus.MAINTENANCE},
        "Contrôle de la durée de conservation des produits séchés.",
    ),
]
# The English names of earlier demos: renamed in place, so that reloading an older demo
# database does not leave a second set of machines beside the French one.
FORMER_NAMES = {
    "Planetary mixer (20 L)": MIXER,
    "Vacuum emulsifier (10 L)": EMULSIFIER,
    "Tube filler and sealer": TUBE_FILLER,
    "Heat sealer (band)": HEAT_SEALER,
    "Labeller (wrap-around)": LABELLER,
    "Essential-oil distiller (50 L)": DISTILLER,
    "Freeze dryer (pilot)": FREEZE_DRYER,
    "Spray dryer (lab scale)": SPRAY_DRYER,
    "Supercritical CO2 extractor": CO2_EXTRACTOR,
    "Cold-press oil expeller": OIL_PRESS,
    "Water-activity meter": AW_METER,
}

WEEKDAYS = range(5)
DEFAULT_HOURS = [(d, datetime.time(8, 30), datetime.time(17, 30)) for d in WEEKDAYS] + [
    (5, datetime.time(8, 30), datetime.time(12, 30))
]
RAMADAN_2027 = (datetime.date(2027, 2, 8), datetime.date(2027, 3, 9))
RAMADAN_HOURS = [(d, datetime.time(9, 0), datetime.time(15, 0)) for d in WEEKDAYS]


# machine → the course whose pass is needed to book it (seeded by trainings' demo, if present)
CERTIFYING_COURSES = {
    EMULSIFIER: "Safe use of the vacuum emulsifier",
    DISTILLER: "Essential-oil distillation",
    FREEZE_DRYER: "Freeze dryer operation",
}


def _machines() -> dict[str, Equipment]:
    from trainings.models import Course

    courses = {c.title: c for c in Course.objects.filter(title__in=CERTIFYING_COURSES.values())}
    for former, name in FORMER_NAMES.items():
        if not Equipment.objects.filter(name=name).exists():
            Equipment.objects.filter(name=former).update(name=name)
    machines = {}
    for name, category, line, location, (member, other), rules, description in MACHINES:
        values = {
            "category": category,
            "line": line,
            "location": location,
            "description": description,
            "hourly_rate_member": member,
            "hourly_rate_non_member": other,
            **rules,
        }
        if name in CERTIFYING_COURSES:
            values["required_course"] = courses.get(CERTIFYING_COURSES[name])
        machine, _ = Equipment.objects.update_or_create(name=name, defaults=values)
        machines[name] = machine
    return machines


def _hours() -> None:
    for weekday, opens, closes in DEFAULT_HOURS:
        OpeningHours.objects.get_or_create(
            equipment=None, weekday=weekday, opens_at=opens, closes_at=closes,
            valid_from=None, valid_until=None,
        )  # fmt: skip
    start, until = RAMADAN_2027
    for weekday, opens, closes in RAMADAN_HOURS:
        OpeningHours.objects.get_or_create(
            equipment=None, weekday=weekday, opens_at=opens, closes_at=closes,
            valid_from=start, valid_until=until, defaults={"label": "Ramadan 2027"},
        )  # fmt: skip


def _closures(machines: dict[str, Equipment]) -> None:
    def whole_days(first: datetime.date, days: int) -> tuple[datetime.datetime, datetime.datetime]:
        return (
            clock.wall_clock(first, datetime.time(0)),
            clock.wall_clock(first + datetime.timedelta(days=days), datetime.time(0)),
        )

    start, end = whole_days(datetime.date(2027, 1, 11), 1)
    Closure.objects.get_or_create(
        equipment=None, start=start, end=end,
        defaults={"reason": "Manifeste de l'Indépendance (jour férié)"},
    )  # fmt: skip
    start, end = whole_days(datetime.date(2027, 1, 1), 1)
    Closure.objects.get_or_create(equipment=None, start=start, end=end,
                                  defaults={"reason": "Nouvel An"})  # fmt: skip
    today = timezone.localdate()
    maintenance = today + datetime.timedelta(days=(7 - today.weekday()) % 7 + 14)
    start, end = whole_days(maintenance, 3)
    if not Closure.objects.filter(equipment=machines[SPRAY_DRYER]).exists():
        Closure.objects.create(
            equipment=machines[SPRAY_DRYER], start=start, end=end,
            reason="Maintenance annuelle de l'atomiseur",
        )  # fmt: skip


def _bookings(ctx, machines: dict[str, Equipment]) -> int:
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    plan = [
        # machine, organisation owner username, day offset from next Monday, start hour, hours
        (MIXER, "hamid", 0, 9, 3),
        (TUBE_FILLER, "youssef", 1, 10, 2),
        (DISTILLER, "fatima", 2, 8, 4),
        (LABELLER, "salma", 3, 14, 2),
        (FREEZE_DRYER, "khadija", 7, 8, 6),
        (OIL_PRESS, "fatima", 8, 9, 3),
        (HEAT_SEALER, "hamid", 9, 11, 1),
        (AUTOCLAVE, "youssef", 10, 8, 2),
    ]
    made = 0
    for name, username, offset, hour, hours in plan:
        user = ctx.users.get(username)
        machine = machines[name]
        day = monday + datetime.timedelta(days=offset)
        start = clock.wall_clock(day, datetime.time(hour, 30 if hour == 8 else 0))
        end = start + datetime.timedelta(hours=hours)
        if user is None or Booking.objects.filter(equipment=machine, start=start).exists():
            continue
        try:
            services.booking_create(user=user, equipment=machine, start=start, end=end,
                                    notes="Réservation de démonstration")  # fmt: skip
            made += 1
        except DomainError:
            continue  # e.g. a rule changed since; the demo stays loadable
    return made


# This week around the day the demo is loaded: machine, owner username, day offset from today
# (kept only when that day is in the current week), start (hour, minute), hours. Bookings that
# have already started are made as they would have been, three days before (caiac.demo_clock);
# those of days already past are checked in.
THIS_WEEK = [
    (MIXER, "fatima", 0, (8, 30), 3),
    (TUBE_FILLER, "youssef", 0, (10, 0), 2),
    (OIL_PRESS, "hamid", 0, (11, 0), 2),
    (HEAT_SEALER, "hamid", 0, (14, 0), 2),
    (LABELLER, "youssef", 0, (15, 0), 2),
    (AUTOCLAVE, "fatima", 1, (9, 0), 2),
    (EMULSIFIER, "youssef", 2, (10, 0), 3),
    (OIL_PRESS, "fatima", 3, (9, 0), 3),
    (MIXER, "hamid", -1, (9, 0), 2),
    (LABELLER, "fatima", -2, (14, 0), 2),
]


def _this_week(ctx, machines: dict[str, Equipment]) -> int:
    today = timezone.localdate()
    now = timezone.now()
    monday = clock.week_start(today)
    made = 0
    for name, username, offset, (hour, minute), hours in THIS_WEEK:
        day = today + datetime.timedelta(days=offset)
        user, machine = ctx.users.get(username), machines[name]
        if user is None or clock.week_start(day) != monday:
            continue
        start = clock.wall_clock(day, datetime.time(hour, minute))
        end = start + datetime.timedelta(hours=hours)
        if Booking.objects.filter(equipment=machine, start=start).exists():
            continue
        try:
            if start > now:
                services.booking_create(user=user, equipment=machine, start=start, end=end,
                                        notes="Réservation de démonstration")  # fmt: skip
            else:
                with replay_at(start - datetime.timedelta(days=3)):
                    booking = services.booking_create(
                        user=user, equipment=machine, start=start, end=end,
                        notes="Réservation de démonstration", announce=False,
                    )  # fmt: skip
                messaging.schedule_reminders(booking)  # only those still ahead
                if day < today:
                    services.booking_check_in(user=ctx.users["staff"], booking=booking)
            made += 1
        except DomainError:
            continue  # closed that day (Sunday, Saturday afternoon), a clash: left out
    return made


def _training_holds(ctx, machines: dict[str, Equipment]) -> int:
    """The demo's sessions of certifying courses (trainings' demo, seeded first) take their
    machine, as if scheduled with it: no "session changed" message for a demo."""
    from django.db import transaction

    from trainings import machines as session_machines
    from trainings.models import Session

    held = 0
    for name, course in CERTIFYING_COURSES.items():
        machine = machines.get(name)
        session = (
            Session.objects.filter(course__title=course, status="scheduled", machine_hold=None)
            .order_by("start")
            .first()
        )
        if machine is None or session is None:
            continue
        try:
            with transaction.atomic():
                session_machines.sync(session=session, by=ctx.users["staff"], equipment=machine)
            held += 1
        except DomainError:
            continue  # a demo booking already there: the demo stays loadable
    return held


def seed(ctx) -> list[str]:
    machines = _machines()
    _hours()
    _closures(machines)
    _training_holds(ctx, machines)
    made = _bookings(ctx, machines) + _this_week(ctx, machines)
    return [
        f"{len(machines)} machines, opening hours Mon-Fri 08:30-17:30 + Sat 08:30-12:30, "
        f"Ramadan 2027 timetable 09:00-15:00, {Closure.objects.count()} closures, "
        f"{made} new demo bookings ({Booking.objects.count()} in all)"
    ]
