"""A small world of every kind of row, that grows by whole units.

The query-count tests read every list endpoint and every page once the world holds N units, then
again at 3N: a request whose number of SQL queries moves between the two runs a query per row
somewhere. One unit adds, across every app, rows that the lists of the four viewers below show:

- ``member`` (owner of ``organisation``): its bookings, credits, series, feeds, notifications,
  enrolments, certifications, people, invitations, incubatee follow-up, applications;
- ``staff``: everything, join requests, approvals, failed messages, reports;
- ``trainer``: the sessions they run and the people enrolled;
- ``juror``: the applications they score.

Rows are written with the ORM or the services, whichever is shorter; what matters is that each
row reaches the same related rows a real one does (a machine, an organisation, a person...),
each a different one, so a per-row lookup cannot hide behind a shared cache.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from billing import services as billing
from booking.models import (
    Booking,
    BookingEvent,
    BookingSeries,
    BookingStatus,
    Closure,
    Equipment,
    FeedKind,
    FeedToken,
    LabCredit,
    LabCreditUse,
    OpeningHours,
)
from caiac import clock
from caiac.accounts.models import MembershipRole
from caiac.frontdoor import services as frontdoor
from caiac.frontdoor.tokens import join_confirm_token
from caiac.notifications.models import Message, MessageStatus
from caiac.notifications.services import message_schedule
from caiac.projects.models import (
    Deliverable,
    FundingSource,
    PartnerRole,
    ProjectDocument,
    ProjectFunding,
    ProjectPartner,
)
from incubation import services as incubation
from incubation.models import (
    Application,
    ApplicationStatus,
    Evaluation,
    JurorAssignment,
    MentoringSession,
    Milestone,
    Stage,
)
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    TrainerFactory,
    UserFactory,
    member_of,
)
from tests.incubation.factories import (
    CallFactory,
    CohortFactory,
    CriterionFactory,
    ProgrammeFactory,
    ProgrammeStageFactory,
    QuestionFactory,
)
from tests.projects.factories import ProjectFactory
from tests.trainings.factories import CourseFactory, EnrolmentFactory, SessionFactory
from trainings.models import Certification, EnrolmentStatus

# Monday 23 November 2026, 07:00 in Casablanca: every test here runs at this frozen instant.
NOW = datetime.datetime(2026, 11, 23, 7, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def _weekday(n: int) -> datetime.date:
    """The n-th working day after today (n >= 1), Monday to Friday."""
    day, left = NOW.date(), n
    while left:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return clock.wall_clock(day, datetime.time(hour))


class World:
    """The people and fixed objects every unit hangs rows on; ``grow(n)`` adds n units."""

    def __init__(self) -> None:
        self.units = 0
        self.organisation = OrganisationFactory(name="Coopérative Amalou")
        self.member = member_of(self.organisation, username="fatima")
        self.organisation.memberships.filter(user=self.member).update(role=MembershipRole.OWNER)
        self.staff = StaffFactory(username="nadia")
        self.trainer = TrainerFactory(username="rachid")
        self.juror = UserFactory(username="juror1")
        for weekday in range(5):
            OpeningHours.objects.create(
                weekday=weekday, opens_at=datetime.time(8, 30), closes_at=datetime.time(17, 30)
            )
        self.machine = self._machine("Mélangeur planétaire")
        # A course with a session of its own: its people grow with the units (trainer's page).
        self.course = CourseFactory(title="Sécurité en atelier")
        self.session = SessionFactory(
            course=self.course, trainer=self.trainer, capacity=500, start=NOW + 7 * 24 * HOUR
        )
        self.programme = ProgrammeFactory(name="Pépinière cosmétique Souss Massa")
        for stage, hours in ((Stage.PRE_INCUBATION, 4), (Stage.INCUBATION, 10)):
            ProgrammeStageFactory(
                programme=self.programme, stage=stage, lab_hours_per_month=Decimal(hours)
            )
        self.cohort = CohortFactory(programme=self.programme, name="Cohorte 2026")
        self.call = CallFactory(
            programme=self.programme,
            cohort=self.cohort,
            title="Appel 2026",
            opens_at=NOW - 10 * 24 * HOUR,
            closes_at=NOW + 10 * 24 * HOUR,
        )
        QuestionFactory(call=self.call, text="Describe your product.")
        self.criteria = [
            CriterionFactory(call=self.call, name="Innovation", max_score=10, position=0),
            CriterionFactory(call=self.call, name="Team", max_score=5, position=1),
        ]
        self.incubatee = incubation.incubatee_create(
            by=self.staff, cohort=self.cohort, organisation=self.organisation
        )
        self.last_course = self.course
        # An R&D project of the member's organisation: its partners, funding, deliverables and
        # documents grow with the units (and so does the list of projects).
        self.project = ProjectFactory(lead=self.organisation, created_by=self.member)

    # --- one unit -------------------------------------------------------------------------------
    def grow(self, units: int) -> "World":
        for _ in range(units):
            self.units += 1
            n = self.units
            other_org = OrganisationFactory(name=f"Organisation {n:03d}")
            colleague = member_of(self.organisation, username=f"colleague{n}")
            outsider = member_of(other_org, username=f"outsider{n}")
            self._accounts(n, other_org)
            course = self._trainings(n, colleague)
            self._booking(n, colleague, other_org, outsider, course)
            self._incubation(n, other_org, outsider)
            self._notifications(n)
            self._billing(n, other_org)
            self._projects(n, other_org, colleague)
        return self

    def _machine(self, name: str, **fields) -> Equipment:
        return Equipment.objects.create(
            name=name,
            category="prototyping",
            line="cosmetics",
            location="Halle A",
            slot_minutes=30,
            min_duration_minutes=30,
            max_duration_minutes=240,
            horizon_days=120,
            hourly_rate_member=Decimal("100"),
            hourly_rate_non_member=Decimal("200"),
            **fields,
        )

    def _accounts(self, n: int, other_org) -> None:
        # The member also belongs to the new organisation: their organisation list grows.
        MembershipFactory(user=self.member, organisation=other_org)
        frontdoor.invitation_create(
            by=self.member, organisation=self.organisation, email=f"invite{n}@example.ma"
        )
        join_request = frontdoor.join_request_submit(
            by=None,
            organisation_name=f"Demande {n:03d}",
            kind="startup",
            sector="cosmetics",
            city="Agadir",
            first_name="Sara",
            last_name=f"Candidate {n}",
            email=f"candidate{n}@example.ma",
            username=f"candidate{n}",
            password="a long enough password 2026",
        )
        # Staff see it once its address is confirmed through the emailed link.
        frontdoor.join_request_confirm_email(token=join_confirm_token(join_request))

    def _trainings(self, n: int, colleague):
        course = CourseFactory(title=f"Course {n:03d}", prerequisite=self.last_course)
        self.last_course = course
        upcoming = SessionFactory(
            course=course, trainer=self.trainer, capacity=1, start=NOW + (10 + 3 * n) * 24 * HOUR
        )
        EnrolmentFactory(session=upcoming, user=self.member, status=EnrolmentStatus.ENROLLED)
        EnrolmentFactory(session=upcoming, user=colleague, status=EnrolmentStatus.WAITLISTED)
        # The member waits in a queue of their own in a second session. (A trainer's sessions
        # never overlap: PostgreSQL refuses it.)
        full = SessionFactory(
            course=course, trainer=self.trainer, capacity=1, start=NOW + (11 + 3 * n) * 24 * HOUR
        )
        EnrolmentFactory(session=full, user=colleague, status=EnrolmentStatus.ENROLLED)
        EnrolmentFactory(session=full, user=self.member, status=EnrolmentStatus.WAITLISTED)
        EnrolmentFactory(session=self.session, user=colleague, status=EnrolmentStatus.ENROLLED)
        past = SessionFactory(
            course=course, trainer=self.trainer, start=NOW - (30 + n) * 24 * HOUR, status="done"
        )
        EnrolmentFactory(session=past, user=self.member, present=True)
        Certification.objects.create(
            user=self.member,
            course=course,
            session=past,
            issued_at=past.end,
            expires_at=past.end + 365 * 24 * HOUR,
        )
        return course

    def _booking(self, n: int, colleague, other_org, outsider, course) -> None:
        machine = self._machine(
            f"Machine {n:03d}",
            required_course=course if n % 2 else None,
            requires_approval=bool(n % 2),
        )
        OpeningHours.objects.create(
            equipment=machine if n % 2 else None,
            weekday=5,
            opens_at=datetime.time(9),
            closes_at=datetime.time(13),
        )
        day = _weekday(n)
        Closure.objects.create(
            equipment=machine, start=_at(day, 8), end=_at(day, 9), reason="Maintenance"
        )
        Closure.objects.create(
            equipment=self.machine,
            start=_at(day, 16),
            end=_at(day, 17),
            reason="Nettoyage",
        )
        bookings = [
            self._book(machine, self.organisation, colleague, _at(day, 10), BookingStatus.PENDING),
            self._book(machine, other_org, outsider, _at(day, 12), BookingStatus.CONFIRMED),
            self._book(self.machine, self.organisation, colleague, _at(day, 10)),
            self._book(
                self.machine, self.organisation, self.member, _at(day, 12), BookingStatus.CONFIRMED
            ),
            self._book(
                machine,
                self.organisation,
                self.member,
                _at(NOW.date() - datetime.timedelta(days=n), 10),
                BookingStatus.COMPLETED,
            ),
        ]
        series = BookingSeries.objects.create(
            equipment=machine,
            organisation=self.organisation,
            booked_by=self.member,
            start=_at(day, 14),
            end=_at(day, 15),
            weekly_until=day + datetime.timedelta(days=7),
        )
        for week in range(2):
            self._book(
                machine,
                self.organisation,
                self.member,
                _at(day + datetime.timedelta(days=7 * week), 14),
                series=series,
            )
        credit = LabCredit.objects.create(
            organisation=self.organisation,
            period_start=NOW.date().replace(day=1),
            period_end=NOW.date().replace(day=28),
            hours=Decimal(5),
            source=f"Unit {n}",
        )
        LabCreditUse.objects.create(credit=credit, booking=bookings[3], hours=Decimal(1))
        FeedToken.objects.create(user=self.member, kind=FeedKind.EQUIPMENT, equipment=machine)
        FeedToken.objects.create(
            user=self.member, kind=FeedKind.ORGANISATION, organisation=self.organisation
        )

    def _book(self, machine, organisation, person, start, status=BookingStatus.CONFIRMED, **kw):
        booking = Booking.objects.create(
            equipment=machine,
            organisation=organisation,
            booked_by=person,
            start=start,
            end=start + HOUR,
            blocked_until=start + HOUR,
            status=status,
            price=Decimal("100"),
            hourly_rate=Decimal("100"),
            member_rate=True,
            **kw,
        )
        BookingEvent.objects.create(booking=booking, actor=person, to_status=status)
        return booking

    def _incubation(self, n: int, other_org, outsider) -> None:
        programme = ProgrammeFactory(name=f"Programme {n:03d}")
        ProgrammeStageFactory(programme=programme, stage=Stage.INCUBATION)
        cohort = CohortFactory(programme=self.programme, name=f"Cohorte {n:03d}")
        call = CallFactory(programme=programme, title=f"Appel {n:03d}")
        QuestionFactory(call=call)
        CriterionFactory(call=call)
        # An application of another organisation to the fixed call, scored by the juror.
        application = Application.objects.create(
            call=self.call,
            organisation=other_org,
            status=ApplicationStatus.SUBMITTED,
            answers={},
            created_by=outsider,
            submitted_by=outsider,
            submitted_at=NOW - 24 * HOUR,
        )
        JurorAssignment.objects.create(
            application=application, juror=self.juror, assigned_by=self.staff
        )
        for criterion in self.criteria:
            Evaluation.objects.create(
                application=application, juror=self.juror, criterion=criterion, score=3
            )
        # The member's own application to the unit's call.
        Application.objects.create(
            call=call, organisation=self.organisation, answers={}, created_by=self.member
        )
        other = incubation.incubatee_create(
            by=self.staff, cohort=self.cohort, organisation=other_org
        )
        incubation.incubatee_create(by=self.staff, cohort=cohort, organisation=other_org)
        for incubatee in (self.incubatee, other):
            Milestone.objects.create(
                incubatee=incubatee,
                title=f"Jalon {n}",
                due_date=NOW.date() + datetime.timedelta(days=n - 3),
                owner=self.member if incubatee == self.incubatee else outsider,
            )
            MentoringSession.objects.create(
                incubatee=incubatee,
                mentor=self.staff,
                mentor_name="Nadia",
                date=NOW.date() - datetime.timedelta(days=n),
                hours=Decimal("1.5"),
                topic="Plan de financement",
                created_by=self.staff,
            )
            incubation.kpi_report_submit(
                by=self.staff,
                incubatee=incubatee,
                period=f"{2010 + n}-Q1",
                revenue_mad=Decimal(1000),
                jobs_women=1,
                jobs_men=1,
            )

    def _projects(self, n: int, other_org, colleague) -> None:
        source = FundingSource.objects.create(name=f"Source {n:03d}", kind="state")
        ProjectPartner.objects.create(
            project=self.project, organisation=other_org, role=PartnerRole.RESEARCH
        )
        ProjectFunding.objects.create(
            project=self.project,
            source=source,
            year=2026,
            committed_mad=Decimal(1000 * n),
            received_mad=Decimal(500),
            updated_by=self.member,
        )
        Deliverable.objects.create(
            project=self.project,
            title=f"Livrable {n}",
            due_date=NOW.date() + datetime.timedelta(days=30 * n),
            owner=colleague,
        )
        ProjectDocument.objects.create(
            project=self.project,
            title=f"Rapport {n}",
            file=f"projects/documents/rapport-{n}.pdf",
            uploaded_by=colleague,
        )
        # Another project of the organisation, with another organisation as partner.
        project = ProjectFactory(lead=self.organisation, created_by=colleague, title=f"Projet {n}")
        ProjectPartner.objects.create(
            project=project, organisation=other_org, role=PartnerRole.INDUSTRIAL
        )
        ProjectFunding.objects.create(
            project=project, source=source, year=2026, committed_mad=1, updated_by=colleague
        )
        # The unit's bookings of the organisation are for the fixed project (its lab use).
        Booking.objects.filter(
            organisation=self.organisation, kind="member", project__isnull=True
        ).update(project=self.project)

    def _billing(self, n: int, other_org) -> None:
        """Charges of both organisations (completed bookings, a material), this month's drafts,
        and an invoice of last month for the new organisation, issued and half paid."""
        item = billing.price_item_create(
            by=self.staff, name=f"Pots 50 ml lot {n}", unit="piece", unit_price=Decimal("4.50")
        )
        for organisation in (self.organisation, other_org):
            billing.charge_add(
                by=self.staff, item=item, quantity=Decimal(n), organisation=organisation
            )
        billing.charge_add(
            by=self.staff,
            item=item,
            quantity=Decimal(1),
            organisation=other_org,
            service_date=NOW.date().replace(day=1) - datetime.timedelta(days=1),
        )
        billing.charges_collect()
        last_month = NOW.date().replace(day=1) - datetime.timedelta(days=1)
        for draft in billing.invoices_draft_month(year=last_month.year, month=last_month.month):
            if draft.organisation_id == other_org.pk:
                invoice = billing.invoice_issue(by=self.staff, invoice=draft)
                billing.payment_record(
                    by=self.staff,
                    invoice=invoice,
                    amount=Decimal("1.00"),
                    paid_on=NOW.date(),
                    method="cash",
                )
        billing.invoices_draft_month(year=NOW.year, month=NOW.month)

    def _notifications(self, n: int) -> None:
        for kind in ("announcement", "other"):
            message_schedule(
                recipient=self.member,
                kind="notifications.announcement",
                dedup_key=f"unit:{n}:{kind}",
                context={"title": f"Atelier {n}", "text": "Bienvenue au labo."},
                due_at=NOW - n * HOUR,
            )
        failed = message_schedule(
            recipient=self.member,
            kind="notifications.announcement",
            dedup_key=f"unit:{n}:failed",
            context={"title": "Atelier", "text": "Bienvenue."},
            due_at=NOW - n * HOUR,
        )
        Message.objects.filter(pk=failed.pk).update(
            status=MessageStatus.FAILED, attempts=5, last_error="SMTP down"
        )
        Message.objects.filter(recipient=self.member, dedup_key=f"unit:{n}:announcement").update(
            status=MessageStatus.SENT, sent_at=NOW
        )


def now_in_casablanca() -> datetime.datetime:
    return timezone.localtime(NOW)
