import datetime
from decimal import Decimal

import pytest

from booking import selectors, services
from booking.models import Booking, BookingStatus, EquipmentStatus, LabCreditUse
from caiac.errors import Conflict, Invalid, NotAllowed, NotFound
from caiac.notifications.models import Message, MessageStatus
from tests.booking.conftest import local
from tests.booking.factories import ClosureFactory, EquipmentFactory
from tests.factories import OrganisationFactory, StaffFactory, member_of

pytestmark = pytest.mark.django_db


def book(user, machine, start, end, **kw):
    return services.booking_create(user=user, equipment=machine, start=start, end=end, **kw)


def test_a_free_slot_is_booked_confirmed_with_the_member_price(frozen, member, machine):
    booking = book(member, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 11, 0))
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.price == Decimal("200.00")  # 2 h at the member rate
    assert booking.member_rate is True
    assert booking.events.get().to_status == BookingStatus.CONFIRMED


def test_a_non_member_pays_the_non_member_rate(frozen, machine):
    outsider = member_of(OrganisationFactory(is_cluster_member=False))
    booking = book(outsider, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0))
    assert booking.price == Decimal("200.00")


def test_membership_expired_on_the_booking_date_gives_the_non_member_rate(frozen, machine):
    org = OrganisationFactory(
        is_cluster_member=True, membership_expires_on=datetime.date(2026, 11, 30)
    )
    user = member_of(org)
    before = book(user, machine, local(2026, 11, 30, 9, 0), local(2026, 11, 30, 10, 0))
    after = book(user, machine, local(2026, 12, 1, 9, 0), local(2026, 12, 1, 10, 0))
    assert (before.price, after.price) == (Decimal("100.00"), Decimal("200.00"))


def test_a_taken_slot_is_refused_with_slot_unavailable(frozen, member, other_member, machine):
    book(member, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 11, 0))
    with pytest.raises(Conflict) as exc:
        book(other_member, machine, local(2026, 11, 24, 10, 0), local(2026, 11, 24, 12, 0))
    assert exc.value.code == "slot_unavailable"
    assert Booking.objects.count() == 1


def test_the_buffer_after_a_booking_blocks_the_next_start(frozen, member, lab_hours):
    machine = EquipmentFactory(buffer_minutes=30)
    book(member, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0))
    with pytest.raises(Conflict):
        book(member, machine, local(2026, 11, 24, 10, 0), local(2026, 11, 24, 11, 0))
    with pytest.raises(Conflict):  # its own buffer would run into the 9:00 booking
        book(member, machine, local(2026, 11, 24, 8, 30), local(2026, 11, 24, 9, 0))
    assert book(member, machine, local(2026, 11, 24, 10, 30), local(2026, 11, 24, 11, 0))


def test_availability_leaves_out_bookings_and_their_buffers(frozen, member, lab_hours):
    machine = EquipmentFactory(buffer_minutes=30)
    book(member, machine, local(2026, 11, 24, 10, 0), local(2026, 11, 24, 11, 0))
    free = selectors.free_slots(
        equipment=machine, start=local(2026, 11, 24, 0, 0), end=local(2026, 11, 25, 0, 0)
    )
    assert free == [
        (local(2026, 11, 24, 8, 30), local(2026, 11, 24, 9, 30)),
        (local(2026, 11, 24, 11, 30), local(2026, 11, 24, 17, 30)),
    ]


