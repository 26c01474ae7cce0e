from rest_framework.routers import SimpleRouter

from caiac.notifications.api.views import NotificationViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [*router.urls]
