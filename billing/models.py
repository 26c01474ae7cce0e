"""What organisations owe the lab: charges, invoices, credit notes, payments (docs/billing.md).

Money is MAD with two decimals. A line's amounts are rounded once (HT, then its VAT), and an
invoice's totals are the sums of its lines, so HT + TVA = TTC to the centime on every document.
An issued document never changes: corrections are credit notes (avoirs) that reference it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Abs
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from booking.models import Booking
from caiac.accounts.models import Language, Organisation
from trainings.models import Enrolment

MONEY = {"max_digits": 12, "decimal_places": 2}


def adds_up(total: str, *parts: str) -> LessThan:
    """total = sum of parts, to the centime. (SQLite keeps decimals as floats: 6.70 + 1.34 is
    not 8.04 there, so the check allows less than half a centime; PostgreSQL is exact.)"""
    difference = F(total)
    for part in parts:
        difference = difference - F(part)
    return LessThan(Abs(difference), Decimal("0.005"))


RATE = {"max_digits": 5, "decimal_places": 2}


class PriceItem(models.Model):
    """A material or service the lab sells besides machine time: jars, labels, nitrogen..."""

    name = models.CharField(_("item"), max_length=200, unique=True)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("e.g. piece, kg, litre, hour"))
    unit_price = models.DecimalField(_("unit price excl. VAT (MAD)"), **MONEY)
    vat_rate = models.DecimalField(_("VAT rate (%)"), **RATE, default=Decimal("20.00"))
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("price-list item")
        verbose_name_plural = _("price list")
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="priceitem_price_positive"),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100), name="priceitem_vat_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerProfile(models.Model):
    """How an organisation is invoiced: legal name, address, tax identifiers, the address its
    invoices are emailed to and their language. Its owners keep it (statement page, API)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="billing_profile"
    )
    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        help_text=_("As registered (e.g. SARL AU); the organisation's name when empty."),
    )
    address = models.TextField(_("invoicing address"), blank=True)
    ice = models.CharField(_("ICE"), max_length=15, blank=True, help_text=_("15 digits"))
    email = models.EmailField(_("invoicing email"), blank=True)
    language = models.CharField(
        _("invoice language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invoicing details")
        verbose_name_plural = _("invoicing details")

    def __str__(self) -> str:
        return str(self.organisation)


class ChargeKind(models.TextChoices):
    BOOKING = "booking", _("Machine time")
    NO_SHOW = "no_show", _("No-show fee")
    LATE_CANCELLATION = "late_cancellation", _("Late cancellation fee")
    COURSE_FEE = "course_fee", _("Training fee")
    ITEM = "item", _("Material or service")


class Charge(models.Model):
    """One thing an organisation owes, before it is invoiced.

    Charges of bookings and training attendance are collected from those apps' state (billing
    reads them; they never call billing), at most once per booking or enrolment and kind.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="charges")
    kind = models.CharField(_("kind"), max_length=20, choices=ChargeKind.choices)
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    item = models.ForeignKey(
        PriceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    description = models.CharField(_("description"), max_length=300)
    service_date = models.DateField(_("date of service"))
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    unit_price = models.DecimalField(_("unit price excl. VAT (MAD)"), **MONEY)
    vat_rate = models.DecimalField(_("VAT rate (%)"), **RATE)
    amount = models.DecimalField(_("amount excl. VAT (MAD)"), **MONEY)
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    waive_reason = models.CharField(_("reason for waiving"), max_length=300, blank=True)
    invoice = models.ForeignKey(
        "Invoice", on_delete=models.SET_NULL, null=True, blank=True, related_name="charges"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service_date", "id"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        indexes = [
            models.Index(fields=["organisation", "service_date"], name="charge_org_date"),
            models.Index(
                fields=["service_date"],
                condition=Q(invoice__isnull=True, waived_at__isnull=True),
                name="charge_to_invoice",
            ),
        ]
        constraints = [
            # Collected at most once per booking / enrolment and kind: collection is idempotent.
            models.UniqueConstraint(
                fields=["booking", "kind"],
                condition=Q(booking__isnull=False) & ~Q(kind="item"),
                name="charge_once_per_booking_and_kind",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "kind"],
                condition=Q(enrolment__isnull=False),
                name="charge_once_per_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(unit_price__gte=0) & Q(amount__gte=0),
                name="charge_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100), name="charge_vat_range"
            ),
            models.CheckConstraint(
                condition=Q(waived_at__isnull=True) | ~Q(waive_reason=""),
                name="charge_waiver_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount} MAD)"

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("invoice status", "Draft")
    ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
    PAID = "paid", pgettext_lazy("invoice status", "Paid")
    CREDITED = "credited", pgettext_lazy("invoice status", "Credited")


class Invoice(models.Model):
    """An invoice or a credit note (``kind``). Drafts change; issued documents never do."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invoices"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    number = models.CharField(_("number"), max_length=20, null=True, blank=True, unique=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period until (inclusive)"), null=True, blank=True)
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credit note of"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    issue_date = models.DateField(_("date of issue"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the document says of the customer, frozen at issue.
    customer_name = models.CharField(_("customer"), max_length=200, blank=True)
    customer_address = models.TextField(_("customer address"), blank=True)
    customer_ice = models.CharField(_("customer ICE"), max_length=15, blank=True)
    total_ht = models.DecimalField(_("total excl. VAT"), **MONEY, default=0)
    total_vat = models.DecimalField(_("VAT"), **MONEY, default=0)
    total_ttc = models.DecimalField(_("total incl. VAT"), **MONEY, default=0)
    pdf = models.FileField(_("PDF"), upload_to="billing/invoices/%Y/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["organisation", "-issue_date"], name="invoice_org_issued"),
            models.Index(fields=["status", "due_date"], name="invoice_status_due"),
        ]
        constraints = [
            # One monthly draft per organisation and period (the monthly task adds to it).
            models.UniqueConstraint(
                fields=["organisation", "period_start"],
                condition=Q(kind="invoice", status="draft"),
                name="invoice_one_draft_per_period",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True)
                | (~Q(status="draft") & Q(number__isnull=False)),
                name="invoice_numbered_once_issued",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="invoice_credit_note_references_invoice",
            ),
            models.CheckConstraint(
                condition=adds_up("total_ttc", "total_ht", "total_vat"),
                name="invoice_totals_add_up",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    charge = models.ForeignKey(
        Charge, on_delete=models.SET_NULL, null=True, blank=True, related_name="lines"
    )
    credited_line = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_lines"
    )
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(_("description"), max_length=300)
    service_date = models.DateField(_("date of service"), null=True, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    unit_price = models.DecimalField(_("unit price excl. VAT"), **MONEY)
    vat_rate = models.DecimalField(_("VAT rate (%)"), **RATE)
    amount_ht = models.DecimalField(_("amount excl. VAT"), **MONEY)
    amount_vat = models.DecimalField(_("VAT"), **MONEY)
    amount_ttc = models.DecimalField(_("amount incl. VAT"), **MONEY)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(
                condition=adds_up("amount_ttc", "amount_ht", "amount_vat"),
                name="invoiceline_amounts_add_up",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class NumberSeries(models.Model):
    """The last number given in one series and year; locked while a document is issued."""

    series = models.CharField(max_length=12)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="numberseries_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (MAD)"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} MAD on {self.paid_on}"
