from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import exports, selectors, services
from billing.api import serializers as s
from billing.models import (
    Charge,
    CustomerProfile,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    PriceItem,
)
from booking.models import Booking
from caiac import access
from caiac.accounts.models import Organisation
from caiac.exports import XLSX_CONTENT_TYPE, xlsx_response
from caiac.permissions import IsClusterStaff, IsClusterStaffOrReadOnly

ERRORS = {
    400: OpenApiResponse(description='Invalid: {"code", "detail", "fields"}'),
    403: OpenApiResponse(description="Not allowed"),
    404: OpenApiResponse(description="Not found (or not yours)"),
    409: OpenApiResponse(description="Conflict: invalid_state, charge_invoiced, ..."),
}


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValidationError({name: [str(_("A whole number is required."))]})
    return int(value)


def _get_or_field_error(queryset, pk: int, field: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [str(_("Not found."))]})
    return found


class PriceItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The price list of materials and services. Everyone signed in reads; staff keep it."""

    queryset = PriceItem.objects.none()
    serializer_class = s.PriceItemSerializer
    permission_classes = [permissions.IsAuthenticated, IsClusterStaffOrReadOnly]
    filter_backends: list = []

    def get_queryset(self):
        include_inactive = access.is_staff(self.request.user)
        return selectors.price_list(include_inactive=include_inactive)

    def perform_create(self, serializer):
        serializer.instance = services.price_item_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.price_item_update(
            by=self.request.user, item=serializer.instance, **serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("organisation", int),
            OpenApiParameter("uninvoiced", bool, description="only charges on no issued invoice"),
        ]
    )
)
class ChargeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """What organisations owe before invoicing. Staff see all; owners their organisation's."""

    queryset = Charge.objects.none()
    serializer_class = s.ChargeSerializer
    filter_backends: list = []

    def get_queryset(self):
        charges = selectors.charges_visible_to(self.request.user)
        if self.action == "list":
            organisation = _int_param(self.request, "organisation")
            if organisation is not None:
                charges = charges.filter(organisation_id=organisation)
            if self.request.query_params.get("uninvoiced") in ("1", "true", "True"):
                charges = charges.exclude(invoice__status__in=["issued", "paid", "credited"])
        return charges.order_by("-service_date", "-id")

    @extend_schema(
        request=s.ChargeCreateSerializer,
        responses={201: s.ChargeSerializer, **ERRORS},
    )
    def create(self, request):
        """Staff charge a material or service (a price-list item) to a booking or organisation."""
        access.require_staff(request.user)
        data = s.ChargeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        item = _get_or_field_error(PriceItem.objects.all(), values.pop("item"), "item")
        if "booking" in values:
            values["booking"] = _get_or_field_error(
                Booking.objects.all(), values["booking"], "booking"
            )
        if "organisation" in values:
            values["organisation"] = _get_or_field_error(
                Organisation.objects.all(), values["organisation"], "organisation"
            )
        charge = services.charge_add(by=request.user, item=item, **values)
        return Response(s.ChargeSerializer(charge).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **ERRORS})
    def destroy(self, request, pk=None):
        """Staff remove a material or service line typed by mistake, before it is invoiced."""
        services.charge_delete(by=request.user, charge=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.WaiveSerializer, responses={200: s.ChargeSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        """Staff forgive a charge, with a reason; it leaves its draft invoice."""
        body = s.WaiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        charge = services.charge_waive(
            by=request.user, charge=self.get_object(), reason=body.validated_data["reason"]
        )
        return Response(s.ChargeSerializer(charge).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("organisation", int),
            OpenApiParameter("status", str, enum=InvoiceStatus.values),
            OpenApiParameter("kind", str, enum=InvoiceKind.values),
            OpenApiParameter("overdue", bool),
        ]
    )
)
class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invoices and credit notes. Staff see all (drafts included); owners their organisation's
    issued documents; other members nothing. Another organisation's document is a 404."""

    queryset = Invoice.objects.none()
    serializer_class = s.InvoiceSerializer
    filter_backends: list = []

    def get_queryset(self):
        invoices = selectors.invoices_visible_to(self.request.user).prefetch_related("lines")
        if self.action != "list":
            return invoices
        params = self.request.query_params
        organisation = _int_param(self.request, "organisation")
        if organisation is not None:
            invoices = invoices.filter(organisation_id=organisation)
        for name, choices in (("status", InvoiceStatus.values), ("kind", InvoiceKind.values)):
            value = params.get(name)
            if value:
                if value not in choices:
                    raise ValidationError({name: [str(_("Not a valid choice."))]})
                invoices = invoices.filter(**{name: value})
        if params.get("overdue") in ("1", "true", "True"):
            invoices = invoices.filter(pk__in=selectors.overdue_invoices().values("pk"))
        return invoices

    def get_object(self):
        return access.get_for_person_or_404(
            self.get_queryset(), self.request.user, self.kwargs["pk"], via=None
        )

    @extend_schema(request=s.DraftMonthSerializer, responses={200: s.InvoiceSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="draft-month")
    def draft_month(self, request):
        """Staff draft (or complete) the invoices of a month now, as the monthly task does."""
        access.require_staff(request.user)  # before the body says anything
        body = s.DraftMonthSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        drafts = services.invoices_draft_month_now(by=request.user, **body.validated_data)
        invoices = (
            selectors.with_delivery(
                selectors.with_balance(Invoice.objects.filter(pk__in=[d.pk for d in drafts]))
            )
            if drafts
            else []
        )
        return Response(s.InvoiceSerializer(invoices, many=True).data)

    @extend_schema(request=None, responses={200: s.InvoiceSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Staff issue a draft: the year's next number, the PDF, an email to the owners."""
        access.require_staff(request.user)
        invoice = services.invoice_issue(by=request.user, invoice=self.get_object())
        return Response(self._fresh(invoice))

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the PDF"),
            404: ERRORS[404],
            409: OpenApiResponse(description="`invalid_state`: a draft has no document yet"),
        }
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The document as issued (a draft has none yet: 409)."""
        invoice = self.get_object()
        content = exports.invoice_pdf_bytes(invoice)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(
        request=s.CreditNoteInputSerializer, responses={201: s.InvoiceSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="credit-note")
    def credit_note(self, request, pk=None):
        """Staff correct an issued invoice with a credit note (all of it, or some lines)."""
        access.require_staff(request.user)
        body = s.CreditNoteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = services.credit_note_create(
            by=request.user, invoice=self.get_object(), **body.validated_data
        )
        return Response(self._fresh(note), status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: s.PaymentSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=s.PaymentSerializer,
        responses={201: s.PaymentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def payments(self, request, pk=None):
        """Payments received for the invoice; staff record one (partial payments allowed)."""
        invoice = self.get_object()
        if request.method == "GET":
            return Response(s.PaymentSerializer(invoice.payments.all(), many=True).data)
        access.require_staff(request.user)
        body = s.PaymentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payment = services.payment_record(by=request.user, invoice=invoice, **body.validated_data)
        return Response(s.PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    def _fresh(self, invoice):
        fresh = selectors.with_delivery(
            selectors.with_balance(Invoice.objects.filter(pk=invoice.pk))
        ).get()
        return s.InvoiceSerializer(fresh).data


class StatementView(APIView):
    """An organisation's statement of account: documents and payments with the running
    balance, and what is overdue. Staff, and owners of that organisation."""

    @extend_schema(
        parameters=[OpenApiParameter("organisation", int, required=True)],
        responses={200: s.StatementSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    def get(self, request):
        organisation = _int_param(request, "organisation")
        if organisation is None:
            raise ValidationError({"organisation": [str(_("This field is required."))]})
        statement = selectors.statement_for(person=request.user, organisation_id=organisation)
        return Response(s.StatementSerializer(statement).data)


class ReceivablesView(APIView):
    """Staff: issued invoices with money still due, the longest overdue first."""

    permission_classes = [permissions.IsAuthenticated, IsClusterStaff]

    @extend_schema(responses={200: s.InvoiceSerializer(many=True)})
    def get(self, request):
        invoices = selectors.receivables().prefetch_related("lines")
        return Response(s.InvoiceSerializer(invoices, many=True).data)


class JournalCsvView(APIView):
    """Staff: invoices, credit notes and payments of a period, one table, for the accountant."""

    permission_classes = [permissions.IsAuthenticated, IsClusterStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8 BOM"),
            400: ERRORS[400],
        },
    )
    def get(self, request):
        body = s.JournalQuerySerializer(data=request.query_params)
        body.is_valid(raise_exception=True)
        start, end = body.validated_data["from"], body.validated_data["to"]
        response = HttpResponse(
            exports.journal_csv(start=start, end=end), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="journal-{start}-{end}.csv"'
        return response


class JournalXlsxView(APIView):
    """Staff: the accountant's journal of a period as a spreadsheet (one sheet, the same rows
    as ``journal.csv``: amounts as numbers, dates as dates)."""

    permission_classes = [permissions.IsAuthenticated, IsClusterStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
        ],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="XLSX, one sheet"
            ),
            400: ERRORS[400],
        },
    )
    def get(self, request):
        body = s.JournalQuerySerializer(data=request.query_params)
        body.is_valid(raise_exception=True)
        start, end = body.validated_data["from"], body.validated_data["to"]
        return xlsx_response(
            [exports.journal_table(start=start, end=end)],
            f"journal-{start}-{end}.xlsx",
            title=_("Accountant's journal"),
        )


class CustomerProfileView(APIView):
    """How an organisation is invoiced (address, ICE, invoice language). Staff and owners."""

    def _organisation(self, request, organisation_id: int) -> Organisation:
        visible = (
            Organisation.objects.all()
            if access.is_staff(request.user)
            else Organisation.objects.filter(pk__in=selectors.owned_organisation_ids(request.user))
        )
        return access.get_for_person_or_404(visible, request.user, organisation_id, via=None)

    @extend_schema(responses={200: s.CustomerProfileSerializer, 404: ERRORS[404]})
    def get(self, request, organisation_id: int):
        organisation = self._organisation(request, organisation_id)
        profile = CustomerProfile.objects.filter(organisation=organisation).first()
        if profile is None:
            profile = CustomerProfile(organisation=organisation, language=settings.LANGUAGE_CODE)
        return Response(s.CustomerProfileSerializer(profile).data)

    @extend_schema(
        request=s.CustomerProfileSerializer,
        responses={200: s.CustomerProfileSerializer, **ERRORS},
    )
    def put(self, request, organisation_id: int):
        organisation = self._organisation(request, organisation_id)
        body = s.CustomerProfileSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        profile = services.customer_profile_update(
            by=request.user, organisation=organisation, **body.validated_data
        )
        return Response(s.CustomerProfileSerializer(profile).data)
