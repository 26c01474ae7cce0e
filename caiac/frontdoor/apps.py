from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdoorConfig(AppConfig):
    name = "caiac.frontdoor"
    label = "frontdoor"
    verbose_name = _("Sign-up, invitations and password reset")
