from django.contrib.auth import forms as auth_forms
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
