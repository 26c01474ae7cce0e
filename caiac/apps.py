from django.apps import AppConfig


class CaiacConfig(AppConfig):
    name = "caiac"
    verbose_name = "CAIAC Lab"

    def ready(self) -> None:
        from caiac import checks  # noqa: F401  (registers the tzdata start-up check)
