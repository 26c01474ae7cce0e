from django.urls import path
from rest_framework.routers import SimpleRouter

from booking.api.calendar import CalendarFeedView
from booking.api.projects import ProjectLabUseView
from booking.api.usage import UsageView
from booking.api.views import (
    BookingSeriesViewSet,
    BookingViewSet,
    ClosureViewSet,
    EquipmentViewSet,
    FeedTokenViewSet,
    LabCreditViewSet,
    OpeningHoursViewSet,
)

router = SimpleRouter()
router.register("equipment", EquipmentViewSet, basename="equipment")
router.register("opening-hours", OpeningHoursViewSet, basename="opening-hours")
router.register("closures", ClosureViewSet, basename="closure")
router.register("bookings", BookingViewSet, basename="booking")
router.register("booking-series", BookingSeriesViewSet, basename="booking-series")
router.register("calendar-feeds", FeedTokenViewSet, basename="calendar-feed")
router.register("lab-credits", LabCreditViewSet, basename="lab-credit")

urlpatterns = [
    path("calendar/<str:token>.ics", CalendarFeedView.as_view(), name="booking-calendar-feed"),
    path("usage/", UsageView.as_view(), name="booking-usage"),
    path("projects/<int:project_pk>/lab-use/", ProjectLabUseView.as_view(), name="project-lab-use"),
    path("usage.csv", UsageView.as_view(), {"format": "csv"}, name="booking-usage-csv"),
    path("usage.xlsx", UsageView.as_view(), {"format": "xlsx"}, name="booking-usage-xlsx"),
    *router.urls,
]
