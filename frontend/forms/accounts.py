"""Forms of the account pages. They validate input; the rules are the services' to apply."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import MembershipRole, OrganisationKind, Sector


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class NewAccountForm(forms.Form):
    """Someone without an account, joining by invitation or asking to join the cluster."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("What you will type to sign in: letters, digits and @/./+/-/_ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class JoinOrganisationForm(forms.Form):
    organisation_name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    city = forms.CharField(label=_("City"), max_length=100)
    contact_phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    description = forms.CharField(
        label=_("What would you like to do with the lab?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class JoinPersonForm(NewAccountForm):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    field_order = ["first_name", "last_name", "email", "username", "password1", "password2"]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the person)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ApproveForm(forms.Form):
    is_cluster_member = forms.BooleanField(
        label=_("Cluster member (member rates apply)"), required=False
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Language of pages and emails"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (code, name) for code, name in _local_language_names() if code
        ]


def _local_language_names() -> list[tuple[str, str]]:
    from django.utils.translation import get_language_info

    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New email address"))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password1") and cleaned.get("new_password1") != cleaned.get(
            "new_password2"
        ):
            self.add_error("new_password2", _("The two passwords differ."))
        return cleaned
