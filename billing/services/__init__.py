"""Every write of billing. See docs/billing.md."""

from billing.services.charges import charge_add, charge_delete, charge_waive, charges_collect
from billing.services.invoices import (
    CUSTOMER_PROFILE_FIELDS,
    credit_note_create,
    customer_profile_update,
    invoice_issue,
    invoices_draft_month,
    invoices_draft_month_now,
    month_bounds,
    overdue_reminders_send,
    payment_record,
    previous_month,
)
from billing.services.pricelist import price_item_create, price_item_update

__all__ = [
    "CUSTOMER_PROFILE_FIELDS",
    "charge_add",
    "charge_delete",
    "charge_waive",
    "charges_collect",
    "credit_note_create",
    "customer_profile_update",
    "invoice_issue",
    "invoices_draft_month",
    "invoices_draft_month_now",
    "month_bounds",
    "overdue_reminders_send",
    "payment_record",
    "previous_month",
    "price_item_create",
    "price_item_update",
]
