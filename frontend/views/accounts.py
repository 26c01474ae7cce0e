"""Account pages: sign-in, password reset, invitations, the organisation's people, joining the
cluster (and staff's decisions on it), and the profile."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from rest_framework import exceptions as drf_exceptions
from rest_framework.authtoken.models import Token

from booking.selectors import feed_tokens_of
from caiac import access
from caiac.accounts import services as accounts
from caiac.accounts.lockout import account_unlock, guard_address, lockout_response
from caiac.accounts.models import MembershipRole, Organisation, User
from caiac.accounts.services import user_set_language
from caiac.errors import DomainError, LockedOut, NotAllowed, NotFound
from caiac.frontdoor import selectors as frontdoor_selectors
from caiac.frontdoor import services as frontdoor
from caiac.frontdoor.api.views import password_reset_sent_message
from caiac.frontdoor.models import JoinRequest, JoinRequestStatus
from frontend.forms import accounts as forms

# Service field names that a form names differently.
_FORM_FIELD = {"password": "password1", "new_password": "new_password1", "reason": "reason"}


def _show_error(form, exc: DomainError) -> None:
    """The service's refusal, shown inline on the form: on its fields, or above them."""
    placed = False
    for field, errors in (exc.fields or {}).items():
        name = _FORM_FIELD.get(field, field)
        if name in form.fields:
            for error in errors or [exc.message]:
                form.add_error(name, str(error))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


