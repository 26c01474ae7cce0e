import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from caiac.notifications import delivery
from tests.factories import OrganisationFactory, StaffFactory, TrainerFactory, member_of

NEEDS_POSTGRES = ("postgres", "integration")


def pytest_collection_modifyitems(config, items):
    """Tests for the other database are deselected (and counted), never silently skipped."""
    other_database = ("sqlite",) if settings.IS_POSTGRES else NEEDS_POSTGRES
    keep, drop = [], []
    for item in items:
        (drop if any(item.get_closest_marker(m) for m in other_database) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def set_throttle_rates(monkeypatch, **rates: str) -> None:
    """DRF copies the rates onto the throttle class at import; settings overrides miss them."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture(autouse=True)
def _test_settings(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Hashing every factory user's password with PBKDF2 dominated the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    set_throttle_rates(monkeypatch, auth="1000/minute", write="10000/minute")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    delivery.forget_outages()  # a mail server refused in one test is not refused in the next
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for():
    """An API client signed in (by token) as the given user."""
    from rest_framework.authtoken.models import Token

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Coopérative Amalou")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Atlas Essences")


@pytest.fixture
def member(organisation):
    return member_of(organisation, username="fatima")


@pytest.fixture
def other_member(other_organisation):
    return member_of(other_organisation, username="youssef")


@pytest.fixture
def staff(db):
    return StaffFactory(username="nadia")


@pytest.fixture
def trainer(db):
    return TrainerFactory(username="rachid")
