"""Writes of the front door. Every email goes through the outbox, in the reader's language."""

import datetime
import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access
from caiac.accounts import services as accounts
from caiac.accounts.models import Membership, MembershipRole, Organisation, Role, User
from caiac.errors import Conflict, DomainError, Invalid, NotAllowed
from caiac.frontdoor import tokens
from caiac.frontdoor.models import (
    INVITATION_VALIDITY,
    Invitation,
    InvitationStatus,
    JoinRequest,
    JoinRequestStatus,
)
from caiac.notifications.services import message_schedule, messages_drop

logger = logging.getLogger(__name__)

# One reset email per account per window, however often it is asked for (the outbox key).
PASSWORD_RESET_WINDOW = datetime.timedelta(minutes=15)


class LinkRefused(DomainError):
    """An emailed link that no longer works; ``code`` says why, ``message`` says it to a person."""

    status_code = 410


def _normalise_email(email: str) -> str:
    return email.strip().lower()


# --- Password reset --------------------------------------------------------------------------


def password_reset_request(*, email: str) -> int:
    """Email a reset link to every active account with this address; say nothing either way.

    The answer to the asker is the same whether or not the address is known (the caller shows
    one sentence). At most one email per account per ``PASSWORD_RESET_WINDOW``. Returns how
    many were queued (for tests and logs only, never for the asker).
    """
    window = int(timezone.now().timestamp() // PASSWORD_RESET_WINDOW.total_seconds())
    queued = 0
    # Django's own choice of accounts: active, with a usable password, the address matched
    # case-insensitively.
    for user in PasswordResetForm().get_users(email):
        message_schedule(
            to_email=user.email,
            language=user.language,
            kind="frontdoor.password_reset",
            dedup_key=f"password-reset:user:{user.pk}:{window}",
            context={"user_id": user.pk, "username": user.username, "name": user.display_name},
            # A link that arrives a day late is useless and confusing.
            send_before=timezone.now() + datetime.timedelta(hours=2),
        )
        queued += 1
    return queued


# --- Invitations -----------------------------------------------------------------------------


def _expire_old_invitations(*, organisation: Organisation, email: str | None = None) -> None:
    stale = Invitation.objects.filter(
        organisation=organisation, status=InvitationStatus.PENDING, expires_at__lte=timezone.now()
    )
    if email is not None:
        stale = stale.filter(email__iexact=email)
    stale.update(status=InvitationStatus.EXPIRED)


@transaction.atomic
def invitation_create(
    *, by: User, organisation: Organisation, email: str, role: str = MembershipRole.MEMBER
) -> Invitation:
    """Invite someone by email to join ``organisation`` with ``role``; the link works 7 days."""
    access.require_manages(by, organisation)
    email = _normalise_email(email)
    if role not in MembershipRole.values:
        raise Invalid(_("Unknown role."), fields={"role": [_("Unknown role.")]})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise Conflict(
            _("Someone with this address is already a member of the organisation."),
            code="already_member",
            fields={"email": [_("Already a member.")]},
        )
    _expire_old_invitations(organisation=organisation, email=email)
    if Invitation.objects.filter(
        organisation=organisation, email__iexact=email, status=InvitationStatus.PENDING
    ).exists():
        raise Conflict(
            _("This address already has an invitation waiting: revoke it to send a new one."),
            code="invitation_pending",
            fields={"email": [_("Already invited.")]},
        )
    now = timezone.now()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        # The language the inviter works in is the organisation's language here.
        language=by.language or settings.LANGUAGE_CODE,
        invited_by=by,
        created_at=now,
        expires_at=now + INVITATION_VALIDITY,
    )
    message_schedule(
        to_email=email,
        language=invitation.language,
        kind="frontdoor.invitation",
        dedup_key=f"invitation:{invitation.pk}",
        about=invitation,
        context={
            "invitation_id": invitation.pk,
            "organisation": organisation.name,
            "inviter": by.display_name,
            "role": role,
            "expires_at": invitation.expires_at.isoformat(),
        },
        send_before=invitation.expires_at,
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, by: User, invitation: Invitation) -> Invitation:
    access.require_manages(by, invitation.organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise Conflict(
            _("Only a pending invitation can be revoked."), code="invitation_not_pending"
        )
    invitation.status = InvitationStatus.REVOKED
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_at"])
    # The email may not have gone out yet: then it never does.
    messages_drop(dedup_prefix=f"invitation:{invitation.pk}")
    return invitation


def invitation_check(token: str) -> Invitation:
    """The pending, unexpired invitation this link names, or ``LinkRefused`` saying why not."""
    invitation = tokens.invitation_from_token(token)
    if invitation is None:
        raise LinkRefused(
            _("This invitation link is not valid. Check that you copied all of it."),
            code="invitation_invalid",
        )
    if invitation.status == InvitationStatus.ACCEPTED:
        raise LinkRefused(
            _("This invitation has already been used. Sign in to reach the organisation."),
            code="invitation_used",
        )
    if invitation.status == InvitationStatus.REVOKED:
        raise LinkRefused(
            _("This invitation was withdrawn. Ask the organisation for a new one."),
            code="invitation_revoked",
        )
    if invitation.status == InvitationStatus.EXPIRED or invitation.is_expired():
        raise LinkRefused(
            _("This invitation has expired (they last seven days). Ask for a new one."),
            code="invitation_expired",
        )
    return invitation


def invitation_check_for(token: str, *, by: User) -> Invitation:
    """``invitation_check``, and the person may use it: only the account at the invited address.

    A link forwarded to a colleague, or opened in a browser signed in to someone else's account,
    must not put that other account in the organisation (403 ``invitation_other_account``):
    the person signs out, then opens the link again to sign in or create their own account.
    """
    invitation = invitation_check(token)
    if _normalise_email(by.email or "") != _normalise_email(invitation.email):
        raise NotAllowed(
            _(
                "This invitation was sent to %(email)s, but you are signed in as %(name)s. "
                "Sign out, then open the link again to join with the invited address."
            )
            % {"email": invitation.email, "name": by.display_name},
            code="invitation_other_account",
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, by: User) -> Membership:
    """The person at the invited address joins the organisation with the invited role; the link
    is spent. Any other account is refused (``invitation_check_for``)."""
    invitation = invitation_check_for(token, by=by)
    # Locked, then checked again: two clicks on the same link make one membership.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation = invitation_check_for(tokens.invitation_token(invitation), by=by)
    membership = accounts.membership_join_by_invitation(
        user=by, organisation=invitation.organisation, role=invitation.role
    )
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_by = by
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "decided_at"])
    return membership


