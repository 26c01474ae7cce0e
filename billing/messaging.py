"""What the owners of an organisation are told about its invoices, through the outbox."""

from typing import Any

from billing.models import Invoice
from caiac.accounts.models import MembershipRole, User
from caiac.notifications.models import Message
from caiac.notifications.services import message_schedule, messages_drop


def owners_of(invoice: Invoice) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation_id=invoice.organisation_id,
            memberships__role=MembershipRole.OWNER,
            is_active=True,
        ).order_by("pk")
    )


def invoice_context(invoice: Invoice) -> dict[str, Any]:
    context: dict[str, Any] = {
        "invoice_id": invoice.pk,
        "kind": invoice.kind,
        "number": invoice.number,
        "organisation": invoice.organisation.name,
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else "",
        "due_date": invoice.due_date.isoformat() if invoice.due_date else "",
        "total_ttc": str(invoice.total_ttc),
        "credited_number": invoice.credited_invoice.number if invoice.credited_invoice else "",
    }
    if invoice.pdf:
        # The stored PDF rides along as an attachment (caiac.notifications reads it at send time).
        context["attachments"] = [
            {
                "path": invoice.pdf.name,
                "filename": f"{invoice.number}.pdf",
                "mimetype": "application/pdf",
            }
        ]
    return context


def announce_issued(invoice: Invoice) -> None:
    kind = "billing.credit_note_issued" if invoice.is_credit_note else "billing.invoice_issued"
    context = invoice_context(invoice)
    for owner in owners_of(invoice):
        message_schedule(
            recipient=owner,
            kind=kind,
            dedup_key=f"invoice:{invoice.pk}:issued:user:{owner.pk}",
            context=context,
            about=invoice,
        )


def remind_overdue(invoice: Invoice) -> int:
    """One reminder per owner and due date; returns how many new ones were written."""
    context = invoice_context(invoice) | {"balance": str(invoice.balance)}
    written = 0
    for owner in owners_of(invoice):
        key = f"invoice:{invoice.pk}:overdue:{invoice.due_date.isoformat()}:user:{owner.pk}"
        if Message.objects.filter(dedup_key=key).exists():
            continue
        message_schedule(
            recipient=owner,
            kind="billing.invoice_overdue",
            dedup_key=key,
            context=context,
            about=invoice,
        )
        written += 1
    return written


def drop_overdue_reminders(invoice: Invoice) -> None:
    messages_drop(dedup_prefix=f"invoice:{invoice.pk}:overdue:")
