"""Base serializers every app's API builds on (see docs/contracts.md, "API conventions").

``ModelSerializer`` reads ids strictly (``1.5`` is refused, not read as 1), dates and date-times
through ``caiac.fields`` (bounded years, offsets checked, wall clock), and bounds integers to
PostgreSQL's column ranges whatever the database, so the schema is the same on SQLite.
"""

import datetime
from functools import partial
from operator import attrgetter, itemgetter
from types import SimpleNamespace

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import SkipField, empty
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from caiac import fields

# Re-exported so serializer modules import their fields from one place.
IdField = fields.IdField
IntegerField = fields.IntegerField
WallClockDateTimeField = fields.WallClockDateTimeField
BoundedDateField = fields.BoundedDateField


class ModelSerializer(serializers.ModelSerializer):
    serializer_related_field = fields.IdField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: fields.WallClockDateTimeField,
        models.DateField: fields.BoundedDateField,
        models.TimeField: fields.WallClockTimeField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        portable = BaseDatabaseOperations.integer_field_ranges.get(model_field.get_internal_type())
        if (
            portable
            and issubclass(field_class, serializers.IntegerField)
            and not kwargs.get("read_only")
        ):
            low, high = portable
            if kwargs.get("min_value") is None or kwargs["min_value"] < low:
                kwargs["min_value"] = low
            if kwargs.get("max_value") is None or kwargs["max_value"] > high:
                kwargs["max_value"] = high
        return field_class, kwargs


def datetime_text(value: datetime.datetime | None, tz: datetime.tzinfo | None = None) -> str | None:
    """What DRF's ``DateTimeField`` writes for ``value`` (ISO 8601 in the current time zone,
    ``Z`` for UTC+0), without a serializer around it: for long lists built by hand.
    ``tz``: the current time zone, looked up once by the caller of a loop."""
    if value is None:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_SKIP = object()  # a field DRF leaves out of the row (SkipField)
_PLAIN_PLANS: dict = {}  # CompiledListSerializer._plain_plan, per serializer class and time zone


def _model_path(model, source_attrs: list[str]):
    """``(path, field)`` when ``source_attrs`` name a column reached through forward foreign
    keys (``["start"]``, ``["equipment", "name"]``) or a forward foreign key itself
    (``["equipment"]``), with the model field at its end; else None."""
    field = None
    for index, attr in enumerate(source_attrs):
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        if field.is_relation and (
            field.auto_created or not (field.many_to_one or field.one_to_one)
        ):
            return None  # reverse and many-to-many relations: a manager, not a value
        if index < len(source_attrs) - 1:
            if not field.is_relation:
                return None
            model = field.related_model
        elif not field.concrete:
            return None
    return source_attrs, field


