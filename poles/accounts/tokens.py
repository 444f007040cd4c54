"""POST /api/token/: API tokens, issued to privileged users only with a second-factor code.

A token outlives the session it was created from, so for users who must use MFA (officers,
funders, cluster staff) the request must also carry `otp`, the current code of their enrolled
authenticator; without an enrolled one they enrol on the site first.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response

from poles.core.tokens import ObtainToken

from . import mfa


class ObtainTokenWithMFA(ObtainToken):
    """Exchange a username, password (and, for privileged users, an authenticator code) for a token."""

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {
                "username": serializers.CharField(),
                "password": serializers.CharField(),
                "otp": serializers.CharField(
                    required=False, help_text="Authenticator code (privileged users)"
                ),
            },
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if mfa.mfa_required(user):
            device = mfa.confirmed_device(user)
            if device is None:
                raise serializers.ValidationError(
                    {"otp": [_("Set up your authenticator app on the site before asking for an API token.")]}
                )
            if not mfa.verify(device, str(request.data.get("otp", ""))):
                raise serializers.ValidationError({"otp": [_("A valid authenticator code is required.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
