"""Every serializer of every app reads input the one safe way (docs/contracts.md, "API
conventions"): a new app that forgets gets a failing test here, not a 500 in production."""

import pytest
from rest_framework import relations, serializers

from caiac import fields as safe


def _request_serializers() -> dict[str, serializers.BaseSerializer]:
    """The serializer of every request body in the API, as the schema generator sees them."""
    from drf_spectacular.generators import SchemaGenerator

    from caiac.schema import AutoSchema

    found: dict[str, serializers.BaseSerializer] = {}
    original = AutoSchema._get_request_for_media_type

    def recording(self, serializer, direction="request"):
        instance = serializer() if isinstance(serializer, type) else serializer
        if isinstance(instance, serializers.BaseSerializer):
            found[f"{self.method} {self.path}"] = instance
        return original(self, serializer, direction)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AutoSchema, "_get_request_for_media_type", recording)
        SchemaGenerator().get_schema(request=None, public=True)
    return found


REQUESTS = _request_serializers()


def _problems(field, path: str) -> list[str]:
    if field.read_only:
        return []
    if isinstance(field, serializers.ListSerializer):
        return _problems(field.child, f"{path}[]")
    if isinstance(field, serializers.Serializer):
        return [p for name, f in field.fields.items() for p in _problems(f, f"{path}.{name}")]
    if isinstance(field, serializers.ListField | serializers.DictField):
        return _problems(field.child, f"{path}[]")
    if isinstance(field, relations.ManyRelatedField):
        return _problems(field.child_relation, f"{path}[]")
    if isinstance(field, relations.RelatedField) and not isinstance(field, safe.IdField):
        return [f"{path}: a related id must be a caiac.fields.IdField (1.5 is not an id)"]
    if isinstance(field, serializers.IntegerField) and (
        field.max_value is None or field.min_value is None
    ):
        return [f"{path}: an integer needs min_value and max_value (caiac.fields.IntegerField)"]
    if isinstance(field, serializers.DateTimeField) and not isinstance(
        field, safe.WallClockDateTimeField
    ):
        return [f"{path}: a date-time must be a caiac.fields.WallClockDateTimeField"]
    if isinstance(field, serializers.DateField) and not isinstance(field, safe.BoundedDateField):
        return [f"{path}: a date must be a caiac.fields.BoundedDateField"]
    if isinstance(field, serializers.DecimalField) and field.max_digits is None:
        return [f"{path}: a decimal needs max_digits"]
    return []


def test_the_walk_finds_the_request_bodies_of_every_app():
    assert len(REQUESTS) > 50
    assert "POST /api/v1/bookings/" in REQUESTS


@pytest.mark.parametrize("operation", sorted(REQUESTS))
def test_request_fields_are_parsed_the_safe_way(operation):
    assert _problems(REQUESTS[operation], operation) == []


def test_query_filters_are_documented_on_lists_only():
    """A class-level @extend_schema(parameters=...) lands on every operation of a viewset: the
    schema then promises filters on a create or a detail (docs/contracts.md: on the list)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    allowed = {"dry_run"}  # a write's own switch, not a filter
    leaks = [
        f"{method.upper()} {path}: {name}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method != "get"
        for name in (p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
        if name not in allowed
    ]
    assert leaks == []
