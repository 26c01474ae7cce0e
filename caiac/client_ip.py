"""The address a request comes from, the one every per-address limit counts.

``REMOTE_ADDR`` unless ``TRUSTED_PROXIES`` (an environment setting) says how many reverse proxies
of ours stand in front of the application. Each proxy appends the address it received the request
from to ``X-Forwarded-For``, so with N trusted proxies the client is the N-th entry from the right;
everything left of it was written by the client and proves nothing. With no trusted proxy the
header is ignored altogether, so a forged ``X-Forwarded-For`` changes nothing.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    # The last proxy's own peer is REMOTE_ADDR; the ones before it wrote the header's tail.
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
