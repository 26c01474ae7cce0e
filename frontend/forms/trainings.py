"""Staff and trainer forms of the trainings: courses (with their French and Arabic texts) and
sessions (course, trainer, place, time, seats, machine)."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from booking.models import Equipment
from caiac import clock
from caiac.accounts.models import Language, Role, User
from caiac.projects.models import Project
from frontend.forms import CaiacForm, DateInput, TimeInput
from frontend.forms.staff import ProjectPickerMixin, ServiceModelForm, WallClockMixin
from trainings.models import Course, Session

COURSE_FIELDS = [
    "title", "description", "duration_hours", "level", "price", "prerequisite",
    "validity_months", "is_active",
]  # fmt: skip
LANGUAGES = (("fr", _("French")), ("ar", _("Arabic")))


class CourseForm(ServiceModelForm):
    """The course, and its title and description in French and Arabic (``translations``)."""

    class Meta:
        model = Course
        fields = COURSE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = self.instance.pk
        self.fields["prerequisite"].queryset = Course.objects.exclude(pk=own).order_by("title")
        self.fields["prerequisite"].empty_label = _("None")
        translations = self.instance.translations or {}
        for code, name in LANGUAGES:
            for field, label, widget in (
                ("title", _("Title in %(language)s"), forms.TextInput),
                ("description", _("Description in %(language)s"), forms.Textarea),
            ):
                key = f"{field}_{code}"
                self.fields[key] = forms.CharField(
                    label=label % {"language": name},
                    required=False,
                    max_length=200 if field == "title" else None,
                    widget=widget(attrs={"rows": 2, "dir": "rtl" if code == "ar" else "ltr"}),
                    initial=translations.get(code, {}).get(field, ""),
                )

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in COURSE_FIELDS}
        data["translations"] = {
            code: {
                field: self.cleaned_data[f"{field}_{code}"]
                for field in ("title", "description")
                if self.cleaned_data[f"{field}_{code}"]
            }
            for code, _name in LANGUAGES
        }
        return data


def trainers() -> "forms.QuerySet[User]":
    return User.objects.filter(
        Q(role__in=[Role.TRAINER, Role.STAFF]) | Q(is_superuser=True), is_active=True
    ).order_by("first_name", "last_name", "username")


class TrainerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class SessionForm(ProjectPickerMixin, WallClockMixin, CaiacForm):
    """A session. The trainer is chosen by staff only; a trainer schedules their own. The R&D
    project it is for: staff pick any open project, a trainer one of their organisation's."""

    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    trainer = TrainerChoiceField(label=_("Trainer"), queryset=User.objects.none())
    place = forms.CharField(label=_("Place"), max_length=200)
    start_day = forms.DateField(label=_("Day"), widget=DateInput())
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput())
    end_day = forms.DateField(
        label=_("Last day, if not the same day"), required=False, widget=DateInput()
    )
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    deadline_day = forms.DateField(
        label=_("Enrolment closes on (day)"), required=False, widget=DateInput()
    )
    deadline_time = forms.TimeField(
        label=_("Enrolment closes at (time)"), required=False, widget=TimeInput()
    )
    equipment = forms.ModelChoiceField(
        label=_("Machine the session uses"),
        queryset=Equipment.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("Held for the session's time like a booking; refused if it is booked."),
    )
    project = ProjectPickerMixin.project_field()

    def __init__(
        self,
        *args,
        choose_trainer: bool,
        session: Session | None = None,
        projects: QuerySet[Project] | None = None,
        **kwargs,
    ):
        if session is not None and not kwargs.get("initial"):
            kwargs["initial"] = self.initial_for(session)
        super().__init__(*args, **kwargs)
        self.session = session
        self.offer_projects(
            projects if projects is not None else Project.objects.none(),
            session.project_id if session is not None else None,
        )
        self.fields["course"].queryset = Course.objects.filter(is_active=True).order_by("title")
        if session is not None:  # its course stays (a new course is a new session)
            del self.fields["course"]
        self.fields["equipment"].queryset = Equipment.objects.filter(status="available").order_by(
            "name"
        )
        if choose_trainer:
            self.fields["trainer"].queryset = trainers()
        else:
            del self.fields["trainer"]

    @classmethod
    def initial_for(cls, session: Session) -> dict:
        start_day, start_time = cls.split(session.start)
        end_day, end_time = cls.split(session.end)
        deadline_day, deadline_time = cls.split(session.enrolment_deadline)
        hold = getattr(session, "machine_hold", None)
        return {
            "trainer": session.trainer_id,
            "place": session.place,
            "start_day": start_day,
            "start_time": start_time,
            "end_day": end_day if end_day != start_day else None,
            "end_time": end_time,
            "capacity": session.capacity,
            "language": session.language,
            "deadline_day": deadline_day,
            "deadline_time": deadline_time,
            "equipment": hold.equipment_id if hold is not None and hold.status != "cancelled"
            else None,
            "project": session.project_id,
        }  # fmt: skip

    def clean(self):
        data = super().clean()
        if bool(data.get("deadline_day")) != bool(data.get("deadline_time")):
            self.add_error("deadline_time", _("Give both the day and the time, or neither."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            "place": data["place"],
            "start": self.moment("start"),
            "end": clock.wall_clock(data.get("end_day") or data["start_day"], data["end_time"]),
            "capacity": data["capacity"],
            "language": data["language"],
            "enrolment_deadline": self.moment("deadline") if data.get("deadline_day") else None,
        }
        if "trainer" in self.fields:
            values["trainer"] = data["trainer"]
        if "course" in self.fields:
            values["course"] = data["course"]
        values.update(self.project_change())
        return values

    def equipment_change(self) -> dict:
        """``{"equipment": machine or None}`` when it differs from the session's, else ``{}``."""
        chosen = self.cleaned_data.get("equipment")
        before = self.initial.get("equipment") if self.session is not None else None
        if (chosen.pk if chosen else None) == before:
            return {}
        return {"equipment": chosen}
