"""Notification pages: the list (mark read with htmx), preferences, and the nav badge."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from caiac import access
from caiac.accounts.models import User
from caiac.errors import DomainError
from caiac.notifications import selectors, services
from caiac.notifications.kinds import kind_label
from caiac.notifications.models import Message
from caiac.notifications.rendering import message_render
from caiac.notifications.unsubscribe import unsubscribe_token_read
from frontend.forms import CaiacForm


def _item(message: Message) -> dict:
    return {
        "message": message,
        "rendered": message_render(message, language=translation.get_language()),
    }


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notifications_for_user(
        user=request.user, unread=unread_only
    ).select_related("recipient")
    page = Paginator(notifications, 20).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "items": [_item(message) for message in page.object_list],
        "unread_only": unread_only,
        "unread": selectors.unread_count(user=request.user),
    }
    if access.is_staff(request.user):
        context["failed"] = selectors.messages_failed().order_by("-due_at")[:20]
    return render(request, "frontend/notifications/list.html", context)


@login_required
@require_POST
def notification_read(request, pk: int):
    try:
        message = selectors.notification_get_for_user(user=request.user, id=pk)
    except DomainError as exc:
        if request.htmx:
            return render(request, "frontend/notifications/_error.html", {"error": exc}, status=404)
        messages.error(request, exc.message)
        return redirect("frontend:notifications")
    message = services.notification_mark_read(user=request.user, message=message)
    if request.htmx:
        response = render(request, "frontend/notifications/_item.html", {"item": _item(message)})
        response["HX-Trigger"] = "notifications-read"
        return response
    return redirect("frontend:notifications")


@login_required
@require_POST
def notification_read_all(request):
    marked = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notification(s) marked read.") % {"count": marked})
    return redirect("frontend:notifications")


@login_required
def notification_badge(request):
    return render(
        request,
        "notifications/_badge.html",
        {"unread": selectors.unread_count(user=request.user)},
    )


class PreferencesForm(CaiacForm):
    """One checkbox per kind: checked means "also by email"."""

    def __init__(self, *args, kinds: list[str], disabled: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.BooleanField(
                label=kind_label(kind), required=False, initial=kind not in disabled
            )

    def email_disabled(self) -> list[str]:
        return [kind for kind, wanted in self.cleaned_data.items() if not wanted]


@login_required
def notification_preferences(request):
    disabled = selectors.email_disabled_kinds(user=request.user)
    kinds = list(dict.fromkeys([*selectors.kinds_for_user(user=request.user), *disabled]))
    form = PreferencesForm(request.POST or None, kinds=kinds, disabled=disabled)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(user=request.user, email_disabled=form.email_disabled())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Your preferences are saved."))
            return redirect("frontend:notifications-preferences")
    return render(request, "frontend/notifications/preferences.html", {"form": form})


@login_required
@require_POST
def notification_resend(request, pk: int):
    # Staff's first, as in the API: nobody else learns which failed messages exist.
    access.require_staff(request.user)
    message = selectors.messages_failed().filter(pk=pk).first()
    if message is None:
        messages.error(request, _("No failed message with this number."))
        return redirect("frontend:notifications")
    try:
        services.message_resend(message=message, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The message will be sent again within a minute."))
    return redirect("frontend:notifications")


@csrf_exempt  # RFC 8058: the mail provider POSTs without cookies; the signed token is the key
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request, token: str):
    """The List-Unsubscribe link of every email: GET asks, POST turns the kind off by email."""
    found = unsubscribe_token_read(token)
    user = found and User.objects.filter(pk=found[0], is_active=True).first()
    if not user:
        raise Http404
    kind = found[1]
    done = request.method == "POST"
    if done:
        services.email_kind_turn_off(user=user, kind=kind)
    context = {"kind_label": kind_label(kind), "done": done, "token": token}
    return render(request, "frontend/notifications/unsubscribe.html", context)


urlpatterns = [
    path("notifications/", notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", notification_read, name="notifications-read"),
    path("notifications/read-all/", notification_read_all, name="notifications-read-all"),
    path("notifications/badge/", notification_badge, name="notifications-badge"),
    path("notifications/preferences/", notification_preferences, name="notifications-preferences"),
    path("notifications/<int:pk>/resend/", notification_resend, name="notifications-resend"),
    path(
        "notifications/unsubscribe/<str:token>/",
        notification_unsubscribe,
        name="notifications-unsubscribe",
    ),
]
