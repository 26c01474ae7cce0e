"""Staff forms of the nursery: calls (their criteria, questions and jury), milestones and
mentoring sessions of an incubatee, and the amendment of a KPI report (with its reason)."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caiac import access, formatting
from caiac.accounts.models import Role, User
from caiac.projects import selectors as project_selectors
from frontend.forms import CaiacForm, DateInput, TimeInput
from frontend.forms.staff import ProjectPickerMixin, ServiceModelForm, WallClockMixin
from incubation.models import (
    Call,
    Cohort,
    Incubatee,
    KpiReport,
    MentoringSession,
    Milestone,
    Programme,
)


class CallForm(WallClockMixin, CaiacForm):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    cohort = forms.ModelChoiceField(
        label=_("Cohort admitted applicants join"),
        queryset=Cohort.objects.none(),
        required=False,
        empty_label=_("None yet"),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    opens_day = forms.DateField(label=_("Opens on"), widget=DateInput())
    opens_time = forms.TimeField(label=_("Opening time"), widget=TimeInput(), initial="09:00")
    closes_day = forms.DateField(label=_("Closes on"), widget=DateInput())
    closes_time = forms.TimeField(label=_("Closing time"), widget=TimeInput(), initial="18:00")
    questions = forms.CharField(
        label=_("Questions to the applicants, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    jurors = forms.CharField(
        label=_("Jurors (usernames, separated by commas)"),
        required=False,
        help_text=_(
            "Added to the jury of every submitted application; a juror who belongs to an "
            "applicant is skipped for that one."
        ),
    )

    def __init__(self, *args, call: Call | None = None, **kwargs):
        if call is not None and not kwargs.get("initial"):
            kwargs["initial"] = self.initial_for(call)
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["programme"].queryset = Programme.objects.order_by("name")
        self.fields["cohort"].queryset = Cohort.objects.select_related("programme").order_by(
            "-starts_on"
        )
        if call is not None:  # a call stays in its programme
            del self.fields["programme"]

    @classmethod
    def initial_for(cls, call: Call) -> dict:
        opens_day, opens_time = cls.split(call.opens_at)
        closes_day, closes_time = cls.split(call.closes_at)
        return {
            "cohort": call.cohort_id,
            "title": call.title,
            "description": call.description,
            "opens_day": opens_day,
            "opens_time": opens_time,
            "closes_day": closes_day,
            "closes_time": closes_time,
            "questions": "\n".join(q.text for q in call.questions.all()),
        }

    def clean_jurors(self) -> list[User]:
        names = [n.strip() for n in self.cleaned_data["jurors"].split(",") if n.strip()]
        found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
        unknown = [n for n in names if n not in found]
        if unknown:
            raise forms.ValidationError(
                _("No active account with the username: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return [found[n] for n in names]

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            "title": data["title"],
            "description": data["description"],
            "cohort": data.get("cohort"),
            "opens_at": self.moment("opens"),
            "closes_at": self.moment("closes"),
        }
        if "programme" in self.fields:
            values["programme"] = data["programme"]
        questions = [line.strip() for line in data["questions"].splitlines() if line.strip()]
        if self.call is None or questions != [q.text for q in self.call.questions.all()]:
            values["questions"] = [{"text": q} for q in questions]
        return values


class CriterionForm(CaiacForm):
    name = forms.CharField(label=_("Criterion"), max_length=200, required=False)
    weight = forms.DecimalField(
        label=_("Weight"), min_value=0.01, max_digits=5, decimal_places=2, required=False
    )
    max_score = forms.IntegerField(label=_("Out of"), min_value=1, max_value=1000, required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") and (data.get("weight") is None or data.get("max_score") is None):
            self.add_error("weight", _("A criterion needs a weight and a maximum score."))
        return data


CriteriaFormSet = forms.formset_factory(CriterionForm, extra=3)


def criteria_of(formset) -> list[dict]:
    return [
        {"name": f.cleaned_data["name"], "weight": f.cleaned_data["weight"],
         "max_score": f.cleaned_data["max_score"]}
        for f in formset.forms
        if f.cleaned_data.get("name")
    ]  # fmt: skip


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def people_of(incubatee: Incubatee):
    """Who may own a milestone or mentor: the organisation's people and cluster staff."""
    return User.objects.filter(
        Q(pk__in=access.member_ids_of(incubatee.organisation_id))
        | Q(role=Role.STAFF)
        | Q(is_superuser=True),
        is_active=True,
    ).order_by("first_name", "last_name", "username")


