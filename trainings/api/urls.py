from django.urls import path
from rest_framework.routers import SimpleRouter

from trainings.api.views import (
    CertificationViewSet,
    CourseViewSet,
    EnrolmentViewSet,
    SessionViewSet,
)

router = SimpleRouter()
router.register("trainings/courses", CourseViewSet, basename="training-course")
router.register("trainings/sessions", SessionViewSet, basename="training-session")
router.register("trainings/enrolments", EnrolmentViewSet, basename="training-enrolment")
router.register("certifications", CertificationViewSet, basename="certification")

attendance_csv = SessionViewSet.as_view({"get": "attendance_csv"})

urlpatterns = [
    # A file name, so no trailing slash.
    path(
        "trainings/sessions/<int:pk>/attendance.csv",
        attendance_csv,
        name="training-session-attendance-csv",
    ),
    *router.urls,
]
