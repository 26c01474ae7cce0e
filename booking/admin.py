"""Back office for the lab staff. Every write that carries a rule goes through the services:
machines (slot rules; leaving service cancels bookings), opening hours and closures (bookings
they no longer leave room for are listed, then cancelled once confirmed), booking state changes.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from booking import models, services
from caiac.adminkit import ServiceAdmin, ServiceModelForm, domain_error_to_form
from caiac.errors import DomainError


def describe_bookings(bookings) -> str:
    return format_html_join(
        "",
        "<li>{} — {} — {} ({})</li>",
        (
            (
                b.equipment.name,
                timezone.localtime(b.start).strftime("%Y-%m-%d %H:%M"),
                b.organisation.name,
                b.booked_by.display_name,
            )
            for b in bookings
        ),
    )


class ConfirmCancellationsForm(ServiceModelForm):
    """A model form whose change may cancel live bookings: it runs the service as a dry run in
    ``clean`` and, when bookings would be hit, asks for the box below to be ticked."""

    confirm_cancellations = forms.BooleanField(
        label=_("Cancel the live bookings this change hits (each booker is told)"),
        required=False,
    )
    not_model_fields = ("confirm_cancellations", "reason")

    def dry_run(self):
        raise NotImplementedError

    def clean(self):
        cleaned = forms.ModelForm.clean(self)
        if self.errors:
            return cleaned
        try:
            change = self.dry_run()
        except DomainError as error:
            domain_error_to_form(self, error)
            return cleaned
        if change.affected and not cleaned.get("confirm_cancellations"):
            raise ValidationError(self._hit_message(change.affected))
        return cleaned

    def _hit_message(self, bookings):
        return format_html(
            "{}<ul>{}</ul>{}",
            ngettext(
                "This change cancels %(n)d live booking:",
                "This change cancels %(n)d live bookings:",
                len(bookings),
            )
            % {"n": len(bookings)},
            describe_bookings(bookings),
            _("Tick the confirmation box to go ahead."),
        )


class CancellingAdmin(ServiceAdmin):
    def after_save(self, request, result) -> None:
        cancelled = getattr(result, "cancelled", [])
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "%(n)d booking cancelled; its booker is told.",
                    "%(n)d bookings cancelled; their bookers are told.",
                    len(cancelled),
                )
                % {"n": len(cancelled)},
                messages.WARNING,
            )


# --- Machines -----------------------------------------------------------------------------------


class EquipmentForm(ConfirmCancellationsForm):
    reason = forms.CharField(
        label=_("Reason told to the bookers (when leaving service)"), required=False
    )

    class Meta:
        model = models.Equipment
        fields = [
            "name", "category", "line", "location", "description", "status", "slot_minutes",
            "min_duration_minutes", "max_duration_minutes", "buffer_minutes", "lead_time_minutes",
            "horizon_days", "requires_approval", "required_course", "hourly_rate_member",
            "hourly_rate_non_member", "cancellation_deadline_hours",
        ]  # fmt: skip

    def dry_run(self):
        values = self.service_values()
        if not self.instance.pk:
            services.check_equipment(values)
            return services.CatalogueChange(instance=None, affected=[], dry_run=True)
        return services.equipment_update(
            by=self.user, equipment=self.current(), dry_run=True, **values
        )

    def apply(self):
        values = self.service_values()
        if not self.instance.pk:
            return services.equipment_create(by=self.user, **values)
        return services.equipment_update(
            by=self.user,
            equipment=self.current(),
            reason=self.cleaned_data.get("reason", ""),
            **values,
        )


class OpeningHoursInline(admin.TabularInline):
    """Shown for reference; edited in "Opening hours", which lists the bookings a change hits."""

    model = models.OpeningHours
    extra = 0
    can_delete = False
    fields = ["weekday", "opens_at", "closes_at", "valid_from", "valid_until", "label"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ClosureInline(admin.TabularInline):
    model = models.Closure
    extra = 0
    can_delete = False
    fields = ["start", "end", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Equipment)
class EquipmentAdmin(CancellingAdmin):
    form = EquipmentForm
    list_display = [
        "name", "category", "line", "status", "requires_approval",
        "hourly_rate_member", "hourly_rate_non_member",
    ]  # fmt: skip
    list_filter = ["category", "line", "status", "requires_approval"]
    search_fields = ["name", "description", "location"]
    inlines = [OpeningHoursInline, ClosureInline]

    def has_delete_permission(self, request, obj=None):
        return False  # retire a machine instead: its bookings keep their history


# --- Opening hours ------------------------------------------------------------------------------


class OpeningHoursForm(ConfirmCancellationsForm):
    reason = forms.CharField(label=_("Reason told to the bookers"), required=False)

    class Meta:
        model = models.OpeningHours
        fields = ["equipment", "weekday", "opens_at", "closes_at", "valid_from", "valid_until",
                  "label"]  # fmt: skip

    def _call(self, **extra):
        values = {**self.service_values(), **extra}
        if self.instance.pk:
            return services.opening_hours_update(by=self.user, rule=self.current(), **values)
        return services.opening_hours_create(by=self.user, **values)

    def dry_run(self):
        return self._call(dry_run=True)

    def apply(self):
        return self._call(reason=self.cleaned_data.get("reason", ""))


@admin.register(models.OpeningHours)
class OpeningHoursAdmin(CancellingAdmin):
    form = OpeningHoursForm
    list_display = ["__str__", "equipment", "valid_from", "valid_until", "label"]
    list_select_related = ["equipment"]  # nullable: not followed by default
    list_filter = ["weekday", "equipment"]
    actions = None  # bulk delete would bypass the service

    def delete_view(self, request, object_id, extra_context=None):
        rule = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if rule is not None:
            try:
                preview = services.opening_hours_delete(by=request.user, rule=rule, dry_run=True)
                extra_context["affected_bookings"] = preview.affected
            except DomainError as error:
                self.message_user(request, str(error.message), messages.ERROR)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        self.after_save(request, services.opening_hours_delete(by=request.user, rule=obj))


# --- Closures -----------------------------------------------------------------------------------


class ClosureForm(ConfirmCancellationsForm):
    not_model_fields = ("confirm_cancellations",)  # its "reason" is the closure's own

    class Meta:
        model = models.Closure
        fields = ["equipment", "start", "end", "reason"]

    def _call(self, **extra):
        values = {**self.service_values(), **extra}
        if self.instance.pk:
            return services.closure_update(by=self.user, closure=self.current(), **values)
        return services.closure_create(by=self.user, **values)

    def dry_run(self):
        return self._call(dry_run=True)

    def apply(self):
        return self._call()


@admin.register(models.Closure)
class ClosureAdmin(CancellingAdmin):
    form = ClosureForm
    list_display = ["reason", "equipment", "start", "end"]
    list_select_related = ["equipment"]  # nullable: not followed by default
    list_filter = ["equipment"]
    date_hierarchy = "start"
    actions = None

    def delete_model(self, request, obj):
        services.closure_delete(by=request.user, closure=obj)


# --- Bookings -----------------------------------------------------------------------------------


class BookingEventInline(admin.TabularInline):
    model = models.BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["equipment", "kind", "organisation", "start", "end", "status", "price"]
    list_filter = ["kind", "status", "equipment"]  # kind "training": a session's hold
    search_fields = ["organisation__name", "equipment__name", "booked_by__username"]
    list_select_related = ["equipment", "organisation"]  # nullable since training holds
    date_hierarchy = "start"
    inlines = [BookingEventInline]
    readonly_fields = [f.name for f in models.Booking._meta.fields]
    actions = ["approve", "cancel"]

    def has_add_permission(self, request):
        return False  # bookings are made through the service (pages or API), never raw

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the audit trail and the credit hours stay right

    def _act(self, request, queryset, action):
        done = 0
        for booking in queryset:
            try:
                action(user=request.user, booking=booking)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{booking}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(n)s booking(s) changed.") % {"n": done})

    @admin.action(description=_("Approve the selected pending bookings"))
    def approve(self, request, queryset):
        self._act(request, queryset, services.booking_approve)

    @admin.action(description=_("Cancel the selected bookings"))
    def cancel(self, request, queryset):
        self._act(request, queryset, services.booking_cancel)


@admin.register(models.BookingSeries)
class BookingSeriesAdmin(admin.ModelAdmin):
    list_display = ["equipment", "organisation", "start", "weekly_until"]
    readonly_fields = [f.name for f in models.BookingSeries._meta.fields]

    def has_add_permission(self, request):
        return False  # a series is booked through the service, week by week

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.LabCredit)
class LabCreditAdmin(admin.ModelAdmin):
    list_display = ["organisation", "hours", "period_start", "period_end", "source"]
    list_filter = ["source"]

    def get_readonly_fields(self, request, obj=None):
        # Hours already spent must stay covered: a granted credit is not edited, only viewed.
        return [f.name for f in models.LabCredit._meta.fields] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        credit = services.lab_credit_grant(
            organisation=obj.organisation,
            period_start=obj.period_start,
            period_end=obj.period_end,
            hours=obj.hours,
            source=obj.source,
            source_ref=obj.source_ref,
        )
        obj.pk = credit.pk


@admin.register(models.FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "organisation", "equipment", "created_at", "revoked_at"]
    list_select_related = ["user", "organisation", "equipment"]
    readonly_fields = ["token"]
