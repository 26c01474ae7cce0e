"""The price list of materials and services, kept by the staff."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from billing.models import PriceItem
from caiac import access
from caiac.accounts.models import User
from caiac.errors import Conflict, Invalid

FIELDS = ("name", "unit", "unit_price", "vat_rate", "is_active")


def _check(data: dict[str, Any], *, exclude_pk: int | None = None) -> None:
    if "unit_price" in data and Decimal(data["unit_price"]) < 0:
        raise Invalid(
            _("A price cannot be negative."),
            code="invalid",
            fields={"unit_price": [_("Must be zero or more.")]},
        )
    if "vat_rate" in data and not 0 <= Decimal(data["vat_rate"]) <= 100:
        raise Invalid(
            _("A VAT rate is between 0 and 100 %."),
            code="invalid",
            fields={"vat_rate": [_("Between 0 and 100.")]},
        )
    if "name" in data:
        name = data["name"].strip()
        if not name:
            raise Invalid(_("Name the item."), code="invalid", fields={"name": []})
        if PriceItem.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
            raise Conflict(
                _("An item with this name is already on the price list."),
                code="price_item_exists",
                fields={"name": [_("Already on the price list.")]},
            )


@transaction.atomic
def price_item_create(*, by: User, **data: Any) -> PriceItem:
    access.require_staff(by)
    _check(data)
    return PriceItem.objects.create(**{k: v for k, v in data.items() if k in FIELDS})


@transaction.atomic
def price_item_update(*, by: User, item: PriceItem, **data: Any) -> PriceItem:
    """Prices already charged keep the price of their day (charges copy it)."""
    access.require_staff(by)
    _check(data, exclude_pk=item.pk)
    for field in FIELDS:
        if field in data:
            setattr(item, field, data[field])
    item.save()
    return item
