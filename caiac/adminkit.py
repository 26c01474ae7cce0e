"""The back office writes through the services, like the pages and the API.

A ``ServiceModelForm`` says how to ``apply`` itself through a service. Its ``clean`` runs that
same call inside a savepoint that is always rolled back, so every rule the service holds (and
only the service holds) comes back as form errors next to the fields it names; ``ServiceAdmin``
then makes the call for real in ``save_model``. Nothing an admin form saves goes around a rule.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from caiac.errors import DomainError


class _RolledBack(Exception):
    pass


def domain_error_to_form(form: forms.Form, error: DomainError) -> None:
    """The service's message on the form, each named field's problem next to that field."""
    placed = False
    for field, problems in (error.fields or {}).items():
        if field in form.fields:
            for problem in problems if isinstance(problems, list) else [problems]:
                form.add_error(field, str(problem))
                placed = True
    if not placed:
        form.add_error(None, str(error.message))


def try_in_savepoint(call) -> Any:
    """Run ``call`` and undo every database write it made; its DomainError propagates."""
    result = None
    try:
        with transaction.atomic():
            result = call()
            raise _RolledBack
    except _RolledBack:
        pass
    return result


class ServiceModelForm(forms.ModelForm):
    user = None  # the staff member, set by ServiceAdmin.get_form
    not_model_fields: tuple[str, ...] = ()

    def service_values(self) -> dict[str, Any]:
        """The model fields of the form; on a change, only those that changed."""
        names = [
            f for f in self.fields if f not in self.not_model_fields and f in self.cleaned_data
        ]
        if self.instance.pk:
            names = [f for f in names if f in self.changed_data]
        return {f: self.cleaned_data[f] for f in names}

    def current(self):
        """The object as stored (``self.instance`` already carries the submitted values)."""
        return type(self.instance).objects.get(pk=self.instance.pk)

    def apply(self):
        """Make the change through the service; return the saved object (or a result)."""
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                try_in_savepoint(self.apply)
            except DomainError as error:
                domain_error_to_form(self, error)
        return cleaned


class ServiceAdmin(admin.ModelAdmin):
    """Saves by ``form.apply()`` (the service) instead of ``obj.save()``."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        try:
            result = form.apply()
        except DomainError as error:  # the rules changed since clean(): a race, rare
            self.message_user(request, str(error.message), messages.ERROR)
            return
        saved = getattr(result, "instance", result)
        if saved is not None and getattr(saved, "pk", None):
            obj.pk = saved.pk
        self.after_save(request, result)

    def after_save(self, request, result) -> None:
        """Tell the staff member what else the service did."""

    def save_related(self, request, form, formsets, change):
        # Inlines are saved by their own admin rules; many-to-many fields by the service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
