"""Staff forms of the lab's catalogue: machines, opening hours (seasonal ones too), closures."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import Closure, Equipment, OpeningHours
from caiac import clock
from frontend.forms import CaiacForm, DateInput, TimeInput
from frontend.forms.staff import (
    REASON_HELP,
    ServiceModelForm,
    WallClockMixin,
)

MACHINE_FIELDS = [
    "name", "category", "line", "location", "description", "status",
    "slot_minutes", "min_duration_minutes", "max_duration_minutes", "buffer_minutes",
    "lead_time_minutes", "horizon_days", "cancellation_deadline_hours", "requires_approval",
    "required_course", "hourly_rate_member", "hourly_rate_non_member",
    "no_show_fee_percent", "late_cancellation_fee_percent",
]  # fmt: skip


class MachineForm(ServiceModelForm):
    reason = forms.CharField(
        label=_("Reason, if it leaves service (told to the bookers)"),
        max_length=500,
        required=False,
        help_text=REASON_HELP,
    )

    class Meta:
        model = Equipment
        fields = MACHINE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_course"].empty_label = _("None: anyone may book it")
        for name in ("hourly_rate_member", "hourly_rate_non_member"):
            self.fields[name].widget.attrs.update(step="0.01", min="0")

    def groups(self) -> list[dict]:
        """The fields in three fieldsets (the page's layout)."""
        about = ["name", "category", "line", "location", "description", "status"]
        if self.instance.pk:
            about.append("reason")
        return [
            {"legend": _("The machine"), "fields": [self[n] for n in about], "grid": False},
            {
                "legend": _("Booking rules"),
                "fields": [self[n] for n in MACHINE_FIELDS[6:15]],
                "grid": True,
            },
            {
                "legend": _("Rates and fees"),
                "fields": [self[n] for n in MACHINE_FIELDS[15:]],
                "grid": True,
            },
        ]

    def changes(self, machine: Equipment) -> dict:
        """Only the fields whose value differs from the machine's (what the service is given)."""
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k in MACHINE_FIELDS and getattr(machine, k) != v
        }

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in MACHINE_FIELDS}


class OpeningHoursForm(ServiceModelForm):
    reason = forms.CharField(
        label=_("Reason, if it shortens booked hours (told to the bookers)"),
        max_length=500,
        required=False,
        help_text=REASON_HELP,
    )

    class Meta:
        model = OpeningHours
        fields = [
            "equipment", "weekday", "opens_at", "closes_at", "valid_from", "valid_until", "label",
        ]  # fmt: skip
        widgets = {
            "opens_at": TimeInput(),
            "closes_at": TimeInput(),
            "valid_from": DateInput(),
            "valid_until": DateInput(),
        }
        help_texts = {
            "valid_from": _(
                "Give dates for a seasonal timetable (e.g. Ramadan): on those dates it replaces "
                "the usual hours. Leave empty for the usual hours."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = Equipment.objects.order_by("name")
        self.fields["equipment"].empty_label = _("The whole lab")
        self.fields["label"].help_text = _("e.g. “Ramadan 2027”")

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class ClosureForm(WallClockMixin, CaiacForm):
    """A closure's machine, time range (wall clock, day + time; until 23:59 = to the end of that
    day) and reason."""

    equipment = forms.ModelChoiceField(
        label=_("Machine"),
        queryset=Equipment.objects.order_by("name"),
        required=False,
        empty_label=_("The whole lab"),
    )
    start_day = forms.DateField(label=_("First day"), widget=DateInput())
    start_time = forms.TimeField(label=_("From (time)"), initial="00:00", widget=TimeInput())
    end_day = forms.DateField(label=_("Last day"), widget=DateInput())
    end_time = forms.TimeField(
        label=_("Until (time; 23:59 = end of the day)"), initial="23:59", widget=TimeInput()
    )
    reason = forms.CharField(label=_("Reason (told to the bookers)"), max_length=200)

    @classmethod
    def initial_for(cls, closure: Closure) -> dict:
        start_day, start_time = cls.split(closure.start)
        end_day, end_time = cls.split(closure.end)
        if end_time == datetime.time(0, 0):  # shown as "until the end of the day before"
            end_day, end_time = end_day - datetime.timedelta(days=1), datetime.time(23, 59)
        return {
            "equipment": closure.equipment_id,
            "start_day": start_day,
            "start_time": start_time,
            "end_day": end_day,
            "end_time": end_time,
            "reason": closure.reason,
        }

    def values(self) -> dict:
        data = self.cleaned_data
        end = self.moment("end")
        if data["end_time"] == datetime.time(23, 59):  # "until the end of that day"
            end = clock.start_of_day(data["end_day"] + datetime.timedelta(days=1))
        return {
            "equipment": data.get("equipment"),
            "start": self.moment("start"),
            "end": end,
            "reason": data["reason"],
        }


class ReasonForm(CaiacForm):
    reason = forms.CharField(
        label=_("Reason (told to the bookers)"),
        max_length=500,
        required=False,
        help_text=REASON_HELP,
    )
