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


def test_the_lists_columns_are_all_the_serializer_reads(bookings, django_assert_num_queries):
    rows = list(
        bookings.select_related("equipment", "organisation", "booked_by").only(
            *BOOKING_LIST_COLUMNS
        )
    )
    with django_assert_num_queries(0):  # a deferred column would cost a query per row
        body = compiled(BookingSerializer, rows)
    assert body == drf(BookingSerializer, list(bookings.select_related("equipment")))


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
