"""What the staff forms share: a model form that only validates its fields (the service owns the
rules and does the write), and the two-part date + time input of the Casablanca wall clock."""

import datetime

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from caiac import clock
from caiac.projects.models import Project
from frontend.forms import CaiacModelForm


class ServiceModelForm(CaiacModelForm):
    """A ``ModelForm`` for its fields, labels and initial values, that neither touches the
    instance nor runs the model's validation: ``values()`` goes to the service, which checks the
    rules (with the same messages as the API) and saves."""

    def _post_clean(self):  # no construct_instance(), no full_clean() of the model
        pass

    def values(self) -> dict:
        return dict(self.cleaned_data)


class WallClockMixin:
    """Pairs of ``<name>_day`` / ``<name>_time`` fields read as one aware instant of the
    Casablanca wall clock (``moment("start")``)."""

    def moment(self, name: str) -> datetime.datetime:
        return clock.wall_clock(self.cleaned_data[f"{name}_day"], self.cleaned_data[f"{name}_time"])

    @staticmethod
    def split(moment: datetime.datetime | None) -> tuple:
        if moment is None:
            return None, None
        local = moment.astimezone(clock.local_tz())
        return local.date(), local.time().replace(second=0, microsecond=0)


class ProjectPickerMixin:
    """A ``project`` field: the R&D project a training session or a mentoring session is for.
    It offers the open projects the person (or the organisation) may name, plus the one already
    named (kept even once the project is over, so saving other changes does not refuse it); with
    nothing to offer the field is left out. Only a change goes to the service, which checks it."""

    project_before: int | None = None

    @staticmethod
    def project_field() -> forms.ModelChoiceField:
        return forms.ModelChoiceField(
            label=_("For the R&D project"),
            queryset=Project.objects.none(),
            required=False,
            empty_label=_("— none —"),
        )

    def offer_projects(self, open_projects: QuerySet[Project], current: int | None) -> None:
        self.project_before = current
        offered = Q(pk__in=open_projects.values("pk"))
        if current is not None:
            offered |= Q(pk=current)
        queryset = Project.objects.filter(offered).order_by("title")
        if current is None and not queryset.exists():
            del self.fields["project"]
            return
        self.fields["project"].queryset = queryset

    def project_change(self) -> dict:
        """``{"project": project or None}`` when it differs from the one named, else ``{}``."""
        if "project" not in self.fields:
            return {}
        chosen = self.cleaned_data.get("project")
        if (chosen.pk if chosen else None) == self.project_before:
            return {}
        return {"project": chosen}


REASON_HELP = _("Told to the people whose bookings this cancels.")
