"""Billing pages: owners see their organisation's invoices and statement; staff review drafts,
issue them, record payments, write credit notes, charge materials and keep the price list.
Every write goes through billing.services; who sees what is billing.selectors'."""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from billing import exports, selectors, services
from billing.models import (
    Charge,
    Invoice,
    InvoiceStatus,
    PaymentMethod,
    PriceItem,
)
from booking.models import Booking
from caiac import access
from caiac.accounts.models import Language, Organisation
from caiac.errors import DomainError, Invalid
from frontend.forms import CaiacForm, DateInput


class PaymentForm(CaiacForm):
    amount = forms.DecimalField(
        label=_("Amount (MAD)"), min_value=Decimal("0.01"), decimal_places=2
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)


class CreditNoteForm(CaiacForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    lines = forms.MultipleChoiceField(
        label=_("Lines to credit (none ticked: the whole invoice)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [(line.pk, line.description) for line in invoice.lines.all()]


class ChargeForm(CaiacForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    item = forms.ModelChoiceField(label=_("Item"), queryset=PriceItem.objects.none())
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.001"), decimal_places=3)
    booking = forms.IntegerField(
        label=_("Booking number"), required=False, min_value=1, max_value=2**62
    )
    service_date = forms.DateField(label=_("Date"), required=False, widget=DateInput)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["item"].queryset = selectors.price_list()


class PriceItemForm(CaiacForm):
    name = forms.CharField(label=_("Item"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40)
    unit_price = forms.DecimalField(
        label=_("Unit price excl. VAT (MAD)"), min_value=Decimal("0"), decimal_places=2
    )
    vat_rate = forms.DecimalField(
        label=_("VAT rate (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        initial=Decimal("20"),
    )


class CustomerProfileForm(CaiacForm):
    """The organisation's invoicing details, as its owners keep them (statement page)."""

    legal_name = forms.CharField(
        label=_("Legal name"),
        required=False,
        max_length=200,
        help_text=_("As registered (e.g. SARL AU); the organisation's name when empty."),
    )
    ice = forms.CharField(label=_("ICE"), required=False, max_length=15, help_text=_("15 digits"))
    address = forms.CharField(
        label=_("Invoicing address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    email = forms.EmailField(
        label=_("Invoicing email"),
        required=False,
        help_text=_("Invoices and reminders are emailed there; to the owners when it is empty."),
    )
    language = forms.ChoiceField(label=_("Invoice language"), choices=Language.choices)


def _invoice(request, pk: int) -> Invoice:
    return selectors.invoice_get_for_person(person=request.user, pk=pk)


@login_required
def invoices(request):
    """Owners: their organisations' documents. Staff: drafts to review, what is due, all."""
    documents = selectors.invoices_visible_to(request.user).order_by("-issue_date", "-id")
    staff = access.is_staff(request.user)
    view = request.GET.get("view", "drafts" if staff else "all")
    if staff and view == "drafts":
        documents = documents.filter(status=InvoiceStatus.DRAFT)
    elif staff and view == "due":
        documents = selectors.receivables()
    page = Paginator(documents, 30).get_page(request.GET.get("page"))
    owned = Organisation.objects.filter(pk__in=selectors.owned_organisation_ids(request.user))
    today = timezone.localdate()
    context = {
        "page": page,
        "view": view,
        "staff": staff,
        "owned": owned,
        "today": today,
    }
    if staff:
        first = today.replace(day=1)
        context["revenue"] = selectors.revenue_by_month(start=first, end=today)
        context["drafts_count"] = Invoice.objects.filter(status=InvoiceStatus.DRAFT).count()
        context["due"] = selectors.receivables().count()
        context["last_month"] = services.previous_month(today)
        first, last = services.month_bounds(*context["last_month"])
        context["journal_period"] = f"from={first.isoformat()}&to={last.isoformat()}"
    return render(request, "frontend/billing/invoices.html", context)


@login_required
def invoice(request, pk: int):
    document = _invoice(request, pk)
    staff = access.is_staff(request.user)
    return render(
        request,
        "frontend/billing/invoice.html",
        {
            "invoice": document,
            "lines": document.lines.select_related("charge").all(),
            "payments": document.payments.all(),
            "credit_notes": document.credit_notes.all(),
            "staff": staff,
            "payment_form": PaymentForm(
                initial={"paid_on": timezone.localdate(), "amount": document.balance}
            ),
            "credit_form": CreditNoteForm(invoice=document),
            "today": timezone.localdate(),
            "delivery_warning": selectors.delivery_warning(document) if staff else "",
        },
    )


@login_required
def invoice_pdf(request, pk: int):
    document = _invoice(request, pk)
    try:
        content = exports.invoice_pdf_bytes(document)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("frontend:billing-invoice", pk=pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _done(request, pk: int, ok: str | None = None, exc: DomainError | None = None):
    if exc is not None:
        messages.error(request, f"{exc.message} ({exc.code})")
    elif ok:
        messages.success(request, ok)
    return redirect("frontend:billing-invoice", pk=pk)


@login_required
@require_POST
def invoice_issue(request, pk: int):
    access.require_staff(request.user)
    try:
        issued = services.invoice_issue(by=request.user, invoice=_invoice(request, pk))
    except DomainError as exc:
        return _done(request, pk, exc=exc)
    warning = selectors.delivery_warning(issued)
    if warning:
        messages.warning(request, warning)
    return _done(request, pk, gettext("Invoice %(number)s issued.") % {"number": issued.number})


@login_required
@require_POST
def invoice_payment(request, pk: int):
    access.require_staff(request.user)
    document = _invoice(request, pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
        return redirect("frontend:billing-invoice", pk=pk)
    try:
        services.payment_record(by=request.user, invoice=document, **form.cleaned_data)
    except DomainError as exc:
        return _done(request, pk, exc=exc)
    return _done(request, pk, gettext("Payment recorded."))


@login_required
@require_POST
def invoice_credit(request, pk: int):
    access.require_staff(request.user)
    document = _invoice(request, pk)
    form = CreditNoteForm(request.POST, invoice=document)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
        return redirect("frontend:billing-invoice", pk=pk)
    lines = [{"line": int(line)} for line in form.cleaned_data["lines"]] or None
    try:
        note = services.credit_note_create(
            by=request.user, invoice=document, reason=form.cleaned_data["reason"], lines=lines
        )
    except DomainError as exc:
        return _done(request, pk, exc=exc)
    messages.success(request, gettext("Credit note %(number)s issued.") % {"number": note.number})
    return redirect("frontend:billing-invoice", pk=note.pk)


@login_required
@require_POST
def charge_waive(request, pk: int):
    access.require_staff(request.user)
    charge = access.get_for_person_or_404(Charge.objects.all(), request.user, pk, via=None)
    try:
        services.charge_waive(by=request.user, charge=charge, reason=request.POST.get("reason", ""))
        messages.success(request, gettext("Charge waived."))
    except DomainError as exc:
        messages.error(request, f"{exc.message} ({exc.code})")
    if charge.invoice_id:
        return redirect("frontend:billing-invoice", pk=charge.invoice_id)
    return redirect("frontend:billing-charges")


@login_required
def statement(request, organisation_id: int):
    """The statement of account, and the organisation's invoicing details: its owners (and
    staff) edit them here, through the same service as the API."""
    account = selectors.statement_for(person=request.user, organisation_id=organisation_id)
    organisation = account.organisation
    profile = selectors.customer_profile(organisation)
    editable = access.manages(request.user, organisation)
    initial = {name: getattr(profile, name) for name in services.CUSTOMER_PROFILE_FIELDS}
    form = CustomerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST":
        access.require_owner_of(request.user, organisation)
        if form.is_valid():
            try:
                services.customer_profile_update(
                    by=request.user, organisation=organisation, **form.cleaned_data
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, gettext("Invoicing details saved."))
                url = reverse("frontend:billing-statement", args=[organisation.pk])
                return redirect(url + "#invoicing-details")
    return render(
        request,
        "frontend/billing/statement.html",
        {"statement": account, "profile_form": form if editable else None},
    )


@login_required
def charges(request):
    """Staff: charges not on an issued invoice yet, a form to charge materials, and drafting."""
    access.require_staff(request.user)
    form = ChargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        booking_id = values.pop("booking")
        organisation = values.pop("organisation")
        if not values["description"]:
            values.pop("description")
        if not values["service_date"]:
            values.pop("service_date")
        try:
            booking = None
            if booking_id:
                booking = Booking.objects.filter(pk=booking_id).first()
                if booking is None:
                    raise Invalid(
                        _("No such booking."),
                        code="not_found",
                        fields={"booking": [_("No such booking.")]},
                    )
            services.charge_add(
                by=request.user, organisation=organisation, booking=booking, **values
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("Charge added."))
            return redirect("frontend:billing-charges")
    open_charges = (
        selectors.charges_visible_to(request.user)
        .exclude(
            invoice__status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PAID, InvoiceStatus.CREDITED]
        )
        .order_by("-service_date", "-id")
    )
    page = Paginator(open_charges, 50).get_page(request.GET.get("page"))
    year, month = services.previous_month(timezone.localdate())
    return render(
        request,
        "frontend/billing/charges.html",
        {"form": form, "page": page, "month": datetime.date(year, month, 1)},
    )


@login_required
@require_POST
def draft_month(request):
    year, month = services.previous_month(timezone.localdate())
    drafts = services.invoices_draft_month_now(by=request.user, year=year, month=month)
    messages.success(
        request, gettext("%(count)s draft invoices created or completed.") % {"count": len(drafts)}
    )
    return redirect(reverse("frontend:billing") + "?view=drafts")


@login_required
def price_list(request):
    access.require_staff(request.user)
    form = PriceItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.price_item_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("Item added to the price list."))
            return redirect("frontend:billing-price-list")
    return render(
        request,
        "frontend/billing/price_list.html",
        {"form": form, "items": selectors.price_list(include_inactive=True)},
    )


@login_required
@require_POST
def price_item_toggle(request, pk: int):
    access.require_staff(request.user)
    item = access.get_for_person_or_404(PriceItem.objects.all(), request.user, pk, via=None)
    services.price_item_update(by=request.user, item=item, is_active=not item.is_active)
    return redirect("frontend:billing-price-list")


@login_required
def journal(request):
    """Staff: the accountant's CSV for a period (default: last month)."""
    access.require_staff(request.user)
    year, month = services.previous_month(timezone.localdate())
    default_start, default_end = services.month_bounds(year, month)
    try:
        start = datetime.date.fromisoformat(request.GET.get("from") or default_start.isoformat())
        end = datetime.date.fromisoformat(request.GET.get("to") or default_end.isoformat())
    except ValueError:
        start, end = default_start, default_end
    response = HttpResponse(
        exports.journal_csv(start=start, end=end), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="journal-{start}-{end}.csv"'
    return response


urlpatterns = [
    path("billing/", invoices, name="billing"),
    path("billing/invoices/<int:pk>/", invoice, name="billing-invoice"),
    path("billing/invoices/<int:pk>/pdf/", invoice_pdf, name="billing-invoice-pdf"),
    path("billing/invoices/<int:pk>/issue/", invoice_issue, name="billing-invoice-issue"),
    path("billing/invoices/<int:pk>/payment/", invoice_payment, name="billing-invoice-payment"),
    path("billing/invoices/<int:pk>/credit-note/", invoice_credit, name="billing-invoice-credit"),
    path("billing/charges/", charges, name="billing-charges"),
    path("billing/charges/<int:pk>/waive/", charge_waive, name="billing-charge-waive"),
    path("billing/draft-month/", draft_month, name="billing-draft-month"),
    path("billing/statement/<int:organisation_id>/", statement, name="billing-statement"),
    path("billing/price-list/", price_list, name="billing-price-list"),
    path(
        "billing/price-list/<int:pk>/toggle/", price_item_toggle, name="billing-price-item-toggle"
    ),
    path("billing/journal.csv", journal, name="billing-journal"),
]
