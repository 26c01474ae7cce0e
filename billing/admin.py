"""Back office for billing. Writes that carry a rule go through the services: the price list
(unique names, VAT range), issuing (numbering, PDF, email), waiving. Issued documents, charges
and payments are read-only here: corrections are credit notes, made on the billing pages or API.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from billing import models, services
from booking.admin import domain_error_to_form
from caiac.errors import DomainError


class PriceItemForm(forms.ModelForm):
    user = None

    class Meta:
        model = models.PriceItem
        fields = ["name", "unit", "unit_price", "vat_rate", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        values = {f: cleaned[f] for f in self.Meta.fields if f in cleaned}
        try:
            # Checked by the service itself, in a transaction rolled back here; saved below.
            from django.db import transaction

            with transaction.atomic():
                if self.instance.pk:
                    services.price_item_update(by=self.user, item=self.instance, **values)
                else:
                    services.price_item_create(by=self.user, **values)
                transaction.set_rollback(True)
        except DomainError as error:
            domain_error_to_form(self, error)
        return cleaned


@admin.register(models.PriceItem)
class PriceItemAdmin(admin.ModelAdmin):
    form = PriceItemForm
    list_display = ["name", "unit", "unit_price", "vat_rate", "is_active"]
    list_filter = ["is_active", "vat_rate"]
    search_fields = ["name"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data[f] for f in PriceItemForm.Meta.fields}
        if change:
            services.price_item_update(by=request.user, item=obj, **values)
        else:
            form.instance = services.price_item_create(by=request.user, **values)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ["service_date", "organisation", "kind", "description", "amount", "invoice"]
    list_filter = ["kind", "service_date"]
    search_fields = ["description", "organisation__name"]
    list_select_related = ["organisation", "invoice"]


class LineInline(admin.TabularInline):
    model = models.InvoiceLine
    fk_name = "invoice"
    extra = 0
    can_delete = False
    fields = ["description", "service_date", "quantity", "unit_price", "vat_rate", "amount_ht"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PaymentInline(admin.TabularInline):
    model = models.Payment
    extra = 0
    can_delete = False
    fields = ["paid_on", "amount", "method", "reference"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "organisation", "status", "issue_date", "due_date", "total_ttc"]
    list_filter = ["kind", "status", "issue_date"]
    search_fields = ["number", "organisation__name"]
    list_select_related = ["organisation"]
    inlines = [LineInline, PaymentInline]
    actions = ["issue_drafts"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Issue the selected drafts (numbered, emailed to the owners)"))
    def issue_drafts(self, request, queryset):
        issued = 0
        for invoice in queryset.filter(status=models.InvoiceStatus.DRAFT):
            try:
                services.invoice_issue(by=request.user, invoice=invoice)
                issued += 1
            except DomainError as error:
                self.message_user(request, f"{invoice}: {error.message}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%(n)d invoice issued.", "%(n)d invoices issued.", issued) % {"n": issued},
        )


@admin.register(models.CustomerProfile)
class CustomerProfileAdmin(admin.ModelAdmin):
    list_display = ["organisation", "ice", "language"]
    search_fields = ["organisation__name", "ice"]

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data[f] for f in services.CUSTOMER_PROFILE_FIELDS}
        services.customer_profile_update(by=request.user, organisation=obj.organisation, **values)
