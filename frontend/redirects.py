"""Where a page sends the browser back to: only ever this site."""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, field: str = "next") -> str | None:
    """The ``next`` of the form (or the query) when it is a path on this site, else None:
    ``next=https://evil.example/phish`` must not turn a button of ours into a phishing link."""
    target = request.POST.get(field) or request.GET.get(field)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def redirect_next(request, default: str, *args, **kwargs):
    """Back to a safe ``next``, else to the named page ``default``."""
    return redirect(safe_next(request) or default, *args, **kwargs)
