from django.apps import AppConfig


class CaiacConfig(AppConfig):
    name = "caiac"
    verbose_name = "CAIAC Lab"

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        from caiac import (
            checks,  # noqa: F401  (registers the tzdata start-up check)
            dbtime,
        )
        from caiac.unavailable import note_database_error

        got_request_exception.connect(note_database_error, dispatch_uid="caiac-database-503")
        dbtime.install()
