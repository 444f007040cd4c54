"""Forms of cluster staff: adding and ending memberships."""

from django import forms
from django.utils.translation import gettext_lazy as _

from poles.core.forms import PolesModelForm, VersionField
from poles.organisations.models import Organisation

from .models import Membership


class MembershipForm(PolesModelForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        widget=forms.NumberInput,
        help_text=_("The organisation's identifier in poles (shown on its page)."),
        error_messages={"invalid_choice": _("No organisation has this identifier.")},
    )

    class Meta(PolesModelForm.Meta):
        model = Membership
        fields = ["organisation", "kind", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, cluster=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cluster = cluster


class EndMembershipForm(PolesModelForm):
    version = VersionField()

    class Meta(PolesModelForm.Meta):
        model = Membership
        fields = ["end"]
        widgets = {"end": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end"].required = True
        self.fields["version"].initial = self.instance.version
