"""Reminders across Morocco's clock changes (IANA 2026c: permanent UTC+0 from 2026-09-20)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from caiac.notifications import delivery
from caiac.notifications.delivery import Outcome
from caiac.notifications.models import Message
from caiac.notifications.services import message_schedule
from caiac.notifications.timing import day_before, hours_before

CASABLANCA = zoneinfo.ZoneInfo("Africa/Casablanca")
UTC = datetime.UTC
# 10:00 on the Casablanca clock on the first day of permanent UTC+0 (the clock went back an hour
# at 02:00 that night), so 10:00 UTC.
START = datetime.datetime(2026, 9, 20, 10, 0, tzinfo=CASABLANCA)


def test_24_hours_before_is_exactly_24_hours_so_11_00_the_day_before_across_the_switch():
    due = hours_before(START, hours=24)
    assert START.astimezone(UTC) == datetime.datetime(2026, 9, 20, 10, 0, tzinfo=UTC)
    assert due == datetime.datetime(2026, 9, 19, 10, 0, tzinfo=UTC)
    assert due.astimezone(CASABLANCA).strftime("%Y-%m-%d %H:%M") == "2026-09-19 11:00"  # UTC+1


def test_the_hour_before_is_exactly_sixty_minutes():
    assert hours_before(START, hours=1) == datetime.datetime(2026, 9, 20, 9, 0, tzinfo=UTC)


def test_a_time_of_day_anchor_keeps_the_wall_clock_so_25_hours_across_the_switch():
    due = day_before(START)
    assert due == datetime.datetime(2026, 9, 19, 9, 0, tzinfo=UTC)  # 10:00 at UTC+1
    assert due.astimezone(CASABLANCA).strftime("%Y-%m-%d %H:%M") == "2026-09-19 10:00"
    assert START - due == datetime.timedelta(hours=25)


def test_a_wall_time_the_clock_skips_still_gives_a_reminder_before_the_event():
    # 2026-03-22 the clock jumps from 02:00 to 03:00: 02:30 that day does not exist.
    start = datetime.datetime(2026, 3, 23, 2, 30, tzinfo=CASABLANCA)
    due = day_before(start)
    assert due < start
    assert due.astimezone(CASABLANCA).strftime("%Y-%m-%d %H:%M") == "2026-03-22 03:30"


@pytest.mark.django_db
def test_the_reminder_before_a_session_after_the_switch_goes_out_at_the_right_instant(member):
    start_iso = START.astimezone(UTC).isoformat()
    with time_machine.travel(datetime.datetime(2026, 9, 18, 12, 0, tzinfo=UTC), tick=False):
        message = message_schedule(
            recipient=member,
            kind="notifications.announcement",
            dedup_key="booking:7:reminder-24h",
            due_at=hours_before(START, hours=24),
            send_before=START,
            context={
                "title": "Rappel",
                "text": "Votre réservation du lyophilisateur",
                "start": start_iso,
                "ics": {
                    "uid": "booking-7@caiac.ma",
                    "summary": "Lyophilisateur",
                    "start": start_iso,
                },
            },
        )
    with time_machine.travel(datetime.datetime(2026, 9, 19, 9, 59, tzinfo=UTC), tick=False):
        assert delivery.send_due() == {}
    with time_machine.travel(datetime.datetime(2026, 9, 19, 10, 0, tzinfo=UTC), tick=False):
        assert delivery.send_due() == {Outcome.SENT: 1}
    assert Message.objects.get(pk=message.pk).sent_at == datetime.datetime(
        2026, 9, 19, 10, 0, tzinfo=UTC
    )
    body = mail.outbox[0].body
    assert "dimanche 20 septembre 2026, 10:00" in body  # the wall clock of the session, not 11:00
    event = Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime.datetime(2026, 9, 20, 10, 0, tzinfo=UTC)


def test_hours_before_does_not_fall_for_python_wall_clock_arithmetic():
    # START carries a ZoneInfo: plain ``START - 24 h`` would be wall-clock arithmetic (25 h).
    assert (START - datetime.timedelta(hours=24)).astimezone(UTC).hour == 9
    assert hours_before(START, hours=24) == START.astimezone(UTC) - datetime.timedelta(hours=24)


@pytest.mark.django_db
def test_a_real_bookings_day_before_reminder_after_the_switch(member, organisation):
    from booking.services.bookings import booking_create
    from tests.booking.factories import EquipmentFactory, OpeningHoursFactory

    equipment = EquipmentFactory(name="Extracteur CO2 supercritique", horizon_days=30)
    for weekday in range(7):
        OpeningHoursFactory(equipment=equipment, weekday=weekday)
    start = datetime.datetime.fromisoformat("2026-09-20T10:00:00+00:00")  # as the API reads it
    with time_machine.travel(datetime.datetime(2026, 9, 15, 12, 0, tzinfo=UTC), tick=False):
        booking = booking_create(
            user=member,
            equipment=equipment,
            start=start,
            end=start + datetime.timedelta(hours=1),
            organisation=organisation,
        )
    reminder = Message.objects.get(dedup_key=f"booking:{booking.pk}:reminder-24h")
    assert reminder.due_at == hours_before(START, hours=24)
    with time_machine.travel(reminder.due_at, tick=False):
        due = delivery.messages_due(now=reminder.due_at)
        assert reminder.pk in due.values_list("pk", flat=True)  # with the booking's confirmation
        assert delivery.message_deliver(message_id=reminder.pk) == Outcome.SENT
    (email,) = mail.outbox
    assert "dimanche 20 septembre 2026, 10:00" in email.body