def _check_new_account(
    *, username: str, password: str, email: str, first_name: str, last_name: str
) -> None:
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(
            _("This username is taken: choose another one."),
            code="username_taken",
            fields={"username": [_("Already taken.")]},
        )
    candidate = User(username=username, email=email, first_name=first_name, last_name=last_name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise Invalid(
            exc.messages[0], code="weak_password", fields={"password": exc.messages}
        ) from None


@transaction.atomic
def invitation_accept_with_new_account(
    *,
    token: str,
    username: str,
    password: str,
    first_name: str,
    last_name: str,
    language: str = "",
) -> User:
    """Someone without an account opens the link: their account, at the invited address, joins."""
    invitation = invitation_check(token)
    username = username.strip()
    _check_new_account(
        username=username,
        password=password,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
    )
    user = User.objects.create_user(
        username=username,
        email=invitation.email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        language=language or invitation.language,
        role=Role.MEMBER,
    )
    invitation_accept(token=token, by=user)
    return user


# --- Joining the cluster -------------------------------------------------------------------------

ORGANISATION_REQUEST_FIELDS = (
    "organisation_name",
    "kind",
    "sector",
    "city",
    "contact_phone",
    "description",
)


def _staff_people():
    return User.objects.filter(is_active=True, role=Role.STAFF) | User.objects.filter(
        is_active=True, is_superuser=True
    )


def _confirmed_pending():
    return JoinRequest.objects.filter(
        status=JoinRequestStatus.PENDING, email_confirmed_at__isnull=False
    )


def _check_organisation_name_free(name: str) -> None:
    taken = Organisation.objects.values_list("name", flat=True)
    # Only confirmed requests hold a name: an address never confirmed must not squat one.
    waiting = _confirmed_pending().values_list("organisation_name", flat=True)
    if any(other.casefold() == name.casefold() for other in [*taken, *waiting]):
        raise Conflict(
            _("An organisation with this name is already registered or has asked to join."),
            code="organisation_exists",
            fields={"organisation_name": [_("Already registered.")]},
        )


@transaction.atomic
def join_request_submit(
    *,
    by: User | None,
    organisation_name: str,
    kind: str,
    sector: str,
    city: str,
    contact_phone: str = "",
    description: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    username: str = "",
    password: str = "",
    language: str = "",
) -> JoinRequest:
    """A new organisation asks to join the cluster, with its first person as future owner.

    ``by`` is the signed-in person asking (their account becomes the owner), or None for
    someone new, whose account (``username``, ``password``) is created only on approval.
    Someone new first confirms the address through the single-use link emailed to it
    (``join_request_confirm_email``): only then do staff see the request. A signed-in person's
    address is known already, so theirs goes to staff at once.
    """
    organisation_name = " ".join(organisation_name.split())
    if not organisation_name:
        raise Invalid(_("Name the organisation."), fields={"organisation_name": []})
    _check_organisation_name_free(organisation_name)
    data: dict[str, Any] = {
        "organisation_name": organisation_name,
        "kind": kind,
        "sector": sector,
        "city": city.strip(),
        "contact_phone": contact_phone.strip(),
        "description": description.strip(),
    }
    if by is not None and by.is_authenticated:
        data |= {
            "user": by,
            "first_name": by.first_name or by.username,
            "last_name": by.last_name,
            "email": by.email,
            "language": by.language,
            "email_confirmed_at": timezone.now(),
        }
    else:
        username = username.strip()
        email = _normalise_email(email)
        if not (username and password and email and first_name.strip()):
            raise Invalid(
                _("Give your name, email address, a username and a password."),
                fields={
                    f: [_("This field is required.")]
                    for f, v in {
                        "first_name": first_name.strip(),
                        "email": email,
                        "username": username,
                        "password": password,
                    }.items()
                    if not v
                },
            )
        _check_new_account(
            username=username,
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
        )
        if _confirmed_pending().filter(username__iexact=username).exists():
            raise Conflict(
                _("This username is taken: choose another one."),
                code="username_taken",
                fields={"username": [_("Already taken.")]},
            )
        data |= {
            "first_name": first_name.strip(),
            "last_name": last_name.strip(),
            "email": email,
            "username": username,
            "password": make_password(password),
            "language": language if language in dict(settings.LANGUAGES) else "fr",
        }
    join_request = JoinRequest(**data)
    join_request.full_clean(exclude=["password", "user", "organisation"])
    join_request.save()
    if join_request.email_confirmed_at is None:
        message_schedule(
            to_email=join_request.email,
            language=join_request.language,
            kind="frontdoor.join_confirm",
            dedup_key=f"join-request:{join_request.pk}:confirm",
            about=join_request,
            context={
                "join_request_id": join_request.pk,
                "organisation": organisation_name,
                "name": join_request.person_name,
            },
            send_before=timezone.now() + tokens.JOIN_CONFIRM_MAX_AGE,
        )
    else:
        _announce(join_request)
    return join_request


@transaction.atomic
def join_request_confirm_email(*, token: str) -> JoinRequest:
    """The link emailed to a new person's address is opened: the request now reaches staff."""
    join_request = tokens.join_request_from_token(token)
    if join_request is None:
        raise LinkRefused(
            _("This confirmation link is not valid or has expired. Send your request again."),
            code="join_link_invalid",
        )
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.email_confirmed_at is not None:
        raise LinkRefused(
            _("This address is already confirmed: the cluster staff have your request."),
            code="join_link_used",
        )
    if join_request.status != JoinRequestStatus.PENDING:
        raise LinkRefused(_("This request has already been decided."), code="join_link_used")
    _check_organisation_name_free(join_request.organisation_name)
    if User.objects.filter(username__iexact=join_request.username).exists() or (
        _confirmed_pending().filter(username__iexact=join_request.username).exists()
    ):
        raise Conflict(
            _("Someone took this username meanwhile: send your request again with another one."),
            code="username_taken",
        )
    join_request.email_confirmed_at = timezone.now()
    join_request.save(update_fields=["email_confirmed_at"])
    _announce(join_request)
    return join_request


@transaction.atomic
def join_requests_purge_unconfirmed() -> int:
    """Delete the requests whose address was never confirmed once no link can confirm them any
    more: they hold a password hash and someone's details for nothing. Returns how many.

    The link is signed when its email is rendered, which the outbox does at the latest by the
    email's ``send_before`` (``created_at`` + the link's validity), and it works for that
    validity again from then: a request is kept twice the validity."""
    too_old = timezone.now() - 2 * tokens.JOIN_CONFIRM_MAX_AGE
    stale = JoinRequest.objects.filter(
        status=JoinRequestStatus.PENDING, email_confirmed_at__isnull=True, created_at__lt=too_old
    )
    for pk in stale.values_list("pk", flat=True):
        messages_drop(dedup_prefix=f"join-request:{pk}:")
    deleted, _rows = stale.delete()
    return deleted


def _announce(join_request: JoinRequest) -> None:
    """The person hears it is received; every staff member is told there is one to decide."""
    organisation_name = join_request.organisation_name
    message_schedule(
        to_email=join_request.email,
        language=join_request.language,
        kind="frontdoor.join_received",
        dedup_key=f"join-request:{join_request.pk}:received",
        about=join_request,
        context={"organisation": organisation_name, "name": join_request.person_name},
    )
    for person in _staff_people().distinct():
        message_schedule(
            recipient=person,
            kind="frontdoor.join_requested",
            dedup_key=f"join-request:{join_request.pk}:staff:{person.pk}",
            about=join_request,
            context={
                "join_request_id": join_request.pk,
                "organisation": organisation_name,
                "name": join_request.person_name,
                "city": join_request.city,
            },
        )


def _lock_pending(join_request: JoinRequest) -> JoinRequest:
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequestStatus.PENDING:
        raise Conflict(_("This request has already been decided."), code="already_decided")
    if join_request.email_confirmed_at is None:
        raise Conflict(
            _("The person has not confirmed their email address yet."), code="email_unconfirmed"
        )
    return join_request


@transaction.atomic
def join_request_approve(
    *, by: User, join_request: JoinRequest, is_cluster_member: bool = False
) -> Organisation:
    """Staff approve: the organisation, its owner (an account made now if needed), a welcome."""
    access.require_staff(by)
    join_request = _lock_pending(join_request)
    user = join_request.user
    if user is None:
        if User.objects.filter(username__iexact=join_request.username).exists():
            raise Conflict(
                _("Someone took this username meanwhile: ask the person for another one."),
                code="username_taken",
            )
        user = User(
            username=join_request.username,
            email=join_request.email,
            first_name=join_request.first_name,
            last_name=join_request.last_name,
            language=join_request.language,
            role=Role.MEMBER,
        )
        user.password = join_request.password  # hashed when they asked
        user.save()
    organisation = accounts.organisation_create(
        by=by,
        name=join_request.organisation_name,
        kind=join_request.kind,
        sector=join_request.sector,
        city=join_request.city,
        is_cluster_member=is_cluster_member,
        contact_name=join_request.person_name,
        contact_email=join_request.email,
        contact_phone=join_request.contact_phone,
    )
    accounts.membership_add(by=by, organisation=organisation, user=user, role=MembershipRole.OWNER)
    join_request.status = JoinRequestStatus.APPROVED
    join_request.user = user
    join_request.organisation = organisation
    join_request.password = ""  # the account holds it now
    join_request.decided_by = by
    join_request.decided_at = timezone.now()
    join_request.save()
    message_schedule(
        recipient=user,
        kind="frontdoor.join_approved",
        dedup_key=f"join-request:{join_request.pk}:approved",
        about=organisation,
        context={"organisation": organisation.name, "username": user.username},
    )
    return organisation


@transaction.atomic
def join_request_decline(*, by: User, join_request: JoinRequest, reason: str) -> JoinRequest:
    """Staff decline, saying why; the person is told by email. Nothing is created."""
    access.require_staff(by)
    reason = reason.strip()
    if not reason:
        raise Invalid(
            _("Say why the request is declined: the person will read it."),
            code="reason_required",
            fields={"reason": [_("This field is required.")]},
        )
    join_request = _lock_pending(join_request)
    join_request.status = JoinRequestStatus.DECLINED
    join_request.decline_reason = reason
    join_request.password = ""
    join_request.decided_by = by
    join_request.decided_at = timezone.now()
    join_request.save()
    message_schedule(
        to_email=join_request.email,
        language=join_request.language,
        kind="frontdoor.join_declined",
        dedup_key=f"join-request:{join_request.pk}:declined",
        about=join_request,
        context={
            "organisation": join_request.organisation_name,
            "name": join_request.person_name,
            "reason": reason,
        },
    )
    return join_request


# --- A new email address ---------------------------------------------------------------------


@transaction.atomic
def email_change_request(*, by: User, new_email: str) -> None:
    """Send a confirmation link to the new address; the address changes only when it is opened."""
    new_email = new_email.strip()
    if not new_email or "@" not in new_email:
        raise Invalid(_("Enter a valid email address."), fields={"email": []})
    if new_email.lower() == (by.email or "").lower():
        raise Invalid(
            _("This is already your address."),
            code="same_email",
            fields={"email": [_("This is already your address.")]},
        )
    message_schedule(
        to_email=new_email,
        language=by.language,
        kind="frontdoor.email_change",
        # A new request replaces one still waiting to be sent.
        dedup_key=f"email-change:user:{by.pk}:{uuid.uuid4().hex}",
        context={"user_id": by.pk, "new_email": new_email, "name": by.display_name},
        send_before=timezone.now() + tokens.EMAIL_CHANGE_MAX_AGE,
    )
    if by.email:
        # The old address hears of it too, without the link: someone else may be at work.
        message_schedule(
            to_email=by.email,
            language=by.language,
            kind="frontdoor.email_change_notice",
            dedup_key=f"email-change-notice:user:{by.pk}:{uuid.uuid4().hex}",
            context={"name": by.display_name, "new_email": new_email},
        )


@transaction.atomic
def email_change_confirm(*, token: str) -> User:
    parts = tokens.email_change_from_token(token)
    if parts is None:
        raise LinkRefused(
            _("This confirmation link is not valid or has expired. Ask for a new one."),
            code="email_link_invalid",
        )
    user_id, old_email, new_email = parts
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None or user.email != old_email:
        raise LinkRefused(
            _("This confirmation link has already been used."), code="email_link_used"
        )
    user.email = new_email
    user.save(update_fields=["email"])
    return user
