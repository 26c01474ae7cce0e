"""Back office for the lab staff. Booking state changes go through the services (actions)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from booking import models, services
from caiac.errors import DomainError


class OpeningHoursInline(admin.TabularInline):
    model = models.OpeningHours
    extra = 0


class ClosureInline(admin.TabularInline):
    model = models.Closure
    extra = 0


@admin.register(models.Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = [
        "name", "category", "line", "status", "requires_approval",
        "hourly_rate_member", "hourly_rate_non_member",
    ]  # fmt: skip
    list_filter = ["category", "line", "status", "requires_approval"]
    search_fields = ["name", "description", "location"]
    inlines = [OpeningHoursInline, ClosureInline]


@admin.register(models.OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["__str__", "equipment", "valid_from", "valid_until", "label"]
    list_filter = ["weekday", "equipment"]


@admin.register(models.Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["reason", "equipment", "start", "end"]
    list_filter = ["equipment"]
    date_hierarchy = "start"


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
    date_hierarchy = "start"
    inlines = [BookingEventInline]
    readonly_fields = [f.name for f in models.Booking._meta.fields]
    actions = ["approve", "cancel"]

    def has_add_permission(self, request):
        return False  # bookings are made through the service (pages or API), never raw

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


@admin.register(models.LabCredit)
class LabCreditAdmin(admin.ModelAdmin):
    list_display = ["organisation", "hours", "period_start", "period_end", "source"]
    list_filter = ["source"]


@admin.register(models.FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "organisation", "equipment", "created_at", "revoked_at"]
    readonly_fields = ["token"]
