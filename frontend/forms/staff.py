"""What the staff forms share: a model form that only validates its fields (the service owns the
rules and does the write), and the two-part date + time input of the Casablanca wall clock."""

import datetime

from django.utils.translation import gettext_lazy as _

from caiac import clock
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


REASON_HELP = _("Told to the people whose bookings this cancels.")