@require_POST
def set_language(request):
    """Django's language switch, which also saves the choice on the person's profile."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response


# --- Password reset (Django's views and token generator; emails through the outbox) ---------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "frontend/accounts/password_reset.html"
    form_class = forms.PasswordResetRequestForm
    success_url = reverse_lazy("frontend:password-reset-sent")

    def post(self, request, *args, **kwargs):
        try:
            guard_address(request)
        except LockedOut:
            return lockout_response(request)
        except drf_exceptions.Throttled as exc:
            return _too_many(request, exc)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        frontdoor.password_reset_request(email=form.cleaned_data["email"])
        return redirect(self.success_url)


def _too_many(request, exc):
    response = render(
        request,
        "frontend/accounts/locked_out.html",
        {
            "message": _("Too many requests from this connection. Try again in a little while."),
            "minutes": max(1, int((exc.wait or 60) // 60)),
        },
        status=429,
    )
    response["Retry-After"] = str(int(exc.wait or 60))
    return response


def password_reset_sent(request):
    return render(
        request,
        "frontend/accounts/password_reset_sent.html",
        {"message": password_reset_sent_message()},
    )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "frontend/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("frontend:password-reset-complete")

    def form_valid(self, form):
        # Saving the new password shuts out whoever held the old one (accounts.passwords).
        response = super().form_valid(form)
        # Whoever opened the link holds the mailbox: a lock on the account has done its job.
        account_unlock(username=form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "frontend/accounts/password_reset_complete.html"


# --- Invitations ---------------------------------------------------------------------------


def invitation(request, token: str):
    """The emailed link: join with the signed-in account, or create one at the invited address."""
    try:
        invitation = frontdoor.invitation_check(token)
    except DomainError as exc:
        return render(
            request, "frontend/accounts/invitation_refused.html", {"error": exc}, status=410
        )
    if request.user.is_authenticated:
        try:
            frontdoor.invitation_check_for(token, by=request.user)
        except NotAllowed as exc:
            # Signed in as someone else: nothing is joined; offer to sign out and come back.
            return render(
                request,
                "frontend/accounts/invitation_other_account.html",
                {"error": exc, "invitation": invitation},
                status=403,
            )
    form = forms.NewAccountForm(request.POST or None) if not request.user.is_authenticated else None
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                frontdoor.invitation_accept(token=token, by=request.user)
            elif form.is_valid():
                user = frontdoor.invitation_accept_with_new_account(
                    token=token,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    language=request.LANGUAGE_CODE,
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                raise _FormInvalid
        except _FormInvalid:
            pass
        except DomainError as exc:
            if form is None or exc.status_code == 410:
                return render(
                    request,
                    "frontend/accounts/invitation_refused.html",
                    {"error": exc},
                    status=410,
                )
            _show_error(form, exc)
        else:
            messages.success(
                request,
                _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation},
            )
            return redirect("frontend:organisation-people", pk=invitation.organisation_id)
    return render(
        request,
        "frontend/accounts/invitation.html",
        {
            "invitation": invitation,
            "form": form,
            "login_url": f"{reverse('frontend:login')}?next={request.path}",
        },
    )


class _FormInvalid(Exception):
    pass


# --- An organisation's people ----------------------------------------------------------------


def _organisation_for(request, pk: int):
    """Members see the page; owners and staff manage; anyone else gets 404."""
    organisation = access.get_for_person_or_404(
        Organisation.objects.all(), request.user, pk, via="pk"
    )
    return organisation, access.manages(request.user, organisation)


@login_required
def organisation_people(request, pk: int):
    organisation, can_manage = _organisation_for(request, pk)
    invite_form = forms.InviteForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        access.require_owner_of(request.user, organisation)  # 403, as in the API
        if invite_form.is_valid():
            try:
                sent = frontdoor.invitation_create(
                    by=request.user, organisation=organisation, **invite_form.cleaned_data
                )
            except DomainError as exc:
                _show_error(invite_form, exc)
            else:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": sent.email}
                )
                return redirect("frontend:organisation-people", pk=organisation.pk)
    memberships = organisation.memberships.select_related("user").order_by(
        "-role", "user__last_name", "user__username"
    )
    context = {
        "organisation": organisation,
        "can_manage": can_manage,
        "memberships": memberships,
        "invite_form": invite_form,
        "invitations": frontdoor_selectors.invitations_pending(organisation) if can_manage else [],
        "roles": MembershipRole.choices,
    }
    return render(request, "frontend/accounts/people.html", context)


@login_required
@require_POST
def organisation_member_role(request, pk: int, user_id: int):
    organisation, _can_manage = _organisation_for(request, pk)
    person = get_object_or_404(User, pk=user_id)
    form = forms.RoleForm(request.POST)
    if form.is_valid():
        try:
            accounts.membership_set_role(
                by=request.user, organisation=organisation, user=person, **form.cleaned_data
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("%(name)s's role is changed.") % {"name": person.display_name}
            )
    return redirect("frontend:organisation-people", pk=organisation.pk)


@login_required
@require_POST
def organisation_member_remove(request, pk: int, user_id: int):
    organisation, _can_manage = _organisation_for(request, pk)
    person = get_object_or_404(User, pk=user_id)
    try:
        accounts.membership_remove(by=request.user, organisation=organisation, user=person)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("frontend:organisation-people", pk=organisation.pk)
    if person.pk == request.user.pk:
        messages.success(request, _("You have left %(name)s.") % {"name": organisation})
        return redirect("frontend:home")
    messages.success(
        request,
        _("%(name)s is no longer a member.") % {"name": person.display_name},
    )
    return redirect("frontend:organisation-people", pk=organisation.pk)


@login_required
@require_POST
def invitation_revoke(request, pk: int, invitation_id: int):
    organisation, _can_manage = _organisation_for(request, pk)
    access.require_owner_of(request.user, organisation)  # 403, as in the API
    pending = organisation.invitations.filter(pk=invitation_id).first()
    if pending is None:
        raise Http404
    try:
        frontdoor.invitation_revoke(by=request.user, invitation=pending)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": pending.email}
        )
    return redirect("frontend:organisation-people", pk=organisation.pk)


# --- Joining the cluster -----------------------------------------------------------------------


def join(request):
    """The public sign-up: a new organisation and its first person ask to join."""
    organisation_form = forms.JoinOrganisationForm(request.POST or None, prefix="org")
    person_form = (
        None if request.user.is_authenticated else forms.JoinPersonForm(request.POST or None)
    )
    if request.method == "POST":
        # Counted like password reset: per client address and per email address.
        email = request.user.email if person_form is None else request.POST.get("email", "")
        try:
            guard_address(request, email=email)
        except LockedOut:
            return lockout_response(request)
        except drf_exceptions.Throttled as exc:
            return _too_many(request, exc)
        valid = organisation_form.is_valid() & (person_form is None or person_form.is_valid())
        if valid:
            person = {}
            if person_form is not None:
                data = person_form.cleaned_data
                person = {
                    "first_name": data["first_name"],
                    "last_name": data["last_name"],
                    "email": data["email"],
                    "username": data["username"],
                    "password": data["password1"],
                    "language": request.LANGUAGE_CODE,
                }
            try:
                frontdoor.join_request_submit(
                    by=request.user if request.user.is_authenticated else None,
                    **organisation_form.cleaned_data,
                    **person,
                )
            except DomainError as exc:
                target = (
                    organisation_form
                    if "organisation_name" in (exc.fields or {}) or person_form is None
                    else person_form
                )
                _show_error(target, exc)
            else:
                if person_form is not None:
                    return redirect("frontend:join-check-email")
                return redirect("frontend:join-thanks")
    return render(
        request,
        "frontend/accounts/join.html",
        {"organisation_form": organisation_form, "person_form": person_form},
    )


def join_thanks(request):
    return render(request, "frontend/accounts/join_thanks.html")


def join_check_email(request):
    return render(request, "frontend/accounts/join_check_email.html")


def join_confirm(request, token: str):
    """The link emailed to a newcomer's address. Opening it shows a button (mail scanners open
    links); pressing it confirms the address and sends the request to staff."""
    if request.method == "POST":
        try:
            frontdoor.join_request_confirm_email(token=token)
        except DomainError as exc:
            return render(
                request,
                "frontend/accounts/link_refused.html",
                {"error": exc},
                status=exc.status_code,
            )
        return redirect("frontend:join-thanks")
    return render(request, "frontend/accounts/join_confirm.html")


@login_required
def join_requests(request):
    try:
        requests = frontdoor_selectors.join_requests_for_staff(by=request.user)
    except NotAllowed:
        raise Http404 from None
    return render(
        request,
        "frontend/accounts/join_requests.html",
        {
            "pending": requests.filter(status=JoinRequestStatus.PENDING),
            "decided": requests.exclude(status=JoinRequestStatus.PENDING)[:30],
            "approve_form": forms.ApproveForm(),
            "decline_form": forms.DeclineForm(),
        },
    )


@login_required
@require_POST
def join_request_decide(request, pk: int, decision: str):
    if not access.is_staff(request.user):
        raise Http404
    join_request = get_object_or_404(JoinRequest, pk=pk)
    try:
        if decision == "approve":
            form = forms.ApproveForm(request.POST)
            form.is_valid()
            organisation = frontdoor.join_request_approve(
                by=request.user,
                join_request=join_request,
                is_cluster_member=form.cleaned_data.get("is_cluster_member", False),
            )
            messages.success(
                request,
                _("%(name)s is now an organisation of the cluster; its owner has been told.")
                % {"name": organisation},
            )
        else:
            form = forms.DeclineForm(request.POST)
            reason = form.data.get("reason", "")
            frontdoor.join_request_decline(
                by=request.user, join_request=join_request, reason=reason
            )
            messages.success(request, _("The request is declined; the person has been told why."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("frontend:join-requests")


# --- Profile ---------------------------------------------------------------------------------


@login_required
def profile(request):
    user = request.user
    section = request.POST.get("section") if request.method == "POST" else None
    profile_form = forms.ProfileForm(
        request.POST if section == "details" else None,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "language": user.language,
        },
    )
    email_form = forms.EmailChangeForm(request.POST if section == "email" else None)
    password_form = forms.PasswordChangeForm(request.POST if section == "password" else None)
    if section == "details" and profile_form.is_valid():
        accounts.profile_update(by=user, user=user, **profile_form.cleaned_data)
        response = redirect("frontend:profile")
        # The saved language wins over a choice made earlier in this browser (as the switch does).
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            profile_form.cleaned_data["language"],
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        messages.success(request, _("Your details are saved."))
        return response
    if section == "email" and email_form.is_valid():
        try:
            frontdoor.email_change_request(by=user, new_email=email_form.cleaned_data["email"])
        except DomainError as exc:
            _show_error(email_form, exc)
        else:
            messages.success(
                request,
                _("We have sent a link to %(email)s: open it to confirm the new address.")
                % {"email": email_form.cleaned_data["email"]},
            )
            return redirect("frontend:profile")
    if section == "password" and password_form.is_valid():
        try:
            accounts.password_change(
                by=user,
                user=user,
                old_password=password_form.cleaned_data["old_password"],
                new_password=password_form.cleaned_data["new_password1"],
            )
        except DomainError as exc:
            _show_error(password_form, exc)
        else:
            update_session_auth_hash(request, user)  # stay signed in here, out elsewhere
            messages.success(request, _("Your password is changed."))
            return redirect("frontend:profile")
    feeds = [
        (feed, request.build_absolute_uri(f"/api/v1/calendar/{feed.token}.ics"))
        for feed in feed_tokens_of(user)
    ]
    return render(
        request,
        "frontend/accounts/profile.html",
        {
            "profile_form": profile_form,
            "email_form": email_form,
            "password_form": password_form,
            "token": Token.objects.filter(user=user).first(),
            "new_token": request.session.pop("new_api_token", None),
            "feeds": feeds,
            "memberships": user.memberships.select_related("organisation").order_by(
                "organisation__name"
            ),
        },
    )


@login_required
@require_POST
def api_token_create(request):
    token = accounts.api_token_create(by=request.user, user=request.user)
    # Shown once, on the next page, then never again.
    request.session["new_api_token"] = token.key
    return redirect(f"{reverse('frontend:profile')}#api-token")


@login_required
@require_POST
def api_token_revoke(request):
    accounts.api_token_revoke(by=request.user, user=request.user)
    messages.success(request, _("Your API token no longer works."))
    return redirect(f"{reverse('frontend:profile')}#api-token")


def email_confirm(request, token: str):
    """The link sent to a new address. Opening it shows a button (mail scanners open links)."""
    if request.method == "POST":
        try:
            user = frontdoor.email_change_confirm(token=token)
        except DomainError as exc:
            return render(
                request, "frontend/accounts/link_refused.html", {"error": exc}, status=410
            )
        messages.success(request, _("Your email address is now %(email)s.") % {"email": user.email})
        return redirect("frontend:profile" if request.user.is_authenticated else "frontend:login")
    return render(request, "frontend/accounts/email_confirm.html")


urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="frontend/accounts/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", password_reset_sent, name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("invitations/<str:token>/", invitation, name="invitation"),
    path("organisations/<int:pk>/people/", organisation_people, name="organisation-people"),
    path(
        "organisations/<int:pk>/people/<int:user_id>/role/",
        organisation_member_role,
        name="organisation-member-role",
    ),
    path(
        "organisations/<int:pk>/people/<int:user_id>/remove/",
        organisation_member_remove,
        name="organisation-member-remove",
    ),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_id>/revoke/",
        invitation_revoke,
        name="organisation-invitation-revoke",
    ),
    path("join/", join, name="join"),
    path("join/thanks/", join_thanks, name="join-thanks"),
    path("join/check-email/", join_check_email, name="join-check-email"),
    path("join/confirm/<str:token>/", join_confirm, name="join-confirm"),
    path("staff/join-requests/", join_requests, name="join-requests"),
    path(
        "staff/join-requests/<int:pk>/approve/",
        join_request_decide,
        {"decision": "approve"},
        name="join-request-approve",
    ),
    path(
        "staff/join-requests/<int:pk>/decline/",
        join_request_decide,
        {"decision": "decline"},
        name="join-request-decline",
    ),
    path("profile/", profile, name="profile"),
    path("profile/api-token/", api_token_create, name="api-token-create"),
    path("profile/api-token/revoke/", api_token_revoke, name="api-token-revoke"),
    path("profile/email/<str:token>/", email_confirm, name="email-confirm"),
]
