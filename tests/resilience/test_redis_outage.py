"""Redis goes away (its own redis-server, stopped by the test) and comes back.

While it is down: a booking or an enrolment through the API is a 201 (the throttles fall back
to process memory), a token is issued, people sign in and pages render, and the confirmations
wait in the outbox. Once Redis is back, the
same worker and beat — never restarted — deliver it, exactly once.
"""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from caiac.notifications.models import Message, MessageStatus
from caiac.notifications.services import message_schedule
from tests.factories import PASSWORD, OrganisationFactory, member_of
from tests.resilience.lab import machine_open_around_the_clock, slot
from tests.resilience.servers import (
    CeleryProcesses,
    database_url,
    redis_server,  # noqa: F401  (fixture)
    subprocess_env,
    wait_for,
)
from tests.trainings.factories import SessionFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def celery(redis_server, tmp_path):  # noqa: F811
    env = subprocess_env(
        tmp_path,
        DATABASE_URL=database_url(),
        CONN_MAX_AGE="0",
        REDIS_URL=redis_server.url,
        EMAIL_BACKEND="caiac.notifications.mail.FileBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        NOTIFICATIONS_SCAN_SECONDS="1",
    )
    processes = CeleryProcesses(env, tmp_path)
    processes.mail_dir = tmp_path / "mail"
    try:
        yield processes
    finally:
        processes.kill_all()


def emails(celery) -> list[str]:
    return sorted(p.name for p in celery.mail_dir.glob("*.eml")) if celery.mail_dir.exists() else []


def is_sent(message_id: int) -> bool:
    return Message.objects.filter(pk=message_id, status=MessageStatus.SENT).exists()


def test_booking_works_while_redis_is_down_and_the_confirmation_goes_out_once_it_is_back(
    redis_server,  # noqa: F811
    celery,
    settings,
):
    # This process (the web side) caches and throttles in the same Redis as the worker's broker.
    settings.CACHES = {
        "default": {"BACKEND": "caiac.cache.ResilientRedisCache", "LOCATION": redis_server.url}
    }
    booker = member_of(OrganisationFactory(name="Coopérative Ajddigue"), username="outage")
    machine = machine_open_around_the_clock()
    celery.start_worker()
    celery.start_beat()
    # The pipeline works before the outage.
    warm_up = message_schedule(
        recipient=booker, kind="notifications.announcement", dedup_key="itest:warm-up",
        context={"title": "Bienvenue", "text": "Le labo ouvre lundi"},
    )  # fmt: skip
    wait_for(lambda: is_sent(warm_up.pk), seconds=60, what="the warm-up", log=celery.logs_text)

    redis_server.stop()
    api = APIClient()
    token = api.post(
        "/api/v1/auth/token/", {"username": booker.username, "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200, token.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    response = api.post("/api/v1/bookings/", slot(machine, 90), format="json")
    assert response.status_code == 201, response.content
    confirmation = Message.objects.get(dedup_key=f"booking:{response.json()['id']}:confirmed")
    assert confirmation.status == MessageStatus.PENDING
    assert confirmation.due_at <= timezone.now()

    redis_server.start()  # same port: the worker and beat reconnect by themselves
    wait_for(
        lambda: is_sent(confirmation.pk),
        seconds=90,
        what="the confirmation after Redis came back",
        log=celery.logs_text,
    )
    assert emails(celery) == sorted(
        f"caiac.message.{pk}@caiac.ma.eml" for pk in (warm_up.pk, confirmation.pk)
    )
    confirmation.refresh_from_db()
    assert confirmation.attempts == 1


def test_enrolling_signing_in_and_pages_work_while_redis_is_down(
    redis_server,  # noqa: F811
    settings,
    client,
):
    settings.CACHES = {
        "default": {"BACKEND": "caiac.cache.ResilientRedisCache", "LOCATION": redis_server.url}
    }
    person = member_of(OrganisationFactory(name="Coopérative Tifawin"), username="tifawin")
    machine = machine_open_around_the_clock()
    by_api, by_page = SessionFactory(), SessionFactory()
    redis_server.stop()

    api = APIClient()
    token = api.post(
        "/api/v1/auth/token/", {"username": person.username, "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200, token.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    response = api.post(f"/api/v1/trainings/sessions/{by_api.pk}/enrol/", {}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "enrolled"

    signed_in = client.post("/login/", {"username": person.username, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.content
    for url in ("/lab/", f"/lab/machines/{machine.pk}/", "/trainings/", "/lab/my-bookings/"):
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
    assert client.post(f"/trainings/sessions/{by_page.pk}/enrol/").status_code == 302

    # Both seats are taken and their invitations wait in the outbox for the scan.
    waiting = Message.objects.filter(
        recipient=person, kind="trainings.enrolled", status=MessageStatus.PENDING
    )
    assert {m.object_id for m in waiting} == {by_api.pk, by_page.pk}
