from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Halle Technologique")

    def ready(self) -> None:
        # Booking sits above trainings and notifications: it plugs into them, they never
        # import it (docs/contracts.md).
        from booking import messaging
        from booking.services.training_holds import SessionMachines
        from caiac.notifications import relevance
        from trainings import machines

        machines.register(SessionMachines())
        for kind in ("booking.reminder_24h", "booking.reminder_1h"):
            relevance.register(kind, messaging.still_applies)
