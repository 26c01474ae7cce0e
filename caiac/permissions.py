from rest_framework import permissions


class IsClusterStaff(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.is_cluster_staff
        )


class IsClusterStaffOrReadOnly(permissions.BasePermission):
    """Reads for any signed-in user (the queryset does the scoping), writes for cluster staff."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(
            request.user and request.user.is_authenticated and request.user.is_cluster_staff
        )
