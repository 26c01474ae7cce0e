from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubationConfig(AppConfig):
    name = "incubation"
    verbose_name = _("Incubation")

    def ready(self) -> None:
        from caiac import files
        from caiac.notifications import relevance
        from incubation.models import Milestone
        from incubation.services.campaigns import KPI_DUE_KIND, kpi_reminder_still_applies

        files.delete_files_with(Milestone, "evidence_file")
        relevance.register(KPI_DUE_KIND, kpi_reminder_still_applies)
