"""Form bases rendering with the State design system (DSFR) and accessible inline errors."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm, DsfrBoundField, DsfrDjangoTemplates
from dsfr.utils import dsfr_input_class_attr


class PolesForm(DsfrBaseForm):
    """A plain form rendered with DSFR field groups."""


def _formfield(model_field, **kwargs):
    """Web addresses typed without a scheme are taken as https://."""
    from django.db import models

    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


class PolesModelForm(forms.ModelForm):
    """A model form rendered with DSFR field groups; `version` carries the optimistic lock."""

    class Meta:
        formfield_callback = _formfield

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    @property
    def default_renderer(self):
        return DsfrDjangoTemplates

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


class VersionField(forms.IntegerField):
    """The version the user read, sent back so that a concurrent change is detected."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, **kwargs)


class ReasonForm(PolesForm):
    """A reason for a decision that the audit trail keeps."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
