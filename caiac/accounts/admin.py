from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import Membership, Organisation, User
from caiac.accounts.services import credentials_revoke_after_password_change


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organisation"]


class PasswordSetByStaffForm(AdminPasswordChangeForm):
    """A password set (or password sign-in switched off) in the back office shuts out whoever
    held the old one, exactly as a change by the person does: API token, calendar links, and
    (through Django's session hash) every browser signed in with it."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        # A new password is heard of on saving (caiac.accounts.passwords); switching password
        # sign-in off sets no password, so it says so here.
        if commit and not user.has_usable_password():
            credentials_revoke_after_password_change(user=user)
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = PasswordSetByStaffForm
    list_display = ("username", "email", "first_name", "last_name", "role", "language", "is_active")
    list_filter = ("role", "language", "is_active", "is_staff")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("CAIAC"), {"fields": ("role", "language", "phone", "gender")}),
    )
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "sector",
        "city",
        "is_cluster_member",
        "member_since",
        "membership_expires_on",
    )
    list_filter = ("kind", "sector", "is_cluster_member")
    search_fields = ("name", "city", "contact_name", "contact_email")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "joined_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation__name")
    autocomplete_fields = ["user", "organisation"]
