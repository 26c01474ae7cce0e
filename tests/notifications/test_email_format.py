"""Emails a mail client trusts: clean subjects, a real Date, HTML beside text, unsubscribe."""

import datetime
import itertools
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from caiac.notifications.delivery import message_deliver
from caiac.notifications.models import Preference
from tests.factories import UserFactory
from tests.icalendar_readers import mime

pytestmark = pytest.mark.django_db

CASA = zoneinfo.ZoneInfo("Africa/Casablanca")
KEYS = itertools.count()
LONG_EQUIPMENT = "Émulsionneur sous vide de laboratoire à double enveloppe, 20 litres"


def send(schedule, person, **context):
    context = {
        "equipment": LONG_EQUIPMENT,
        "organisation": "Coopérative Amalou",
        "start": "2026-12-03T09:00:00+00:00",
        "end": "2026-12-03T11:30:00+00:00",
        "reason": "",
        **context,
    }
    key = f"test:{next(KEYS)}"
    message = schedule(person, key=key, kind="booking.cancelled", context=context)
    message_deliver(message_id=message.pk)
    return mail.outbox[-1]


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_a_long_non_ascii_subject_reads_back_without_a_leading_space(schedule, language):
    person = UserFactory(language=language)
    received = mime(send(schedule, person))
    subject = str(received["Subject"])
    assert subject == subject.strip()
    assert LONG_EQUIPMENT in subject
    raw = send(schedule, person).message().as_bytes().decode()
    (header_line,) = [line for line in raw.splitlines() if line.startswith("Subject:")]
    assert header_line.strip() != "Subject:"  # the first encoded word is on the header's line


@pytest.mark.parametrize(
    ("moment", "offset"),
    [
        (datetime.datetime(2026, 7, 1, 10, tzinfo=CASA), "+0100"),  # summer, before the change
        (datetime.datetime(2026, 3, 1, 10, tzinfo=CASA), "+0000"),  # Ramadan 2026
        (datetime.datetime(2026, 12, 1, 10, tzinfo=CASA), "+0000"),  # permanent UTC+0
    ],
)
def test_the_date_header_carries_casablancas_real_offset(schedule, member, moment, offset):
    with time_machine.travel(moment, tick=False):
        email = send(schedule, member)
    date = str(mime(email)["Date"])
    assert date.endswith(offset), date
    assert "10:00:00" in date


def test_the_html_part_says_the_same_in_the_readers_language_and_direction(schedule):
    arabic = UserFactory(language="ar")
    received = mime(send(schedule, arabic, reason="صيانة الآلة"))
    html = received.get_body(preferencelist=("html",)).get_content()
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert '<html lang="ar" dir="rtl">' in html
    assert "صيانة الآلة" in html and "صيانة الآلة" in text
    first_line = text.splitlines()[0]
    assert first_line in re.sub(r"<[^>]+>", "", html)
    french = mime(send(schedule, UserFactory(language="fr")))
    assert '<html lang="fr" dir="ltr">' in french.get_body(preferencelist=("html",)).get_content()


def test_every_email_says_it_is_automatic_and_how_to_unsubscribe(schedule, member):
    received = mime(send(schedule, member))
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(received["List-Unsubscribe"]).strip()
    assert url.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/") and url.endswith(">")
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "http://127.0.0.1:8000/notifications/preferences/" in text


def test_one_click_unsubscribe_turns_that_kind_off_by_email_without_signing_in(schedule, member):
    received = mime(send(schedule, member))
    path = str(received["List-Unsubscribe"]).strip()[1:-1].removeprefix("http://127.0.0.1:8000")
    browser = Client(enforce_csrf_checks=True)  # a mail provider: no cookie, no CSRF token
    page = browser.get(path)
    assert page.status_code == 200
    assert not Preference.objects.filter(user=member).exists()
    done = browser.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert Preference.objects.get(user=member).email_disabled == ["booking.cancelled"]
    browser.post(path, {"List-Unsubscribe": "One-Click"})  # twice: the same
    assert Preference.objects.get(user=member).email_disabled == ["booking.cancelled"]


def test_a_forged_unsubscribe_link_is_404(client, member):
    assert client.post("/notifications/unsubscribe/not-a-token/").status_code == 404
    assert client.get("/notifications/unsubscribe/eyJ1IjoxfQ:abc:def/").status_code == 404


def test_latin_names_keep_their_own_direction_inside_an_arabic_email(schedule):
    """ "Coopérative Amalou." in an Arabic sentence: without an isolate, the full stop and the
    words after it are drawn on the wrong side of the name."""
    isolated = f"\u2068{LONG_EQUIPMENT}\u2069"
    arabic = mime(send(schedule, UserFactory(language="ar")))
    text = arabic.get_body(preferencelist=("plain",)).get_content()
    assert isolated in text and isolated in str(arabic["Subject"])
    french = mime(send(schedule, UserFactory(language="fr")))
    assert "\u2068" not in french.get_body(preferencelist=("plain",)).get_content()
    assert LONG_EQUIPMENT in str(french["Subject"])