def test_cancelled_booking_frees_its_slot(frozen, member, machine):
    booking = book(member, machine, local(2026, 11, 25, 9, 0), local(2026, 11, 25, 10, 0))
    services.booking_cancel(user=member, booking=booking)
    assert book(member, machine, local(2026, 11, 25, 9, 0), local(2026, 11, 25, 10, 0))


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (local(2026, 11, 24, 7, 30), local(2026, 11, 24, 9, 0), "outside_opening_hours"),
        (local(2026, 11, 24, 17, 0), local(2026, 11, 24, 18, 0), "outside_opening_hours"),
        (local(2026, 11, 28, 9, 0), local(2026, 11, 28, 10, 0), "outside_opening_hours"),
        (local(2026, 11, 24, 9, 0), local(2026, 11, 24, 9, 0), "invalid"),
        (local(2026, 11, 24, 10, 0), local(2026, 11, 24, 9, 0), "invalid"),
        (local(2026, 11, 24, 9, 0), local(2026, 11, 24, 14, 0), "too_long"),
        (local(2026, 11, 24, 9, 15), local(2026, 11, 24, 10, 15), "off_slot_step"),
        (local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 15), "off_slot_step"),
        (local(2026, 11, 20, 9, 0), local(2026, 11, 20, 10, 0), "in_the_past"),
        (local(2027, 5, 3, 9, 0), local(2027, 5, 3, 10, 0), "beyond_horizon"),
    ],
)
def test_rule_breaking_bookings_are_refused_with_their_code(
    frozen, member, machine, start, end, code
):
    with pytest.raises(Invalid) as exc:
        book(member, machine, start, end)
    assert exc.value.code == code
    assert exc.value.status_code == 400


def test_shorter_than_the_minimum_is_too_short(frozen, member, lab_hours):
    machine = EquipmentFactory(min_duration_minutes=60)
    with pytest.raises(Invalid) as exc:
        book(member, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 9, 30))
    assert exc.value.code == "too_short"


def test_inside_the_lead_time_is_refused(frozen, member, lab_hours):
    machine = EquipmentFactory(lead_time_minutes=24 * 60)
    with pytest.raises(Invalid) as exc:
        book(member, machine, local(2026, 11, 23, 9, 0), local(2026, 11, 23, 10, 0))
    assert exc.value.code == "inside_lead_time"
    assert book(member, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0))


@pytest.mark.parametrize("status", [EquipmentStatus.MAINTENANCE, EquipmentStatus.RETIRED])
def test_a_machine_out_of_service_cannot_be_booked_nor_shows_slots(
    frozen, member, lab_hours, status
):
    machine = EquipmentFactory(status=status)
    with pytest.raises(Invalid) as exc:
        book(member, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0))
    assert exc.value.code == "equipment_unavailable"
    assert (
        selectors.free_slots(equipment=machine, start=local(2026, 11, 24), end=local(2026, 11, 25))
        == []
    )


def test_a_lab_closure_and_a_machine_closure_block_bookings_and_slots(frozen, member, machine):
    other = EquipmentFactory()
    ClosureFactory(start=local(2026, 11, 25, 0, 0), end=local(2026, 11, 26, 0, 0), reason="Holiday")
    ClosureFactory(
        equipment=machine, start=local(2026, 11, 26, 12, 0), end=local(2026, 11, 26, 14, 0)
    )
    for day, hour in ((25, 9), (26, 12)):
        with pytest.raises(Invalid) as exc:
            book(member, machine, local(2026, 11, day, hour, 0), local(2026, 11, day, hour + 1, 0))
        assert exc.value.code == "machine_closed"
    assert book(member, other, local(2026, 11, 26, 12, 0), local(2026, 11, 26, 13, 0))
    free = selectors.free_slots(
        equipment=machine, start=local(2026, 11, 25), end=local(2026, 11, 27)
    )
    assert free == [
        (local(2026, 11, 26, 8, 30), local(2026, 11, 26, 12, 0)),
        (local(2026, 11, 26, 14, 0), local(2026, 11, 26, 17, 30)),
    ]


def test_a_machine_with_a_required_course_needs_the_certification(frozen, member, lab_hours):
    from trainings.models import Certification, Course

    course = Course.objects.create(title="Safe use of the vacuum emulsifier")
    machine = EquipmentFactory(required_course=course)
    with pytest.raises(NotAllowed) as exc:
        book(member, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0))
    assert exc.value.code == "certification_required"
    Certification.objects.create(user=member, course=course, issued_at=local(2026, 11, 1, 9, 0))
    assert book(member, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0))


def test_organisation_is_required_when_the_user_has_several(frozen, member, machine):
    second = OrganisationFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(user=member, organisation=second)
    with pytest.raises(Invalid) as exc:
        book(member, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 10, 0))
    assert exc.value.code == "organisation_required"
    booking = book(
        member,
        machine,
        local(2026, 11, 24, 9, 0),
        local(2026, 11, 24, 10, 0),
        organisation=second.pk,
    )
    assert booking.organisation == second


