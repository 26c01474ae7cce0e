"""Links for the front door's emails, made when the email is rendered (no secret is stored)."""

from django import template
from django.conf import settings
from django.urls import reverse

from caiac.accounts.models import User
from caiac.frontdoor import tokens
from caiac.frontdoor.models import Invitation, JoinRequest

register = template.Library()


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@register.simple_tag
def invitation_url(invitation_id: int) -> str:
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        return ""
    return _absolute(
        reverse("frontend:invitation", kwargs={"token": tokens.invitation_token(invitation)})
    )


@register.simple_tag
def password_reset_url(user_id: int) -> str:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return ""
    uidb64, token = tokens.password_reset_parts(user)
    return _absolute(
        reverse("frontend:password-reset-confirm", kwargs={"uidb64": uidb64, "token": token})
    )


@register.simple_tag
def email_change_url(user_id: int, new_email: str) -> str:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return ""
    return _absolute(
        reverse(
            "frontend:email-confirm",
            kwargs={"token": tokens.email_change_token(user, new_email)},
        )
    )


@register.simple_tag
def join_confirm_url(join_request_id: int) -> str:
    join_request = JoinRequest.objects.filter(pk=join_request_id).first()
    if join_request is None:
        return ""
    return _absolute(
        reverse("frontend:join-confirm", kwargs={"token": tokens.join_confirm_token(join_request)})
    )


@register.simple_tag
def site_url(name: str = "frontend:home") -> str:
    return _absolute(reverse(name))
