from rest_framework.metadata import SimpleMetadata


class ApiMetadata(SimpleMetadata):
    """``OPTIONS``: name, description, formats; the fields are in the OpenAPI schema.

    DRF's default also describes each writable action's serializer, which means running
    ``get_object()`` on routes that have no object (a 500 on ``notifications/preferences/``)."""

    def determine_actions(self, request, view):
        return {}
