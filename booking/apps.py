from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Halle Technologique")

    def ready(self) -> None:
        # Booking sits above trainings, notifications and accounts: it plugs into them, they never
        # import it (docs/contracts.md).
        from booking import messaging
        from booking.services.feeds import feed_tokens_revoke_all
        from booking.services.training_holds import SessionMachines
        from caiac.accounts.services import on_password_change
        from caiac.notifications import relevance
        from trainings import machines

        machines.register(SessionMachines())
        on_password_change(feed_tokens_revoke_all)
        for kind in ("booking.reminder_24h", "booking.reminder_1h"):
            relevance.register(kind, messaging.still_applies)
