"""A client generated from the API's own schema (openapi-python-client) imports cleanly and
does what a client author would: token → me → availability → book → cancel, on a live server.

Generated at test time into a temporary folder; nothing generated is committed."""

import datetime
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from booking.models import Booking, BookingStatus
from caiac import files
from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.factories import member_of

PACKAGE = "caiac_client"
CONFIG = {
    "project_name_override": PACKAGE,
    "package_name_override": PACKAGE,
    "post_hooks": [],
    # The client reads documents (PDFs, images, office files) as bytes: the generator knows
    # no such types.
    "content_type_overrides": {
        media_type: "application/octet-stream" for media_type in files.DOCUMENT_TYPES.values()
    },
}


@pytest.fixture(scope="module")
def client_package(tmp_path_factory):
    folder = tmp_path_factory.mktemp("client")
    schema, config = folder / "schema.json", folder / "config.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(schema))
    config.write_text(json.dumps(CONFIG))
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [generator, "generate", "--path", schema, "--output-path", folder / PACKAGE,
         "--meta", "none", "--config", config],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(folder))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def test_every_module_of_the_generated_client_imports(client_package):
    names = [
        info.name for info in pkgutil.walk_packages(client_package.__path__, prefix=f"{PACKAGE}.")
    ]
    assert len([n for n in names if ".api." in n]) > 100
    for name in names:
        importlib.import_module(name)


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_signs_in_books_and_cancels(client_package, live_server, organisation):
    api = importlib.import_module(f"{PACKAGE}.api.v1")
    models = importlib.import_module(f"{PACKAGE}.models")
    v1 = {name: importlib.import_module(f"{api.__name__}.{name}") for name in (
        "v1_auth_token_create", "v1_me_retrieve", "v1_equipment_availability_retrieve",
        "v1_bookings_create", "v1_bookings_cancel_create",
    )}  # fmt: skip
    lab_open_weekdays()
    machine = EquipmentFactory(name="Remplisseuse de tubes", lead_time_minutes=0)
    fatima = member_of(organisation, username="fatima")
    fatima.set_password("argan-2026-souss")
    fatima.save()
    anonymous = client_package.Client(base_url=live_server.url)

    token = v1["v1_auth_token_create"].sync(
        client=anonymous,
        body=models.TokenRequestRequest(username="fatima", password="argan-2026-souss"),
    )
    assert isinstance(token, models.TokenResponse), token
    client = client_package.AuthenticatedClient(
        base_url=live_server.url, token=token.token, prefix="Token"
    )

    me = v1["v1_me_retrieve"].sync(client=client)
    assert me.username == "fatima"
    assert me.organisations[0].name == organisation.name

    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    free = v1["v1_equipment_availability_retrieve"].sync(
        client=client, id=machine.pk, start=start, end=start + datetime.timedelta(days=7)
    )
    slot = next(i for i in free.free if i.end - i.start >= datetime.timedelta(hours=1))

    booking = v1["v1_bookings_create"].sync(
        client=client,
        body=models.BookingInputRequest(
            equipment=machine.pk, start=slot.start, end=slot.start + datetime.timedelta(hours=1)
        ),
    )
    assert isinstance(booking, models.BookingDetail), booking
    assert booking.status == models.BookingStatusEnum.CONFIRMED

    clash = v1["v1_bookings_create"].sync_detailed(
        client=client,
        body=models.BookingInputRequest(
            equipment=machine.pk, start=slot.start, end=slot.start + datetime.timedelta(hours=1)
        ),
    )
    assert clash.status_code == 409
    assert clash.parsed.code == "slot_unavailable"

    cancelled = v1["v1_bookings_cancel_create"].sync(
        client=client, id=booking.id, body=models.ReasonRequest(reason="Plus besoin")
    )
    assert cancelled.status == models.BookingStatusEnum.CANCELLED
    assert Booking.objects.get(pk=booking.id).status == BookingStatus.CANCELLED
