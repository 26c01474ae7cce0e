from django.urls import path
from rest_framework.routers import SimpleRouter

from incubation.api.followup_views import (
    CohortViewSet,
    FunderReportCsvView,
    FunderReportView,
    FunderReportXlsxView,
    IncubateeViewSet,
    KpiReportViewSet,
    MentoringSessionViewSet,
    MilestoneViewSet,
)
from incubation.api.reports_views import (
    ClusterReportCsvView,
    ClusterReportView,
    ClusterReportXlsxView,
)
from incubation.api.views import (
    ApplicationViewSet,
    CallViewSet,
    EvaluationViewSet,
    ProgrammeViewSet,
)

router = SimpleRouter()
router.register("incubation/programmes", ProgrammeViewSet, basename="incubation-programme")
router.register("incubation/calls", CallViewSet, basename="incubation-call")
router.register("incubation/applications", ApplicationViewSet, basename="incubation-application")
router.register("incubation/evaluations", EvaluationViewSet, basename="incubation-evaluation")
router.register("incubation/cohorts", CohortViewSet, basename="incubation-cohort")
router.register("incubation/incubatees", IncubateeViewSet, basename="incubation-incubatee")
router.register("incubation/milestones", MilestoneViewSet, basename="incubation-milestone")
router.register(
    "incubation/mentoring-sessions", MentoringSessionViewSet, basename="incubation-mentoring"
)
router.register("incubation/kpi-reports", KpiReportViewSet, basename="incubation-kpi-report")

urlpatterns = [
    path(
        "incubation/cohorts/<int:pk>/report.csv",
        CohortViewSet.as_view({"get": "report_csv"}),
        name="incubation-cohort-report-csv",
    ),
    path(
        "incubation/cohorts/<int:pk>/report.xlsx",
        CohortViewSet.as_view({"get": "report_xlsx"}),
        name="incubation-cohort-report-xlsx",
    ),
    path("incubation/reports/funder/", FunderReportView.as_view(), name="incubation-funder"),
    path(
        "incubation/reports/funder.csv",
        FunderReportCsvView.as_view(),
        name="incubation-funder-csv",
    ),
    path(
        "incubation/reports/funder.xlsx",
        FunderReportXlsxView.as_view(),
        name="incubation-funder-xlsx",
    ),
    path("reports/cluster/", ClusterReportView.as_view(), name="reports-cluster"),
    path("reports/cluster.csv", ClusterReportCsvView.as_view(), name="reports-cluster-csv"),
    path("reports/cluster.xlsx", ClusterReportXlsxView.as_view(), name="reports-cluster-xlsx"),
    *router.urls,
]
