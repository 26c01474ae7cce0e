from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "caiac.projects"
    label = "projects"
    verbose_name = _("R&D projects")

    def ready(self) -> None:
        from caiac import files
        from caiac.projects.models import Deliverable, ProjectDocument

        files.delete_files_with(Deliverable, "evidence_file")
        files.delete_files_with(ProjectDocument, "file")
