"""The unread badge for the navigation bar: ``{% load notifications %}{% unread_badge %}``."""

from django import template

from caiac.notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def unread_badge(context) -> dict:
    user = context.get("user")
    count = unread_count(user=user) if user is not None else 0
    return {"unread": count}
