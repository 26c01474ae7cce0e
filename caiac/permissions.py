"""DRF permission classes, thin over caiac.access: an early refusal with the same code the
service would give (403 ``staff_only``), before any input is validated."""

from rest_framework import permissions

from caiac import access


class IsClusterStaff(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if not access.is_signed_in(request.user):
            return False  # DRF answers 401 not_authenticated
        access.require_staff(request.user)
        return True


class IsClusterStaffOrReadOnly(IsClusterStaff):
    """Reads for any signed-in person (the queryset does the scoping), writes for cluster staff."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return access.is_signed_in(request.user)
        return super().has_permission(request, view)
