from django.urls import path
from rest_framework.routers import SimpleRouter

from caiac.accounts.api.views import ObtainTokenView, OrganisationViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    *router.urls,
]
