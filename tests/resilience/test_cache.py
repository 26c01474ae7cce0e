"""Redis is an accelerator, never a gate: the cache and the throttles without Redis."""

import logging

import pytest
from django.core.cache import cache

from caiac.cache import ResilientRedisCache
from tests.conftest import set_throttle_rates
from tests.factories import PASSWORD
from tests.resilience.servers import closed_port_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    """The cache pointed at a Redis that refuses connections."""
    settings.CACHES = {
        "default": {"BACKEND": "caiac.cache.ResilientRedisCache", "LOCATION": closed_port_url()}
    }
    return settings.CACHES["default"]["LOCATION"]


def warnings_about_redis(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "caiac.cache" and r.levelno == logging.WARNING
    ]


def test_without_redis_the_cache_keeps_working_from_memory_with_one_warning(redis_down, caplog):
    caplog.set_level(logging.INFO, logger="caiac.cache")
    for n in range(20):
        cache.set(f"key:{n}", n, 60)
    assert cache.get("key:7") == 7
    assert cache.get_many(["key:1", "key:2"]) == {"key:1": 1, "key:2": 2}
    assert cache.add("key:1", "other") is False
    cache.set("counter", 1)
    assert cache.incr("counter") == 2
    cache.delete("key:7")
    assert cache.get("key:7", "gone") == "gone"
    assert len(warnings_about_redis(caplog)) == 1
    assert cache.is_degraded


def test_redis_is_tried_again_after_a_while_and_one_info_line_says_it_is_back(
    redis_down, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger="caiac.cache")
    cache.set("a", 1)
    assert cache.is_degraded
    # Redis answers again (its client stubbed): the next call after the pause goes to it.
    calls = []
    monkeypatch.setattr(
        "django.core.cache.backends.redis.RedisCache.get",
        lambda self, key, default=None, version=None: calls.append(key) or "from redis",
    )
    cache.get("a")
    assert calls == []  # still inside the pause: memory answered, Redis was not even tried
    cache._health.down_until = 0
    assert cache.get("a") == "from redis"
    assert not cache.is_degraded
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        "Redis cache answers again: back to the shared cache"
    ]


def test_every_thread_of_a_process_shares_one_outage_report(redis_down, caplog):
    caplog.set_level(logging.WARNING, logger="caiac.cache")
    params = {"OPTIONS": {}}
    first, second = (ResilientRedisCache(redis_down, params) for _ in range(2))
    first.set("x", 1)
    second.set("y", 2)
    assert second.get("x") == 1  # the same memory fallback
    assert len(warnings_about_redis(caplog)) == 1


def test_tokens_are_issued_and_still_throttled_per_process_without_redis(
    redis_down, api_client, member, monkeypatch
):
    set_throttle_rates(monkeypatch, auth="3/minute", write="100/minute")
    credentials = {"username": member.username, "password": PASSWORD}
    statuses = [api_client.post("/api/v1/auth/token/", credentials).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_writes_succeed_without_redis(redis_down, client_for, member):
    response = client_for(member).put(
        "/api/v1/notifications/preferences/",
        {"email_disabled": ["notifications.announcement"]},
        format="json",
    )
    assert response.status_code == 200, response.content
