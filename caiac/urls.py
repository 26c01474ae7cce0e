from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from caiac.api import MeView
from frontend.views.accounts import set_language

api_v1 = [
    path("me/", MeView.as_view(), name="me"),
    path("", include("caiac.accounts.api.urls")),
    path("", include("caiac.frontdoor.api.urls")),
    path("", include("caiac.notifications.api.urls")),
    path("", include("caiac.projects.api.urls")),
    path("", include("trainings.api.urls")),
    path("", include("booking.api.urls")),
    path("", include("incubation.api.urls")),
    path("", include("billing.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Offline API docs: the UIs come from drf-spectacular-sidecar's static files, their start-up
    # script is a separate request (no inline script: the pages' CSP applies here too).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="frontend/api/swagger_ui.html"
        ),
        name="swagger-ui",
    ),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="frontend/api/redoc.html"),
        name="redoc",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("frontend.urls")),
]

# No /media/ route, in any mode: uploads (MEDIA_ROOT) are private and leave only through views
# that check the person first (caiac/files.py).

handler400 = "caiac.middleware.handler400"
handler403 = "caiac.middleware.handler403"
handler404 = "caiac.middleware.handler404"
handler500 = "caiac.middleware.handler500"
