"""Deploy checks of billing (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, register

IDENTIFIERS = {"ice": "BILLING_ISSUER_ICE", "if": "BILLING_ISSUER_IF", "rc": "BILLING_ISSUER_RC"}


@register("billing", deploy=True)
def issuer_identifiers_are_set(app_configs, **kwargs):
    """A Moroccan invoice must state the issuer's ICE, IF and RC: production refuses to run
    with any of them empty (the documents would be invalid for the customer's accountant)."""
    issuer = settings.BILLING_ISSUER
    missing = [variable for key, variable in IDENTIFIERS.items() if not issuer.get(key, "").strip()]
    if not missing:
        return []
    return [
        Error(
            f"The lab's legal identifiers are missing from its invoices: {', '.join(missing)}.",
            hint="Set them in the environment (docs/billing.md, Settings).",
            id="billing.E001",
        )
    ]
