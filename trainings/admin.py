"""Back office for what has no page yet. Rules live in the services: courses are saved through
them (a prerequisite cycle is refused), sessions are cancelled through them, and the writes that
matter (enrolment, attendance, certifications) are read-only here."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from caiac.adminkit import ServiceAdmin, ServiceModelForm
from caiac.errors import DomainError
from trainings import services
from trainings.models import Certification, CertificationEvent, Course, Enrolment, Session
from trainings.services.courses import COURSE_FIELDS


class CourseForm(ServiceModelForm):
    class Meta:
        model = Course
        fields = list(COURSE_FIELDS)

    def apply(self):
        values = self.service_values()
        if self.instance.pk:
            return services.course_update(by=self.user, course=self.current(), **values)
        return services.course_create(by=self.user, **values)


@admin.register(Course)
class CourseAdmin(ServiceAdmin):
    form = CourseForm
    list_display = ["title", "level", "duration_hours", "price", "validity_months", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["prerequisite"]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    can_delete = False
    fields = ["user", "status", "queued_at", "present"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["course", "trainer", "start", "end", "place", "capacity", "status"]
    list_filter = ["status", "language", "course"]
    date_hierarchy = "start"
    inlines = [EnrolmentInline]
    readonly_fields = ["status"]
    actions = ["cancel_sessions"]

    def has_add_permission(self, request):
        return False  # through the API or the pages, which check the trainer's calendar

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the people enrolled are told

    @admin.action(description=_("Cancel the selected sessions (everyone enrolled is told)"))
    def cancel_sessions(self, request, queryset):
        for session in queryset:
            try:
                services.session_cancel(by=request.user, session=session)
            except DomainError as error:
                self.message_user(request, f"{session}: {error.message}", messages.ERROR)


class CertificationEventInline(admin.TabularInline):
    model = CertificationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "by", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "issued_at", "expires_at", "revoked_at", "session"]
    list_select_related = ["user", "course", "session__course"]
    list_filter = ["course"]
    search_fields = ["user__username", "user__last_name", "course__title"]
    inlines = [CertificationEventInline]

    def has_add_permission(self, request):
        return False  # POST /api/v1/certifications/ records who granted it and why

    def has_change_permission(self, request, obj=None):
        return False
