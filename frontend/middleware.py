"""Pages answer a service's refusal as the site's styled 403 / 404 pages.

``caiac.access`` raises ``NotAllowed`` and ``NotFound`` (domain errors, mapped to JSON under
``/api/`` by the API's exception handler). A page view that lets one escape gets the same
answer a browser expects: the 403 or 404 page, never a 500.
"""

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404

from caiac.errors import NotAllowed, NotFound


class DomainErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404(str(exception.message)))
        if isinstance(exception, NotAllowed):
            return response_for_exception(request, PermissionDenied(str(exception.message)))
        return None
