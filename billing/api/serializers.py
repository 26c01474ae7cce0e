from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from billing import selectors
from billing.models import (
    Charge,
    ChargeKind,
    CustomerProfile,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PriceItem,
)
from caiac.accounts.models import Language
from caiac.serializers import BoundedDateField, IntegerField, ModelSerializer

MONEY = {"max_digits": 12, "decimal_places": 2}


class PriceItemSerializer(ModelSerializer):
    unit_price = serializers.DecimalField(**MONEY, min_value=Decimal("0"))
    vat_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        help_text="20 % when omitted",
    )

    class Meta:
        model = PriceItem
        fields = ["id", "name", "unit", "unit_price", "vat_rate", "is_active"]
        read_only_fields = ["id"]
        # A name taken (in any case) is a 409 from the service, not a 400 here.
        extra_kwargs = {"name": {"validators": []}}


class ChargeSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=ChargeKind.choices, read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    invoice_number = serializers.CharField(
        source="invoice.number", read_only=True, allow_null=True, default=None
    )
    waived = serializers.BooleanField(source="is_waived", read_only=True)

    class Meta:
        model = Charge
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "booking",
            "enrolment",
            "item",
            "description",
            "service_date",
            "quantity",
            "unit",
            "unit_price",
            "vat_rate",
            "amount",
            "waived",
            "waived_at",
            "waive_reason",
            "invoice",
            "invoice_number",
            "created_at",
        ]
        read_only_fields = fields


class ChargeCreateSerializer(serializers.Serializer):
    item = IntegerField(min_value=1, help_text="a price-list item")
    quantity = serializers.DecimalField(max_digits=10, decimal_places=3, min_value=Decimal("0.001"))
    organisation = IntegerField(min_value=1, required=False)
    booking = IntegerField(
        min_value=1, required=False, help_text="charge it with this booking (its organisation)"
    )
    service_date = BoundedDateField(required=False)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate(self, attrs):
        if "organisation" not in attrs and "booking" not in attrs:
            raise serializers.ValidationError(
                {"organisation": [_("Say which organisation or booking this is for.")]}
            )
        return attrs


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class InvoiceLineSerializer(ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "position",
            "description",
            "service_date",
            "quantity",
            "unit",
            "unit_price",
            "vat_rate",
            "amount_ht",
            "amount_vat",
            "amount_ttc",
            "credited_line",
        ]
        read_only_fields = fields


class PaymentSerializer(ModelSerializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))

    class Meta:
        model = Payment
        fields = ["id", "invoice", "amount", "paid_on", "method", "reference", "created_at"]
        read_only_fields = ["id", "invoice", "created_at"]

    def validate_paid_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("A payment cannot be dated in the future."))
        return value


class InvoiceSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=InvoiceKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, read_only=True)
    language = serializers.ChoiceField(choices=Language.choices, read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    credited_invoice_number = serializers.CharField(
        source="credited_invoice.number", read_only=True, allow_null=True, default=None
    )
    paid = serializers.DecimalField(**MONEY, read_only=True)
    credited = serializers.DecimalField(**MONEY, read_only=True)
    balance = serializers.DecimalField(**MONEY, read_only=True)
    is_overdue = serializers.SerializerMethodField()
    delivery_warning = serializers.SerializerMethodField(
        help_text="empty when the organisation has an invoicing email; else where its documents "
        "are emailed instead (its owners), or that nobody receives them"
    )
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "kind",
            "number",
            "status",
            "organisation",
            "organisation_name",
            "period_start",
            "period_end",
            "issue_date",
            "due_date",
            "credited_invoice",
            "credited_invoice_number",
            "reason",
            "language",
            "customer_name",
            "customer_address",
            "customer_ice",
            "total_ht",
            "total_vat",
            "total_ttc",
            "paid",
            "credited",
            "balance",
            "is_overdue",
            "delivery_warning",
            "lines",
        ]
        read_only_fields = fields

    def get_delivery_warning(self, invoice: Invoice) -> str:
        return selectors.delivery_warning(invoice)

    def get_is_overdue(self, invoice: Invoice) -> bool:
        return bool(
            invoice.kind == InvoiceKind.INVOICE
            and invoice.status == InvoiceStatus.ISSUED
            and invoice.due_date
            and invoice.due_date < timezone.localdate()
            and getattr(invoice, "balance", 0) > 0
        )


class CreditLineSerializer(serializers.Serializer):
    line = IntegerField(min_value=1)
    quantity = serializers.DecimalField(
        max_digits=10, decimal_places=3, min_value=Decimal("0.001"), required=False
    )


class CreditNoteInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    lines = CreditLineSerializer(
        many=True, required=False, help_text="omit to credit the whole invoice"
    )


class DraftMonthSerializer(serializers.Serializer):
    year = IntegerField(min_value=2020, max_value=2100)
    month = IntegerField(min_value=1, max_value=12)


class StatementEntrySerializer(serializers.Serializer):
    date = BoundedDateField()
    label = serializers.CharField()
    reference = serializers.CharField()
    debit = serializers.DecimalField(**MONEY)
    credit = serializers.DecimalField(**MONEY)
    balance = serializers.DecimalField(**MONEY)
    invoice_id = serializers.IntegerField(allow_null=True)


class StatementSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation.pk")
    organisation_name = serializers.CharField(source="organisation.name")
    balance = serializers.DecimalField(**MONEY)
    overdue = serializers.DecimalField(**MONEY)
    entries = StatementEntrySerializer(many=True)


class CustomerProfileSerializer(ModelSerializer):
    language = serializers.ChoiceField(choices=Language.choices, required=False)

    class Meta:
        model = CustomerProfile
        fields = ["organisation", "legal_name", "address", "ice", "email", "language"]
        read_only_fields = ["organisation"]


class JournalQuerySerializer(serializers.Serializer):
    """``?from=&to=``. ``from`` is a Python keyword, so the field cannot be a class attribute:
    it is added under its real name in ``get_fields`` (errors then name ``from``, as the
    client sent it, and ``validated_data["from"]`` is the date)."""

    to = BoundedDateField()

    def get_fields(self):
        fields = super().get_fields()
        return {"from": BoundedDateField(), **fields}

    def validate(self, attrs):
        if attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": [_("Must not be before the first day.")]})
        return attrs
