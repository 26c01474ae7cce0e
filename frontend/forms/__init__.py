"""What every page form shares: Bootstrap classes on the widgets, one field layout, and a service
refusal (``DomainError``) shown inline with its code, as the API would give it.

    class BookingForm(CaiacForm): ...
    form.add_domain_error(exc)        # in the view, on DomainError
    {{ form }} or {{ form.date.as_field_group }}   in the template
"""

from django import forms
from django.forms.renderers import DjangoTemplates

from caiac.errors import DomainError


class CaiacFormRenderer(DjangoTemplates):
    form_template_name = "frontend/forms/form.html"
    field_template_name = "frontend/forms/field.html"


def widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.HiddenInput):
        return ""
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


class CaiacFormMixin:
    """Mix into a ``Form`` or ``ModelForm``."""

    default_renderer = CaiacFormRenderer
    error_code: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = widget_class(field.widget)
            if css and css not in field.widget.attrs.get("class", ""):
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
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


class CaiacForm(CaiacFormMixin, forms.Form):
    pass


class CaiacModelForm(CaiacFormMixin, forms.ModelForm):
    pass
