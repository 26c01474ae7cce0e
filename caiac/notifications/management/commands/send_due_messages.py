from django.core.management.base import BaseCommand

from caiac.notifications import delivery


class Command(BaseCommand):
    help = (
        "Send the messages that are due, now, in this process: the same scan as the Celery beat "
        "task, without a worker (for cron, or to flush the outbox by hand)."
    )

    def handle(self, *args, **options):
        outcomes = delivery.send_due()
        total = sum(outcomes.values())
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        self.stdout.write(f"{total} due message(s){': ' + summary if summary else ''}.")
