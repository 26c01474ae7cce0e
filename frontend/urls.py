"""Pages. Each area keeps its views and its ``urlpatterns`` in ``frontend/views/<area>.py``."""

from frontend.views import (
    accounts,
    billing,
    booking,
    catalogue,
    home,
    incubation,
    notifications,
    nursery,
    projects,
    reports,
    staff,
    trainings,
)

app_name = "frontend"

urlpatterns = [
    *home.urlpatterns,
    *accounts.urlpatterns,
    *booking.urlpatterns,
    *trainings.urlpatterns,
    *incubation.urlpatterns,
    *projects.urlpatterns,
    *notifications.urlpatterns,
    *billing.urlpatterns,
    *staff.urlpatterns,
    *catalogue.urlpatterns,
    *nursery.urlpatterns,
    *reports.urlpatterns,
]
