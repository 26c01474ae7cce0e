import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from caiac.accounts.models import User
from trainings.models import Certification, Course


def certifications_valid_at(at: datetime.datetime | None = None) -> QuerySet[Certification]:
    at = at or timezone.now()
    return Certification.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=at),
        issued_at__lte=at,
        revoked_at__isnull=True,
    )


def user_is_certified(
    *, user: User, course: Course | int, at: datetime.datetime | None = None
) -> bool:
    """Whether ``user`` holds a valid certification for ``course`` at ``at`` (default: now)."""
    course_id = course.pk if isinstance(course, Course) else course
    return certifications_valid_at(at).filter(user=user, course_id=course_id).exists()


def certifications_of(user: User) -> QuerySet[Certification]:
    return certifications_valid_at().filter(user=user).select_related("course")
