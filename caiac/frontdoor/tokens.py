"""The secrets in emailed links. None is stored: each is made when the email is rendered.

- Invitation: the row's id and nonce, signed with the site's secret key. Whoever reads the
  database cannot forge one; revoking or accepting the invitation kills it (status).
- New email address: the person, the old and the new address, signed and time-stamped; it dies
  after ``EMAIL_CHANGE_MAX_AGE`` or as soon as the address changes.
- Join request's address: the request and the address, signed and time-stamped; it dies after
  ``JOIN_CONFIRM_MAX_AGE`` and once the address is confirmed (the request's state).
- Password reset: Django's own token generator (dies with the password it replaces, and after
  ``PASSWORD_RESET_TIMEOUT``).
"""

import datetime

from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from caiac.accounts.models import User
from caiac.frontdoor.models import Invitation, JoinRequest

INVITATION_SALT = "caiac.frontdoor.invitation"
EMAIL_CHANGE_SALT = "caiac.frontdoor.email-change"
EMAIL_CHANGE_MAX_AGE = datetime.timedelta(days=2)
JOIN_CONFIRM_SALT = "caiac.frontdoor.join-confirm"
JOIN_CONFIRM_MAX_AGE = datetime.timedelta(days=2)


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation this token names, whatever its state; None for a forged or garbled one."""
    try:
        pk, nonce = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("organisation").get(pk=int(pk))
    except (signing.BadSignature, ValueError, TypeError, Invitation.DoesNotExist):
        return None
    return invitation if constant_time_compare(invitation.nonce, str(nonce)) else None


def email_change_token(user: User, new_email: str) -> str:
    return signing.dumps(
        {"u": user.pk, "old": user.email, "new": new_email}, salt=EMAIL_CHANGE_SALT, compress=True
    )


def email_change_from_token(token: str) -> tuple[int, str, str] | None:
    """(user id, the address when asked, the new address), or None if bad or too old."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
        return int(data["u"]), str(data["old"]), str(data["new"])
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return None


def join_confirm_token(join_request: JoinRequest) -> str:
    return signing.dumps(
        [join_request.pk, join_request.email], salt=JOIN_CONFIRM_SALT, compress=True
    )


def join_request_from_token(token: str) -> JoinRequest | None:
    """The join request whose address this link confirms; None if forged, garbled or too old."""
    try:
        pk, email = signing.loads(token, salt=JOIN_CONFIRM_SALT, max_age=JOIN_CONFIRM_MAX_AGE)
        join_request = JoinRequest.objects.get(pk=int(pk))
    except (signing.BadSignature, ValueError, TypeError, JoinRequest.DoesNotExist):
        return None
    return join_request if constant_time_compare(join_request.email, str(email)) else None


def password_reset_parts(user: User) -> tuple[str, str]:
    """(uidb64, token) as Django's PasswordResetConfirmView reads them."""
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
