"""Filters of the incubation lists (status and stage as enums of their values)."""

import django_filters

from incubation.models import (
    Application,
    ApplicationStatus,
    Incubatee,
    Milestone,
    MilestoneStatus,
    Stage,
)


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)

    class Meta:
        model = Application
        fields = ["call", "organisation", "status"]


class IncubateeFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(choices=Stage.choices)

    class Meta:
        model = Incubatee
        fields = ["cohort", "organisation", "stage"]


class MilestoneFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices)

    class Meta:
        model = Milestone
        fields = ["incubatee", "owner", "status"]
