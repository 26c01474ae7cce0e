import pytest

from caiac.accounts import demo
from caiac.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_staff_user_can_use_the_back_office(client):
    demo.seed()
    client.login(username="staff", password=demo.DEMO_PASSWORD)
    assert client.get("/admin/booking/booking/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_seeding_again_upgrades_a_staff_user_seeded_without_permissions():
    demo.seed()
    User.objects.filter(username="staff").update(is_superuser=False)
    demo.seed()
    assert User.objects.get(username="staff").is_superuser
    assert not User.objects.get(username="youssef").is_superuser
