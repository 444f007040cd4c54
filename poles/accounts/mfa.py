"""Who must use a second factor, and the TOTP devices that provide it (django-otp).

Officers, funders' officers, cluster staff and superusers hold money, decisions and personal
data: when `POLES_MFA_REQUIRED` is on, their sessions count as logged in only once verified
with a code from an authenticator app. API tokens for them are issued only with a valid code.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from poles.core.roles import roles_of

DEVICE_NAME = "authenticator"


def mfa_required(user) -> bool:
    """Whether this user must pass a second factor (setting on and a privileged role held)."""
    if not getattr(settings, "POLES_MFA_REQUIRED", True):
        return False
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    roles = roles_of(user)
    return bool(user.is_superuser or user.is_staff or roles.officer_of or roles.funder_of or roles.cluster_of)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (a new secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (generated here: no external service)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # drop the XML declaration so it can sit inside HTML


def secret_base32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def verify(device: TOTPDevice | None, token: str) -> bool:
    """Check a 6-digit code; the device throttles repeated failures itself."""
    token = (token or "").strip().replace(" ", "")
    if device is None or not token.isdigit():
        return False
    allowed, _data = device.verify_is_allowed()
    return bool(allowed) and device.verify_token(token)
