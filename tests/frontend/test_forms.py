"""What every page form shares (frontend/forms): the site's look, from one renderer."""

from django import forms
from django.forms.renderers import get_default_renderer

from frontend.forms import CaiacForm


class _Reason(CaiacForm):
    reason = forms.CharField(label="Reason")
    day = forms.DateField(label="Day")


def test_page_forms_render_with_the_sites_layout_and_bootstrap_classes():
    html = str(_Reason())
    assert 'class="form-control"' in html
    assert 'dir="auto"' in html  # typed text takes its own direction
    assert "mb-3 field field-reason" in html  # frontend/forms/field.html


def test_every_page_form_shares_one_renderer_so_its_templates_are_read_once():
    # A renderer per form re-read and re-parsed the field templates on every form of every page
    # (it halved the speed of a machine's page).
    first, second = _Reason(), _Reason()
    assert first.renderer is second.renderer is get_default_renderer()
