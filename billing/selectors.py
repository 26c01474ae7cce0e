"""Reads of billing: who sees which documents, balances, statements, receivables, revenue.

Financial data is for the cluster staff and the *owners* of an organisation; other members of
the organisation see none of it (docs/billing.md).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext

from billing.models import (
    Charge,
    CustomerProfile,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PriceItem,
)
from caiac import access
from caiac.accounts.models import Membership, MembershipRole, Organisation, User

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def owned_organisation_ids(person: User) -> list[int]:
    return list(
        person.memberships.filter(role=MembershipRole.OWNER).values_list(
            "organisation_id", flat=True
        )
    )


def with_balance(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotates ``paid``, ``credited`` (TTC of its credit notes) and ``balance``: what is still
    due on the invoice, never below zero. An invoice paid and then credited is settled (0); the
    money the lab then owes back is the organisation's credit on its statement of account, not
    a negative balance here that receivables or totals would count a second time."""
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    credited = (
        Invoice.objects.filter(credited_invoice=OuterRef("pk"))
        .values("credited_invoice")
        .annotate(total=Sum("total_ttc"))
        .values("total")
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    return queryset.annotate(
        paid=Coalesce(Subquery(paid, output_field=money), ZERO),
        credited=Coalesce(Subquery(credited, output_field=money), ZERO),
    ).annotate(
        balance=Greatest(
            ExpressionWrapper(F("total_ttc") - F("paid") - F("credited"), output_field=money),
            ZERO,
            output_field=money,
        )
    )


def with_delivery(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotates ``invoicing_email`` (of the organisation's invoicing details, "" if none) and
    ``owners_reachable`` (an active owner with an email): where its invoices are emailed."""
    email = CustomerProfile.objects.filter(organisation=OuterRef("organisation")).values("email")
    owners = Membership.objects.filter(
        organisation=OuterRef("organisation"), role=MembershipRole.OWNER, user__is_active=True
    ).exclude(user__email="")
    return queryset.annotate(
        invoicing_email=Coalesce(Subquery(email[:1]), Value(""), output_field=CharField()),
        owners_reachable=Exists(owners),
    )


def delivery_warning(invoice: Invoice) -> str:
    """What staff must know before issuing: "" when the organisation has an invoicing email,
    else where its documents go instead (its owners), or that nobody will receive them."""
    if not hasattr(invoice, "invoicing_email"):
        invoice = with_delivery(Invoice.objects.filter(pk=invoice.pk)).get()
    if invoice.invoicing_email:
        return ""
    if invoice.owners_reachable:
        return gettext(
            "This organisation has no invoicing email: its invoices are emailed to its owners."
        )
    return gettext(
        "This organisation has no invoicing email and no owner to write to: its invoices are "
        "not emailed. Add the invoicing email to its invoicing details."
    )


def invoices_visible_to(person: User) -> QuerySet[Invoice]:
    """Staff: every document, drafts included. Owners: their organisations' issued documents."""
    base = Invoice.objects.select_related("organisation", "credited_invoice")
    if access.is_staff(person):
        return with_delivery(with_balance(base))
    return with_delivery(
        with_balance(
            base.filter(organisation_id__in=owned_organisation_ids(person)).exclude(
                status=InvoiceStatus.DRAFT
            )
        )
    )


def invoice_get_for_person(*, person: User, pk: int) -> Invoice:
    return access.get_for_person_or_404(invoices_visible_to(person), person, pk, via=None)


def invoice_balance(invoice: Invoice) -> Decimal:
    if invoice.kind != InvoiceKind.INVOICE:
        return Decimal("0.00")
    return with_balance(Invoice.objects.filter(pk=invoice.pk)).get().balance


def charges_visible_to(person: User) -> QuerySet[Charge]:
    base = Charge.objects.select_related("organisation", "invoice", "item", "booking")
    if access.is_staff(person):
        return base
    return base.filter(organisation_id__in=owned_organisation_ids(person))


def customer_profile(organisation: Organisation) -> CustomerProfile:
    """The organisation's invoicing details (unsaved defaults when it has none yet)."""
    profile = CustomerProfile.objects.filter(organisation=organisation).first()
    return profile or CustomerProfile(organisation=organisation, language=settings.LANGUAGE_CODE)


def price_list(*, include_inactive: bool = False) -> QuerySet[PriceItem]:
    items = PriceItem.objects.all()
    return items if include_inactive else items.filter(is_active=True)


def overdue_invoices(today: datetime.date | None = None) -> QuerySet[Invoice]:
    today = today or timezone.localdate()
    return (
        with_balance(
            Invoice.objects.filter(
                kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED, due_date__lt=today
            )
        )
        .filter(balance__gt=0)
        .select_related("organisation")
    )


def receivables() -> QuerySet[Invoice]:
    """Issued invoices with money still due, the longest overdue first (earliest due date)."""
    return with_delivery(
        with_balance(Invoice.objects.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED))
        .filter(balance__gt=0)
        .select_related("organisation")
        .order_by("due_date", "number")
    )


@dataclass
class StatementEntry:
    date: datetime.date
    label: str
    reference: str
    debit: Decimal
    credit: Decimal
    balance: Decimal = Decimal("0.00")
    invoice_id: int | None = None


@dataclass
class Statement:
    organisation: Organisation
    entries: list[StatementEntry] = field(default_factory=list)
    balance: Decimal = Decimal("0.00")
    overdue: Decimal = Decimal("0.00")


def statement_for(*, person: User, organisation_id: int) -> Statement:
    """Statement of account: invoices (debit), credit notes and payments (credit), in date
    order with the running balance; what is overdue today."""
    organisation = access.get_for_person_or_404(
        Organisation.objects.all()
        if access.is_staff(person)
        else Organisation.objects.filter(pk__in=owned_organisation_ids(person)),
        person,
        organisation_id,
        via=None,
    )
    documents = Invoice.objects.filter(organisation=organisation).exclude(
        status=InvoiceStatus.DRAFT
    )
    entries = []
    for document in documents:
        credit_note = document.kind == InvoiceKind.CREDIT_NOTE
        entries.append(
            StatementEntry(
                date=document.issue_date,
                label=document.get_kind_display(),
                reference=document.number,
                debit=Decimal("0.00") if credit_note else document.total_ttc,
                credit=document.total_ttc if credit_note else Decimal("0.00"),
                invoice_id=document.pk,
            )
        )
    for payment in Payment.objects.filter(invoice__organisation=organisation).select_related(
        "invoice"
    ):
        entries.append(
            StatementEntry(
                date=payment.paid_on,
                label=payment.get_method_display(),
                reference=payment.invoice.number,
                debit=Decimal("0.00"),
                credit=payment.amount,
                invoice_id=payment.invoice_id,
            )
        )
    entries.sort(key=lambda entry: (entry.date, entry.debit == 0))
    running = Decimal("0.00")
    for entry in entries:
        running += entry.debit - entry.credit
        entry.balance = running
    overdue = (
        overdue_invoices()
        .filter(organisation=organisation)
        .aggregate(total=Coalesce(Sum("balance"), ZERO))["total"]
    )
    return Statement(organisation=organisation, entries=entries, balance=running, overdue=overdue)


def revenue_by_month(*, start: datetime.date, end: datetime.date) -> list[dict]:
    """Invoiced revenue excl. VAT per month of issue (credit notes deducted), for dashboards:
    ``[{"month": date, "invoiced": Decimal, "credited": Decimal, "net": Decimal}]``."""
    rows = (
        Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
        .filter(issue_date__gte=start, issue_date__lte=end)
        .annotate(month=TruncMonth("issue_date"))
        .values("month")
        .annotate(
            invoiced=Coalesce(Sum("total_ht", filter=Q(kind=InvoiceKind.INVOICE)), ZERO),
            credited=Coalesce(Sum("total_ht", filter=Q(kind=InvoiceKind.CREDIT_NOTE)), ZERO),
        )
        .order_by("month")
    )
    return [
        {
            "month": row["month"],
            "invoiced": row["invoiced"],
            "credited": row["credited"],
            "net": row["invoiced"] - row["credited"],
        }
        for row in rows
    ]
