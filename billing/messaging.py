"""What an organisation is told about its invoices, through the outbox.

Invoices and reminders go to the organisation's invoicing email (its invoicing details), else
to its owners; always in the invoice's language, stored at issue, like the PDF they carry.
An organisation with neither gets nothing: staff see ``selectors.delivery_warning`` instead.
"""

from typing import Any

from billing.models import CustomerProfile, Invoice
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


def invoicing_email(organisation_id: int) -> str:
    profile = CustomerProfile.objects.filter(organisation_id=organisation_id).first()
    return profile.email if profile else ""


def addressees(invoice: Invoice) -> list[tuple[str, dict[str, Any]]]:
    """``(dedup suffix, message_schedule arguments)`` for each addressee of the invoice."""
    language = invoice.language
    email = invoicing_email(invoice.organisation_id)
    if email:
        return [("email", {"to_email": email, "language": language})]
    return [
        (f"user:{owner.pk}", {"recipient": owner, "language": language})
        for owner in owners_of(invoice)
    ]


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


def announce_issued(invoice: Invoice) -> int:
    """Returns how many messages were written (0: nobody to send it to)."""
    kind = "billing.credit_note_issued" if invoice.is_credit_note else "billing.invoice_issued"
    context = invoice_context(invoice)
    written = 0
    for suffix, to in addressees(invoice):
        message_schedule(
            kind=kind,
            dedup_key=f"invoice:{invoice.pk}:issued:{suffix}",
            context=context,
            about=invoice,
            **to,
        )
        written += 1
    return written


def remind_overdue(invoice: Invoice) -> int:
    """One reminder per addressee and due date; returns how many new ones were written."""
    context = invoice_context(invoice) | {"balance": str(invoice.balance)}
    written = 0
    for suffix, to in addressees(invoice):
        key = f"invoice:{invoice.pk}:overdue:{invoice.due_date.isoformat()}:{suffix}"
        if Message.objects.filter(dedup_key=key).exists():
            continue
        message_schedule(
            kind="billing.invoice_overdue",
            dedup_key=key,
            context=context,
            about=invoice,
            **to,
        )
        written += 1
    return written


def drop_overdue_reminders(invoice: Invoice) -> None:
    messages_drop(dedup_prefix=f"invoice:{invoice.pk}:overdue:")
