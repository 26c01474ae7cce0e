from django.urls import path
from rest_framework.routers import SimpleRouter

from caiac.frontdoor.api.views import (
    InvitationViewSet,
    JoinRequestViewSet,
    PasswordResetRequestView,
)

router = SimpleRouter()
router.register(
    r"organisations/(?P<organisation_pk>[0-9]+)/invitations",
    InvitationViewSet,
    basename="organisation-invitation",
)
router.register("join-requests", JoinRequestViewSet, basename="join-request")

urlpatterns = [
    path("auth/password-reset/", PasswordResetRequestView.as_view(), name="password-reset"),
    *router.urls,
]
