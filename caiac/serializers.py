"""Base serializers every app's API builds on (see docs/contracts.md, "API conventions").

``ModelSerializer`` reads ids strictly (``1.5`` is refused, not read as 1), dates and date-times
through ``caiac.fields`` (bounded years, offsets checked, wall clock), and bounds integers to
PostgreSQL's column ranges whatever the database, so the schema is the same on SQLite.
"""

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from rest_framework import serializers

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
