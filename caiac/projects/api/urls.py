from rest_framework.routers import SimpleRouter

from caiac.projects.api.views import (
    DeliverableViewSet,
    DocumentViewSet,
    FundingSourceViewSet,
    FundingViewSet,
    PartnerViewSet,
    ProjectViewSet,
)

PROJECT = r"projects/(?P<project_pk>[0-9]+)"

router = SimpleRouter()
router.register("funding-sources", FundingSourceViewSet, basename="funding-source")
router.register("projects", ProjectViewSet, basename="project")
router.register(f"{PROJECT}/partners", PartnerViewSet, basename="project-partner")
router.register(f"{PROJECT}/funding", FundingViewSet, basename="project-funding")
router.register(f"{PROJECT}/deliverables", DeliverableViewSet, basename="project-deliverable")
router.register(f"{PROJECT}/documents", DocumentViewSet, basename="project-document")

urlpatterns = router.urls
