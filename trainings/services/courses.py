from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caiac import access
from caiac.accounts.models import User
from caiac.errors import Invalid
from trainings.models import TRANSLATABLE_FIELDS, Course

COURSE_FIELDS = (
    "title",
    "description",
    "translations",
    "duration_hours",
    "level",
    "price",
    "prerequisite",
    "validity_months",
    "is_active",
)


def _clean_translations(translations: Any) -> dict[str, dict[str, str]]:
    languages = {code for code, _name in settings.LANGUAGES}
    if not isinstance(translations, dict):
        raise Invalid(fields={"translations": [_("Must be an object keyed by language.")]})
    cleaned: dict[str, dict[str, str]] = {}
    for language, values in translations.items():
        if language not in languages or not isinstance(values, dict):
            raise Invalid(
                fields={"translations": [_("Unknown language: %s.") % language]},
            )
        unknown = set(values) - set(TRANSLATABLE_FIELDS)
        if unknown or not all(isinstance(v, str) for v in values.values()):
            raise Invalid(
                fields={"translations": [_("Only text for title and description.")]},
            )
        cleaned[language] = {k: v.strip() for k, v in values.items() if v.strip()}
    return cleaned


def _check_prerequisite(course: Course) -> None:
    seen = {course.pk} if course.pk else set()
    step = course.prerequisite
    while step is not None:
        if step.pk in seen:
            raise Invalid(
                _("A course cannot require itself, even through other courses."),
                code="prerequisite_cycle",
                fields={"prerequisite": [_("This would make a cycle.")]},
            )
        seen.add(step.pk)
        step = step.prerequisite


@transaction.atomic
def course_create(
    *,
    by: User,
    title: str,
    description: str = "",
    translations: dict | None = None,
    duration_hours: Decimal = Decimal("0"),
    level: str = "beginner",
    price: Decimal = Decimal("0"),
    prerequisite: Course | None = None,
    validity_months: int | None = None,
    is_active: bool = True,
) -> Course:
    """Staff add a course to the catalogue."""
    access.require_staff(by)
    course = Course(
        title=title,
        description=description,
        translations=_clean_translations(translations or {}),
        duration_hours=duration_hours,
        level=level,
        price=price,
        prerequisite=prerequisite,
        validity_months=validity_months,
        is_active=is_active,
    )
    course.save()
    return course


@transaction.atomic
def course_update(*, by: User, course: Course, **changes: Any) -> Course:
    """Staff edit a course (a prerequisite never makes a cycle)."""
    access.require_staff(by)
    unknown = set(changes) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"course_update() got unexpected fields: {sorted(unknown)}")
    course = Course.objects.select_for_update().get(pk=course.pk)
    if "translations" in changes:
        changes["translations"] = _clean_translations(changes["translations"] or {})
    for field, value in changes.items():
        setattr(course, field, value)
    _check_prerequisite(course)
    course.save()
    return course
