"""Filters whose status / stage parameters are plain strings in the schema.

django-filter turns choice fields into enum components named after the parameter, and "status"
exists in every app; the values are the ones listed in docs/incubation.md.
"""

import django_filters

from incubation.models import Application, Incubatee, Milestone


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(help_text="draft | submitted | admitted | declined")

    class Meta:
        model = Application
        fields = ["call", "organisation", "status"]


class IncubateeFilter(django_filters.FilterSet):
    stage = django_filters.CharFilter(
        help_text="pre_incubation | incubation | acceleration | graduated | exited"
    )

    class Meta:
        model = Incubatee
        fields = ["cohort", "organisation", "stage"]


class MilestoneFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(help_text="todo | in_progress | done | missed")

    class Meta:
        model = Milestone
        fields = ["incubatee", "owner", "status"]
