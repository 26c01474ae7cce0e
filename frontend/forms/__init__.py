"""Django forms of the pages, one module per area (``frontend/forms/<area>.py``).

What every page form shares: Bootstrap classes on the widgets, one field layout, and a service
refusal (``DomainError``) shown inline with its code, as the API would give it.

    class BookingForm(CaiacForm): ...
    form.add_domain_error(exc)        # in the view, on DomainError
    {{ form }} or {{ form.date.as_field_group }}   in the template
"""

from django import forms
from django.forms.renderers import DjangoTemplates

from caiac.errors import DomainError


class CaiacFormRenderer(DjangoTemplates):
    """The site's form renderer (``FORM_RENDERER``): one field layout, and Bootstrap's class on
    every widget of every form, so even a plain ``forms.Form`` looks like the rest."""

    form_template_name = "frontend/forms/form.html"
    field_template_name = "frontend/forms/field.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget and template_name in _CHOICE_GROUPS:
            # Checkboxes / radios: the class goes on each option's input, none on the group
            # (a group styled as .form-check-input renders as one big empty checkbox).
            for _group, options, _index in widget.get("optgroups", []):
                for option in options:
                    attrs = option.setdefault("attrs", {})
                    if "form-check-input" not in attrs.get("class", ""):
                        attrs["class"] = f"{attrs.get('class', '')} form-check-input".strip()
            template_name = "frontend/forms/widgets/choices.html"
        elif widget and template_name.startswith("django/forms/widgets/"):
            css = _WIDGET_CLASSES.get(widget.get("type") or template_name.rsplit("/", 1)[-1], "")
            attrs = widget.setdefault("attrs", {})
            if css and css not in attrs.get("class", ""):
                attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
        return super().render(template_name, context, request)


_CHOICE_GROUPS = {
    "django/forms/widgets/checkbox_select.html",
    "django/forms/widgets/radio.html",
}

_WIDGET_CLASSES = {
    "checkbox": "form-check-input",
    "radio": "form-check-input",
    "hidden": "",
    "file": "form-control",
    "select.html": "form-select",
    "textarea.html": "form-control",
}
for _type in ("text", "email", "password", "number", "url", "tel", "date", "time", "search"):
    _WIDGET_CLASSES[_type] = "form-control"
_WIDGET_CLASSES["datetime-local"] = "form-control"


def widget_class(widget: forms.Widget) -> str:
    """The class of a widget's input(s). A group of checkboxes or radios gets it on each option
    (their attrs are shared); the renderer keeps it off the group's container."""
    if isinstance(widget, forms.HiddenInput):
        return ""
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


class CaiacFormMixin:
    """Mix into a ``Form`` or ``ModelForm``."""

    error_code: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = widget_class(field.widget)
            if css and css not in field.widget.attrs.get("class", ""):
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
            if type(field.widget) is forms.TextInput or isinstance(field.widget, forms.Textarea):
                # Free text takes the direction of what is typed: a French reason on an Arabic
                # page keeps its full stop at its end instead of jumping to the start.
                field.widget.attrs.setdefault("dir", "auto")

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def _mark_invalid(self):
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def add_domain_error(self, exc: DomainError) -> None:
        """The service's refusal, inline: its message (in the person's language), its code, and
        per-field messages on the fields this form has."""
        self.error_code = exc.code
        self.add_error(None, str(exc.message))
        for name, detail in (exc.fields or {}).items():
            if name in self.fields:
                self.add_error(name, detail if isinstance(detail, list | str) else str(detail))
        self._mark_invalid()  # a field the service named is marked like a field's own error


class CaiacForm(CaiacFormMixin, forms.Form):
    pass


class DateInput(forms.DateInput):
    """A date picker (``<input type="date">``). Its value must be ISO (2026-12-07) whatever the
    language, or the browser shows it empty; the browser displays it in the person's format,
    and the field still accepts the day-month-year typed where there is no picker."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """A time picker (``<input type="time">``): its value is ``HH:MM`` (24 h) in every language."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class CaiacModelForm(CaiacFormMixin, forms.ModelForm):
    pass
