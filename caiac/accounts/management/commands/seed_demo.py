from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from caiac.accounts import demo as accounts_demo

# Each app that has demo data exposes ``demo.seed(ctx) -> list[str]`` (lines to print).
APP_SEEDERS = [
    "trainings.demo",
    "booking.demo",
    "incubation.demo",
    "caiac.projects.demo",
    "billing.demo",
    "caiac.notifications.demo",
]


class Command(BaseCommand):
    help = "Load a realistic demo of the lab (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        with transaction.atomic():
            ctx, lines = accounts_demo.seed()
            for module_path in APP_SEEDERS:
                try:
                    module = import_module(module_path)
                except ModuleNotFoundError as exc:
                    if exc.name != module_path:
                        raise
                    continue
                lines += module.seed(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data ready:"))
        for line in lines:
            self.stdout.write(f"  {line}")
