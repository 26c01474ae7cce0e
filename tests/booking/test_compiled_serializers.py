"""Lists rendered by ``CompiledListSerializer`` say exactly what DRF's own rendering says."""

import datetime
import json

import pytest
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from booking import services
from booking.api.serializers import BOOKING_LIST_COLUMNS, BookingSerializer
from booking.models import Booking, BookingStatus
from caiac.serializers import CompiledListSerializer, ModelSerializer
from tests.booking.conftest import local

pytestmark = pytest.mark.django_db


def drf(serializer_class, rows) -> bytes:
    """The body the API would send, as DRF's own list serializer writes it."""
    return JSONRenderer().render(serializers.ListSerializer(rows, child=serializer_class()).data)


def compiled(serializer_class, rows) -> bytes:
    return JSONRenderer().render(CompiledListSerializer(rows, child=serializer_class()).data)


@pytest.fixture
def bookings(frozen, member, staff, machine):
    plain = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10)
    )
    full = services.booking_create(
        user=member,
        equipment=machine,
        start=local(2026, 11, 25, 9),
        end=local(2026, 11, 25, 11, 30),
        notes="Émulsion — essai n°2",
    )
    services.booking_cancel(user=member, booking=plain, reason="Plus besoin")
    frozen.move_to(local(2026, 11, 25, 9, 5))
    services.booking_check_in(user=staff, booking=full)
    return Booking.objects.filter(pk__in=[plain.pk, full.pk]).order_by("start")


@pytest.mark.parametrize("zone", ["Africa/Casablanca", "Europe/Paris", "America/Sao_Paulo"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_bookings_list_reads_the_same_as_drf_writes_it(bookings, zone, language):
    rows = list(bookings.select_related("equipment", "organisation", "booked_by"))
    assert {b.status for b in rows} == {BookingStatus.CANCELLED, BookingStatus.COMPLETED}
    assert any(b.checked_in_at for b in rows) and any(b.checked_in_at is None for b in rows)
    with timezone.override(zone), translation.override(language):
        assert compiled(BookingSerializer, rows) == drf(BookingSerializer, rows)


@pytest.mark.parametrize("zone", ["Africa/Casablanca", "America/Sao_Paulo"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_lists_plain_rows_read_the_same_as_drf_writes_the_bookings(
    bookings, zone, language, django_assert_num_queries
):
    rows = list(bookings.values(*BOOKING_LIST_COLUMNS))  # what the API's list reads
    models = list(bookings.select_related("equipment", "organisation", "booked_by"))
    with timezone.override(zone), translation.override(language):
        with django_assert_num_queries(0):
            body = compiled(BookingSerializer, rows)
        assert body == drf(BookingSerializer, models)


def test_the_bookings_api_list_writes_what_drf_writes(bookings, client_for, member):
    models = list(
        bookings.select_related("equipment", "organisation", "booked_by").order_by("-start")
    )
    with timezone.override("Africa/Casablanca"):
        expected = json.loads(drf(BookingSerializer, models))
    assert client_for(member).get("/api/v1/bookings/").json()["results"] == expected


class _Odd(ModelSerializer):
    """Every path that is not a plain column: a method, a callable source, a null on the way
    (read-only: DRF leaves the field out), a null allowed on the way, a related id."""

    shout = serializers.SerializerMethodField()
    label = serializers.CharField(source="__str__", read_only=True)
    series_notes = serializers.CharField(source="series.notes", read_only=True)
    checked = serializers.DateTimeField(source="checked_in_at", read_only=True)
    series_start = serializers.DateTimeField(source="series.start", allow_null=True)
    paris = serializers.DateTimeField(source="start", default_timezone=datetime.UTC)
    price_text = serializers.DecimalField(
        source="price", max_digits=10, decimal_places=1, coerce_to_string=False
    )

    class Meta:
        model = Booking
        fields = [
            "id",
            "series",
            "shout",
            "label",
            "series_notes",
            "checked",
            "series_start",
            "paris",
            "price_text",
        ]

    def get_shout(self, booking) -> str:
        return booking.notes.upper()


def test_fields_off_the_plain_path_go_through_drf_and_read_the_same(bookings):
    rows = list(bookings.select_related("series"))
    assert all(b.series_id is None for b in rows)
    with timezone.override("Europe/Paris"):
        assert compiled(_Odd, rows) == drf(_Odd, rows)
    assert "series_notes" not in json.loads(compiled(_Odd, rows))[0]
    assert json.loads(compiled(_Odd, rows))[0]["price_text"] == float(rows[0].price)


class _Paths(ModelSerializer):
    """Columns through foreign keys that may be null, read from plain rows."""

    series_notes = serializers.CharField(source="series.notes", read_only=True)
    series_start = serializers.DateTimeField(source="series.start", allow_null=True)
    project_title = serializers.CharField(source="project.title", default="—")

    class Meta:
        model = Booking
        fields = ["id", "series", "project", "series_notes", "series_start", "project_title"]


def test_a_null_foreign_key_on_a_plain_rows_path_reads_as_drf_decides(bookings):
    rows = list(
        bookings.values(
            "id", "series", "project", "series__notes", "series__start", "project__title"
        )
    )
    models = list(bookings.select_related("series", "project"))
    assert all(b.series_id is None and b.project_id is None for b in models)
    body = compiled(_Paths, rows)
    assert body == drf(_Paths, models)
    first = json.loads(body)[0]
    assert "series_notes" not in first  # read-only, no default: DRF leaves it out
    assert (first["series_start"], first["project_title"]) == (None, "—")


def test_a_field_that_is_not_a_column_cannot_be_read_from_plain_rows(bookings):
    with pytest.raises(TypeError, match="shout"):
        compiled(_Odd, list(bookings.values("id", "series", "notes")))


class _PerRequest(ModelSerializer):
    """Fields that depend on the request: never rendered from a plan made for another one."""

    class Meta:
        model = Booking
        fields = ["id", "notes"]

    def get_fields(self):
        fields = super().get_fields()
        if not self.context.get("staff"):
            fields.pop("notes")
        return fields


def test_plain_rows_of_a_serializer_without_fixed_fields_follow_each_request(bookings):
    rows = list(bookings.values("id", "notes"))

    def keys(context):
        body = CompiledListSerializer(rows, child=_PerRequest(), context=context).data
        return sorted(body[0])

    assert keys({"staff": True}) == ["id", "notes"]
    assert keys({}) == ["id"]
    assert keys({"staff": True}) == ["id", "notes"]