class CompiledListSerializer(serializers.ListSerializer):
    """A list renderer with DRF's output, at a fraction of its cost for long lists.

    DRF walks every field of every row through ``get_attribute`` and ``to_representation``;
    here the fields are sorted out once per list: a plain column (or one reached through
    foreign keys already fetched) is read directly, a related id from its ``_id`` column,
    a date-time written as ``DateTimeField`` writes it with the time zone looked up once.
    Anything else (method fields, nested serializers, a null on the way) goes through DRF's own
    path.

    The rows may also be plain dicts from ``values()`` (no model instance per row and per
    related row): keyed by the fields' paths (``"equipment__name"``, a related id under the
    relation's name, as ``values()`` names them), every foreign key on a path among them. Only
    columns and related ids can be read that way. ``tests/booking/test_compiled_serializers.py``
    holds both to DRF's output byte for byte."""

    def to_representation(self, data):
        iterable = data.all() if isinstance(data, models.manager.BaseManager) else data
        items = list(iterable)
        tz = timezone.get_current_timezone()
        if items and isinstance(items[0], dict):
            plan, may_skip = self._plain_plan(tz)
        else:
            plan, may_skip = self._plan(self.child, tz, plain=False)
        rows = [{name: read(item) for name, read in plan} for item in items]
        if may_skip:  # DRF's own path may leave a field out of a row
            rows = [{k: v for k, v in row.items() if v is not _SKIP} for row in rows]
        return rows

    def _plain_plan(self, tz):
        """The plan for plain rows. Building a serializer's fields is DRF's costliest step for a
        page of 50 (a third of rendering it): a child whose ``Meta.fields_fixed`` is True (its
        fields never depend on the request) has its plan built once per process and time zone,
        from a serializer of its class without context."""
        child_class = type(self.child)
        if not getattr(getattr(child_class, "Meta", None), "fields_fixed", False):
            return self._plan(self.child, tz, plain=True)
        key = (child_class, tz)
        if key not in _PLAIN_PLANS:
            _PLAIN_PLANS[key] = self._plan(child_class(), tz, plain=True)
        return _PLAIN_PLANS[key]

    def _plan(self, child, tz, *, plain: bool):
        """``([(name, read)], may_skip)``: how to read each field of a row, and whether a reader
        may leave its field out (``_SKIP``, DRF's SkipField)."""
        model = getattr(getattr(child, "Meta", None), "model", None)
        plan, may_skip = [], False
        for field in child._readable_fields:
            read, generic = self._reader(field, model, tz, plain)
            plan.append((field.field_name, read))
            may_skip = may_skip or generic
        return plan, may_skip

    @staticmethod
    def _generic(field):
        def read(item):
            # Serializer.to_representation, one field at a time.
            try:
                attribute = field.get_attribute(item)
            except SkipField:
                return _SKIP
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            return None if check is None else field.to_representation(attribute)

        return read

    def _reader(self, field, model, tz, plain=False):
        """``(read, through_drf)``: how to read the field from a row (a model instance, or a
        dict if ``plain``), and whether that may go through DRF's own path."""
        found = None
        if (
            model is not None
            and field.source != "*"
            and not isinstance(
                field, serializers.BaseSerializer | serializers.SerializerMethodField
            )
        ):
            found = _model_path(model, field.source_attrs)
        if found is None:
            if plain:
                raise TypeError(f"{field.field_name}: not a column, cannot be read from a dict")
            return self._generic(field), True
        path, model_field = found
        if model_field.is_relation:
            if (
                isinstance(field, serializers.PrimaryKeyRelatedField)
                and field.pk_field is None
                and len(path) == 1
            ):
                return (itemgetter(path[0]) if plain else attrgetter(model_field.attname)), False
            if plain:
                raise TypeError(f"{field.field_name}: a related object, not in a dict")
            return self._generic(field), True
        generic = self._generic(field)
        datetime_like = (
            type(field) in (serializers.DateTimeField, fields.WallClockDateTimeField)
            and getattr(field, "format", empty) in (empty, api_settings.DATETIME_FORMAT)
            and api_settings.DATETIME_FORMAT.lower() == "iso-8601"
            and getattr(field, "timezone", None) is None
        )
        convert = partial(datetime_text, tz=tz) if datetime_like else field.to_representation
        if plain:
            return self._dict_reader(path, convert, generic), len(path) > 1
        get = attrgetter(".".join(path))
        if len(path) == 1:
            return (lambda item: None if (v := get(item)) is None else convert(v)), False

        def read(item):
            try:
                value = get(item)
            except AttributeError:  # a null foreign key on the way: DRF decides what to do
                return generic(item)
            return None if value is None else convert(value)

        return read, True

    @staticmethod
    def _dict_reader(path, convert, generic):
        key = "__".join(path)
        links = ["__".join(path[:i]) for i in range(1, len(path))]  # the foreign keys on the way
        if not links:
            return lambda row: None if (v := row[key]) is None else convert(v)

        def read(row):
            for depth, link in enumerate(links):
                if row[link] is None:
                    # What DRF does when the path runs into that null: an object of the same
                    # shape, None at that link, through DRF's own path.
                    stand_in = None
                    for name in reversed(path[: depth + 1]):
                        stand_in = SimpleNamespace(**{name: stand_in})
                    return generic(stand_in)
            return None if (value := row[key]) is None else convert(value)

        return read
