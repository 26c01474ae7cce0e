import datetime
import io
import os
import secrets
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.utils import timezone

from caiac import timezones

ROOT = Path(__file__).resolve().parents[2]


def test_casablanca_0900_on_1_december_2026_is_0900_utc():
    local = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
    assert local.astimezone(datetime.UTC) == datetime.datetime(
        2026, 12, 1, 9, 0, tzinfo=datetime.UTC
    )


def test_django_current_time_zone_uses_the_pinned_data():
    utc = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    assert timezone.localtime(utc).hour == 9
    # Summer 2026 was still UTC+1, before the 20 September switch.
    july = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
    assert timezone.localtime(july).hour == 10


def test_start_up_check_passes_with_the_pinned_tzdata():
    assert [e for e in run_checks() if e.id == "caiac.E001"] == []


def test_start_up_check_refuses_old_tzdata(monkeypatch):
    monkeypatch.setattr(timezones, "tzdata_version", lambda: "2025.2")
    monkeypatch.setattr(timezones, "casablanca_probe_offset_seconds", lambda: 3600)
    problems = timezones.tzdata_problems("2026.3")
    assert len(problems) == 2
    assert "2025.2" in problems[0]
    assert "UTC+1" in problems[1]


def _run_python(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(DJANGO_SETTINGS_MODULE="caiac.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = _run_python(
        "import django; django.setup()", DJANGO_DEBUG="0", ALLOWED_HOSTS="lab.caiac.ma"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


ISSUER_IDENTIFIERS = {
    "BILLING_ISSUER_ICE": "001234567000089",
    "BILLING_ISSUER_IF": "12345678",
    "BILLING_ISSUER_RC": "Agadir 4567",
}


def _check_deploy(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "BILLING_ISSUER_"))
            },
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "lab.caiac.ma",
            **env,
        },
        capture_output=True,
        text=True,
    )


def test_production_mode_passes_check_deploy_with_no_warnings():
    result = _check_deploy(**ISSUER_IDENTIFIERS)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", sorted(ISSUER_IDENTIFIERS))
def test_check_deploy_fails_while_an_invoice_identifier_of_the_lab_is_empty(missing):
    result = _check_deploy(**(ISSUER_IDENTIFIERS | {missing: " "}))
    assert result.returncode != 0
    assert "billing.E001" in result.stderr
    assert missing in result.stderr


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from caiac.accounts.models import Membership, Organisation, User

    call_command("seed_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert User.objects.get(username="staff").is_cluster_staff


@pytest.mark.parametrize("inherited_tz", [None, "Africa/Casablanca"])
def test_the_c_library_local_time_of_a_django_process_uses_the_pinned_data_too(inherited_tz):
    # Log timestamps (runserver, Celery) come from time.localtime, not zoneinfo.
    code = (
        "import time, django; django.setup(); "
        "print(time.strftime('%z', time.localtime(1796115600)))"  # 2026-12-01 09:00 UTC
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TZ", "TZDIR")}
    env["DJANGO_SETTINGS_MODULE"] = "caiac.settings"
    if inherited_tz:  # as in runserver's reloaded child, or a shell with TZ exported
        env["TZ"] = inherited_tz
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "+0000"
