"""KPI campaigns: after a quarter ends, every incubatee that owes its report for it is reminded
once a week, through the outbox, until the report arrives.

The campaign of a quarter runs from the day after it ends (Africa/Casablanca wall clock: a quarter
ends at local midnight, which is 23:00 UTC the day before while Morocco is on UTC+1) until the
next quarter ends, when the next campaign takes over; older gaps stay visible to staff on the
cohort page. Weeks are counted from the quarter's end (week 0 is its first seven days), so the
dedup key ``kpi-campaign:<period>:incubatee:<id>:week:<n>:user:<id>`` makes any number of scans
in one week write one reminder per person. The beat task scans daily: a missed day is caught up
the next.

Who owes a report for a quarter (``selectors.kpi_reports_missing``): an incubatee that had joined
before the quarter ended, whose cohort ran during the quarter, that is still in a live stage or
left it only after the quarter ended, and that has no report for it. Every active member of its
organisation is reminded, each in their own language (the outbox renders in the recipient's).
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from caiac import clock
from caiac.accounts.models import User
from caiac.notifications.models import Message
from caiac.notifications.services import message_schedule, messages_drop
from incubation import selectors
from incubation.models import Incubatee, KpiReport

logger = logging.getLogger(__name__)

KPI_DUE_KIND = "incubation.kpi_report_due"


def campaign_key_prefix(*, period: str, incubatee_id: int) -> str:
    return f"kpi-campaign:{period}:incubatee:{incubatee_id}:"


def campaign_week(*, period: str, today: datetime.date) -> int:
    """Whole weeks since the quarter ended (0 during its first seven days after)."""
    return (today - selectors.period_end(period)).days // 7


def _recipients(incubatee: Incubatee) -> list[User]:
    # The members prefetched by the selector: no query per incubatee.
    return [m.user for m in incubatee.organisation.memberships.all() if m.user.is_active]


def kpi_campaign_remind(*, now: datetime.datetime | None = None) -> int:
    """Remind every incubatee that owes the last ended quarter's report; returns how many new
    reminders were written (0 on a second scan in the same week)."""
    now = now or timezone.now()
    today = clock.local_date(now)
    period = selectors.last_ended_period(today)
    week = campaign_week(period=period, today=today)
    written = 0
    for incubatee in selectors.kpi_reports_missing(period=period).prefetch_related(
        "organisation__memberships__user"
    ):
        prefix = campaign_key_prefix(period=period, incubatee_id=incubatee.pk)
        for person in _recipients(incubatee):
            key = f"{prefix}week:{week}:user:{person.pk}"
            if Message.objects.filter(dedup_key=key).exists():
                continue
            try:
                # One savepoint per row: a scan running beside this one (beat plus a hand-run
                # task) may write the same key first; its row stands and this one is skipped.
                with transaction.atomic():
                    message_schedule(
                        recipient=person,
                        kind=KPI_DUE_KIND,
                        dedup_key=key,
                        due_at=now,
                        about=incubatee,
                        context={
                            "incubatee_id": incubatee.pk,
                            "period": period,
                            "week": week,
                            "organisation": incubatee.organisation.name,
                            "cohort": incubatee.cohort.name,
                        },
                    )
            except IntegrityError:
                continue
            written += 1
    logger.info("KPI campaign %s week %s: %s reminder(s) written", period, week, written)
    return written


def kpi_campaign_drop(*, report: KpiReport) -> int:
    """The report arrived: the incubatee's pending reminders for that quarter are dropped."""
    return messages_drop(
        dedup_prefix=campaign_key_prefix(period=report.period, incubatee_id=report.incubatee_id)
    )


def kpi_reminder_still_applies(message: Message) -> bool:
    """Asked at send time (caiac.notifications.relevance): not once the report is in."""
    context = message.context or {}
    return not KpiReport.objects.filter(
        incubatee_id=context.get("incubatee_id"), period=context.get("period")
    ).exists()
