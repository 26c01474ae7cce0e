"""A new password shuts out whoever held the old one, whichever way it was set.

Django tells every entry of ``AUTH_PASSWORD_VALIDATORS`` that a password has changed
(``password_changed``, from ``AbstractBaseUser.save`` after ``set_password``): the page to change
one's own, a reset link, the back office, ``manage.py changepassword``, a shell. This entry sets no
rule on passwords; it is the one place that hears of every change, and revokes what the old
password gave (``services.credentials_revoke_after_password_change``).
"""

from django.utils.translation import gettext as _


class ShutOutOldPassword:
    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        from caiac.accounts.services import credentials_revoke_after_password_change

        if user is not None and user.pk is not None:
            credentials_revoke_after_password_change(user=user)

    def get_help_text(self) -> str:
        return _(
            "A new password signs out your other browsers, deletes your API token and revokes "
            "your calendar links: make new ones afterwards."
        )
