from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubationConfig(AppConfig):
    name = "incubation"
    verbose_name = _("Incubation")

    def ready(self) -> None:
        from caiac import files
        from incubation.models import Milestone

        files.delete_files_with(Milestone, "evidence_file")