def test_naming_an_organisation_one_does_not_belong_to_is_not_found(
    frozen, member, other_organisation, machine
):
    with pytest.raises(NotFound):
        book(
            member,
            machine,
            local(2026, 11, 24, 9, 0),
            local(2026, 11, 24, 10, 0),
            organisation=other_organisation.pk,
        )


def test_approval_flow_pending_then_approved_with_messages(frozen, member, staff, lab_hours):
    machine = EquipmentFactory(requires_approval=True)
    booking = book(member, machine, local(2026, 11, 26, 9, 0), local(2026, 11, 26, 10, 0))
    assert booking.status == BookingStatus.PENDING
    with pytest.raises(NotAllowed):
        services.booking_approve(user=member, booking=booking)
    services.booking_approve(user=staff, booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    kinds = set(Message.objects.filter(recipient=member).values_list("kind", flat=True))
    assert {
        "booking.pending",
        "booking.approved",
        "booking.reminder_24h",
        "booking.reminder_1h",
    } <= kinds
    with pytest.raises(Conflict) as exc:
        services.booking_approve(user=staff, booking=booking)
    assert exc.value.code == "invalid_state"
    assert [(e.from_status, e.to_status) for e in booking.events.all()] == [
        ("", "pending"),
        ("pending", "confirmed"),
    ]


def test_rejecting_needs_a_reason_and_drops_the_reminders(frozen, member, staff, lab_hours):
    machine = EquipmentFactory(requires_approval=True)
    booking = book(member, machine, local(2026, 11, 26, 9, 0), local(2026, 11, 26, 10, 0))
    with pytest.raises(Invalid) as exc:
        services.booking_reject(user=staff, booking=booking, reason=" ")
    assert "reason" in exc.value.fields
    services.booking_reject(user=staff, booking=booking, reason="Machine reserved for a training")
    reminders = Message.objects.filter(dedup_key__startswith=f"booking:{booking.pk}:reminder")
    assert {m.status for m in reminders} == {MessageStatus.CANCELLED}
    rejected = Message.objects.get(dedup_key=f"booking:{booking.pk}:rejected")
    assert rejected.context["reason"] == "Machine reserved for a training"
    assert rejected.context["ics"]["uid"] == f"booking-{booking.pk}@caiac-lab"


def test_reminders_are_due_a_day_and_an_hour_before_and_not_sent_after_the_start(
    frozen, member, machine
):
    booking = book(member, machine, local(2026, 11, 26, 9, 0), local(2026, 11, 26, 10, 0))
    day = Message.objects.get(dedup_key=f"booking:{booking.pk}:reminder-24h")
    hour = Message.objects.get(dedup_key=f"booking:{booking.pk}:reminder-1h")
    assert (day.due_at, hour.due_at) == (local(2026, 11, 25, 9, 0), local(2026, 11, 26, 8, 0))
    assert day.send_before == booking.start == hour.send_before
    assert (
        Message.objects.get(dedup_key=f"booking:{booking.pk}:confirmed").kind == "booking.confirmed"
    )


def test_members_cancel_before_the_deadline_only_staff_after(frozen, member, staff, machine):
    soon = book(member, machine, local(2026, 11, 23, 12, 0), local(2026, 11, 23, 13, 0))
    later = book(member, machine, local(2026, 11, 27, 9, 0), local(2026, 11, 27, 10, 0))
    with pytest.raises(Invalid) as exc:
        services.booking_cancel(user=member, booking=soon)
    assert exc.value.code == "cancellation_deadline_passed"
    services.booking_cancel(user=member, booking=later)
    services.booking_cancel(user=staff, booking=soon, reason="Power cut")
    soon.refresh_from_db()
    assert soon.status == BookingStatus.CANCELLED
    assert soon.events.last().reason == "Power cut"
    assert (
        Message.objects.get(dedup_key=f"booking:{later.pk}:cancelled").kind == "booking.cancelled"
    )
    with pytest.raises(Conflict) as exc:
        services.booking_cancel(user=staff, booking=soon)
    assert exc.value.code == "invalid_state"


def test_another_organisation_cannot_cancel(frozen, member, other_member, machine):
    booking = book(member, machine, local(2026, 11, 27, 9, 0), local(2026, 11, 27, 10, 0))
    with pytest.raises(NotFound):
        services.booking_cancel(user=other_member, booking=booking)


def test_check_in_completes_and_no_show_only_after_the_start(frozen, member, staff, machine):
    booking = book(member, machine, local(2026, 11, 23, 9, 0), local(2026, 11, 23, 10, 0))
    with pytest.raises(Invalid) as exc:
        services.booking_no_show(user=staff, booking=booking)
    assert exc.value.code == "not_started"
    with pytest.raises(NotAllowed):
        services.booking_check_in(user=member, booking=booking)
    frozen.move_to(local(2026, 11, 23, 9, 5))
    services.booking_check_in(user=staff, booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED and booking.checked_in_at
    with pytest.raises(Conflict):
        services.booking_no_show(user=staff, booking=booking)


def test_credit_hours_are_spent_first_and_given_back_on_cancel(
    frozen, member, organisation, machine
):
    services.lab_credit_grant(
        organisation=organisation,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 12, 31),
        hours=Decimal("3"),
        source="incubation",
        source_ref="stage-1",
    )
    first = book(member, machine, local(2026, 11, 26, 9, 0), local(2026, 11, 26, 11, 0))
    second = book(member, machine, local(2026, 11, 27, 9, 0), local(2026, 11, 27, 11, 0))
    assert (first.credit_hours, first.price) == (Decimal("2"), Decimal("0.00"))
    assert (second.credit_hours, second.price) == (Decimal("1"), Decimal("100.00"))
    assert (
        selectors.lab_credit_balance(organisation=organisation, on=datetime.date(2026, 11, 30)) == 0
    )
    services.booking_cancel(user=member, booking=first)
    assert (
        selectors.lab_credit_balance(organisation=organisation, on=datetime.date(2026, 11, 30)) == 2
    )
    third = book(member, machine, local(2026, 11, 30, 9, 0), local(2026, 11, 30, 10, 0))
    assert third.price == 0 and LabCreditUse.objects.filter(booking=third).count() == 1


def test_credit_outside_its_period_is_not_spent(frozen, member, organisation, machine):
    services.lab_credit_grant(
        organisation=organisation,
        period_start=datetime.date(2027, 1, 1),
        period_end=datetime.date(2027, 1, 31),
        hours=Decimal("10"),
        source="incubation",
    )
    booking = book(member, machine, local(2026, 11, 26, 9, 0), local(2026, 11, 26, 10, 0))
    assert booking.credit_hours == 0 and booking.price == Decimal("100.00")


def test_rejection_gives_credit_back(frozen, member, organisation, staff, lab_hours):
    machine = EquipmentFactory(requires_approval=True)
    services.lab_credit_grant(
        organisation=organisation, period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30), hours=Decimal("1"), source="x",
    )  # fmt: skip
    booking = book(member, machine, local(2026, 11, 26, 9, 0), local(2026, 11, 26, 10, 0))
    assert (
        selectors.lab_credit_balance(organisation=organisation, on=datetime.date(2026, 11, 26)) == 0
    )
    services.booking_reject(user=staff, booking=booking, reason="Full")
    assert (
        selectors.lab_credit_balance(organisation=organisation, on=datetime.date(2026, 11, 26)) == 1
    )


def test_hours_used_by_organisations_counts_confirmed_and_completed(
    frozen, member, organisation, machine
):
    book(member, machine, local(2026, 11, 24, 9, 0), local(2026, 11, 24, 11, 0))
    cancelled = book(member, machine, local(2026, 11, 26, 9, 0), local(2026, 11, 26, 11, 0))
    services.booking_cancel(user=member, booking=cancelled)
    hours = selectors.hours_used_by_organisations(
        organisation_ids=[organisation.pk], start=local(2026, 11, 1), end=local(2026, 12, 1)
    )
    assert hours == {organisation.pk: Decimal("2.00")}


def test_staff_books_for_any_named_organisation(frozen, organisation, machine):
    staff = StaffFactory()
    booking = book(
        staff,
        machine,
        local(2026, 11, 24, 9, 0),
        local(2026, 11, 24, 10, 0),
        organisation=organisation.pk,
    )
    assert booking.organisation == organisation
