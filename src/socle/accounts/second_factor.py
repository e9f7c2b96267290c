"""Who must give a second factor (TOTP), and the QR code to enrol an authenticator app."""

from __future__ import annotations

from typing import Any, Literal

import segno
from django_otp.plugins.otp_totp.models import TOTPDevice

from socle.network.models import Membership, Role


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_required(user: Any) -> bool:
    """Network admins and superusers must use a second factor."""
    return bool(user.is_superuser) or Membership.objects.filter(user=user, role=Role.NETWORK_ADMIN).exists()


def needs_second_factor(user: Any) -> Literal["verify", "setup", ""]:
    """'verify' when the user has TOTP on, 'setup' when it is required but not on, '' otherwise."""
    if confirmed_device(user) is not None:
        return "verify"
    if second_factor_required(user):
        return "setup"
    return ""


def qr_svg(uri: str) -> str:
    """An inline SVG QR code of an otpauth:// URI."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")  # type: ignore[no-any-return]
