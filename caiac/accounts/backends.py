from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses every sign-in of a locked-out account or client address (django-axes).

    Every login path of the site (``/login/``, ``/admin/login/``, ``POST auth/token/``) passes the
    request. A call without one (the test client's ``login()``, a shell) has no client address to
    count or check, so it is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