class MilestoneForm(ServiceModelForm):
    owner = PersonChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)

    class Meta:
        model = Milestone
        fields = ["title", "description", "due_date", "owner"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "due_date": DateInput()}

    def __init__(self, *args, incubatee: Incubatee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_of(incubatee)
        self.fields["owner"].help_text = _("Reminded three days before the due date.")


class MentoringForm(ProjectPickerMixin, ServiceModelForm):
    """A mentoring session; the R&D project it is for, among the incubatee's organisation's."""

    mentor = PersonChoiceField(
        label=_("Mentor with an account"), queryset=User.objects.none(), required=False
    )
    project = ProjectPickerMixin.project_field()

    class Meta:
        model = MentoringSession
        fields = ["date", "hours", "topic", "mentor", "mentor_name", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"mentor_name": _("Required when the mentor has no account.")}

    def __init__(self, *args, incubatee: Incubatee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = User.objects.filter(
            Q(role__in=[Role.STAFF, Role.TRAINER]) | Q(is_superuser=True), is_active=True
        ).order_by("first_name", "last_name", "username")
        self.fields["mentor_name"].required = False
        self.fields["hours"].widget.attrs.update(step="0.25", min="0.25")
        current = self.instance.project_id if self.instance.pk else None
        self.offer_projects(project_selectors.projects_open_for(incubatee.organisation_id), current)
        if current is not None:
            self.initial["project"] = current

    def values(self) -> dict:
        values = {k: v for k, v in self.cleaned_data.items() if k != "project"}
        return {**values, **self.project_change()}


class FundingBySourceMixin:
    """The funding raised split by source (the sources R&D projects use): one optional amount per
    source, placed after the total. With any amount typed, the service makes the total their sum
    (and refuses a different total typed with them, ``funding_total_mismatch``); with none, the
    total stands alone, as on reports from before the split."""

    SOURCE_FIELD = "funding_source_{}"

    def add_source_fields(self, sources, amounts: dict[int, Decimal] | None = None) -> None:
        amounts = amounts or {}
        self.sources = list(sources)
        added = {}
        for source in self.sources:
            name = self.SOURCE_FIELD.format(source.pk)
            added[name] = forms.DecimalField(
                label=_("of which from %(source)s (MAD)")
                % {"source": formatting.isolate(source.name)},
                min_value=0,
                decimal_places=2,
                required=False,
            )
            if source.pk in amounts:
                self.initial[name] = amounts[source.pk]
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name == "funding_raised_mad":
                fields.update(added)
        self.fields = fields
        if self.sources:
            self.fields["funding_raised_mad"].required = False
            self.fields["funding_raised_mad"].help_text = _(
                "Split it by source below, and the total becomes their sum."
            )

    def funding_split(self) -> list[dict]:
        """``[{"source", "amount_mad"}]`` for every source given an amount."""
        lines = []
        for source in self.sources:
            amount = self.cleaned_data.get(self.SOURCE_FIELD.format(source.pk))
            if amount is not None:
                lines.append({"source": source, "amount_mad": amount})
        return lines

    def funding_figures(self) -> dict:
        """The cleaned data without the per-source fields, with ``funding_by_source`` when split.
        A total left empty, or as it was, follows its sources."""
        names = {self.SOURCE_FIELD.format(source.pk) for source in self.sources}
        data = {k: v for k, v in self.cleaned_data.items() if k not in names}
        lines = self.funding_split()
        total = data.get("funding_raised_mad")
        if lines:
            data["funding_by_source"] = lines
            if total is None or total == self.initial.get("funding_raised_mad"):
                data.pop("funding_raised_mad", None)
        elif total is None:
            data["funding_raised_mad"] = Decimal(0)
        return data


class KpiFiguresForm(FundingBySourceMixin, CaiacForm):
    """A quarter's figures, as the incubatee's people report them and as staff amend them."""

    revenue_mad = forms.DecimalField(label=_("Revenue (MAD)"), min_value=0, decimal_places=2)
    jobs_women = forms.IntegerField(label=_("Jobs created (women)"), min_value=0, initial=0)
    jobs_men = forms.IntegerField(label=_("Jobs created (men)"), min_value=0, initial=0)
    funding_raised_mad = forms.DecimalField(
        label=_("Funding raised (MAD)"), min_value=0, decimal_places=2, initial=0
    )
    products_launched = forms.IntegerField(label=_("Products launched"), min_value=0, initial=0)
    certifications = forms.CharField(
        label=_("Certifications obtained (comma-separated)"), required=False
    )
    exports_mad = forms.DecimalField(
        label=_("Exports (MAD)"), min_value=0, decimal_places=2, initial=0
    )

    def figures(self) -> dict:
        data = self.funding_figures()
        data["certifications"] = [c.strip() for c in data["certifications"].split(",")]
        return data


class KpiForm(KpiFiguresForm):
    """A quarter's figures, reported by the incubatee's people (or staff)."""

    field_order = ["period"]

    period = forms.RegexField(
        regex=r"^\d{4}-Q[1-4]$", label=_("Quarter (e.g. 2026-Q3)"), max_length=7
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("funding_raised_mad", Decimal(0))
        self.add_source_fields(project_selectors.funding_sources_active())


class KpiAmendForm(KpiFiguresForm):
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=500,
        help_text=_("Kept with the previous figures, who changed them and when."),
    )

    def __init__(self, *args, report: KpiReport, **kwargs):
        kwargs.setdefault("initial", self.initial_for(report))
        super().__init__(*args, **kwargs)
        lines = list(report.funding_lines.select_related("source"))
        # The active sources, and any the report already names (kept even once inactive).
        named = {line.source_id: line.source for line in lines}
        sources = {source.pk: source for source in project_selectors.funding_sources_active()}
        sources.update(named)
        self.add_source_fields(
            sorted(sources.values(), key=lambda source: source.name),
            {line.source_id: line.amount_mad for line in lines},
        )

    @classmethod
    def initial_for(cls, report) -> dict:
        initial = {name: getattr(report, name) for name in cls.base_fields if name != "reason"}
        initial["certifications"] = ", ".join(report.certifications or [])
        return initial

    def figures(self) -> dict:
        """The figures and the split; no amount in any source removes a split."""
        data = {k: v for k, v in super().figures().items() if k != "reason"}
        data.setdefault("funding_by_source", [])
        return data
