from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Trainings")

    def ready(self) -> None:
        from caiac.notifications import relevance
        from trainings.services.messages import SEND_TIME_CHECKS

        for kind, check in SEND_TIME_CHECKS.items():
            relevance.register(kind, check)
