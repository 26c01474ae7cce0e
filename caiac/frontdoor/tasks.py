"""Celery tasks: thin and idempotent; the rules are in ``caiac.frontdoor.services``."""

from celery import shared_task

from caiac.frontdoor import services


@shared_task(name="caiac.frontdoor.tasks.purge_unconfirmed_join_requests")
def purge_unconfirmed_join_requests() -> int:
    """Delete join requests whose address was never confirmed and whose link has expired."""
    return services.join_requests_purge_unconfirmed()
