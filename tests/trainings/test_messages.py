import datetime
import zoneinfo

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from caiac.notifications.models import Message
from tests.factories import UserFactory
from tests.trainings.factories import CourseFactory, SessionFactory
from trainings.services import session_cancel, session_enrol, session_enrolment_cancel

pytestmark = pytest.mark.django_db

CASA = zoneinfo.ZoneInfo("Africa/Casablanca")
KINDS = ["reminder_24h", "promoted", "session_cancelled"]


@pytest.fixture
def busy_session(trainer, staff):
    start = datetime.datetime(2030, 3, 5, 9, 0, tzinfo=CASA)
    course = CourseFactory(
        title="Freeze dryer operation",
        translations={"fr": {"title": "Conduite du lyophilisateur"}},
    )
    session = SessionFactory(
        course=course,
        trainer=trainer,
        capacity=1,
        start=start,
        end=start + datetime.timedelta(hours=3),
        place="Atelier agroalimentaire",
    )
    first, second, third = (UserFactory(language="en") for _ in range(3))
    session_enrol(by=first, session=session)
    session_enrol(by=second, session=session)
    session_enrol(by=third, session=session)
    session_enrolment_cancel(by=first, session=session)  # second promoted
    session_cancel(by=staff, session=session)  # second and third told
    return session


@pytest.mark.parametrize("kind", KINDS)
def test_every_training_message_renders_with_the_casablanca_wall_clock(busy_session, kind):
    message = Message.objects.filter(kind=f"trainings.{kind}").first()
    assert message is not None
    with translation.override("en"):
        subject = render_to_string(f"messages/{message.kind}.subject.txt", message.context).strip()
        body = render_to_string(f"messages/{message.kind}.body.txt", message.context)
    assert "\n" not in subject
    assert "Freeze dryer operation" in subject
    assert "09:00" in body  # 09:00 in Casablanca, whatever the UTC offset that day


def test_the_course_title_is_in_the_recipients_language(trainer):
    course = CourseFactory(title="Freeze dryer operation", translations={"fr": {"title": "Lyo"}})
    session = SessionFactory(course=course, trainer=trainer)
    french = UserFactory(language="fr")
    session_enrol(by=french, session=session)
    reminder = Message.objects.get(recipient=french, kind="trainings.reminder_24h")
    assert reminder.context["course"] == "Lyo"
    assert reminder.context["ics"]["summary"] == "Lyo"


def test_waiting_people_are_told_they_were_waiting(busy_session):
    told = Message.objects.filter(kind="trainings.session_cancelled")
    assert sorted(m.context["was_waiting"] for m in told) == [False, True]
