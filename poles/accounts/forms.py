from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr


class _Dsfr:
    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


class LoginForm(_Dsfr, auth_forms.AuthenticationForm):
    pass


class PasswordResetForm(_Dsfr, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(_Dsfr, auth_forms.SetPasswordForm):
    pass


class OTPForm(_Dsfr, forms.Form):
    """A 6-digit code from the authenticator app."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self):
        from .mfa import verify

        token = self.cleaned_data["token"]
        if not verify(self.device, token):
            raise forms.ValidationError(_("This code is not valid. Type the code shown now in your app."))
        return token
