from django.core.management.base import BaseCommand

from caiac.notifications import delivery


class Command(BaseCommand):
    help = (
        "Send the messages that are due, now, in this process: the same scan as the Celery beat "
        "task, without a worker (for cron, or to flush the outbox by hand)."
    )

    def handle(self, *args, **options):
        ids = delivery.due_scan()
        outcomes: dict[str, int] = {}
        for message_id in ids:
            outcome = delivery.message_deliver(message_id=message_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        self.stdout.write(f"{len(ids)} due message(s){': ' + summary if summary else ''}.")
