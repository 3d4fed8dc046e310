"""A person's second factors: one authenticator app (a confirmed TOTP device) and its recovery codes
(one static device holding single-use codes).

An authenticator counts only once confirmed with a code from the app; until then it is a secret shown
on the enrolment page and nothing else. Enrolling again replaces the authenticator only when the new
one is confirmed, so a half-finished enrolment never locks anyone out.
"""

import re
from base64 import b32encode
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from recovery.errors import InvalidInput
from recovery.roles import User

RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
# An app shows 6 digits; a recovery code is 8 letters and digits (django-otp's StaticToken.random_token).
_APP_CODE = re.compile(r"\d{6}")
_RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    WAIT = "wait"  # too many wrong codes lately: django-otp refuses to check for a growing delay


@dataclass(frozen=True)
class Check:
    outcome: Outcome
    device: TOTPDevice | StaticDevice | None = None
    kind: str = ""  # "app" or "recovery"


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator being enrolled: the same one (and QR code) on every reload until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_authenticator(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code it shows; it replaces any earlier one, and a new
    set of recovery codes replaces the old. Returns the device and the codes (shown once, never again)."""
    code = _normalise(code)
    with transaction.atomic():
        pending = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False)
        device = pending.order_by("pk").first()
        if device is None:
            raise InvalidInput("This set-up has expired. Reload the page to start again.", field="code")
        if not _APP_CODE.fullmatch(code) or not device.verify_token(code):
            raise InvalidInput(
                "That code is not the one your app shows now. Type the 6 digits it shows before they change.",
                field="code",
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        return device, _replace_recovery_codes(user)


def new_recovery_codes(*, user: User) -> list[str]:
    """A fresh set of recovery codes; the earlier ones stop working at once."""
    with transaction.atomic():
        return _replace_recovery_codes(user)


def turn_off(*, user: User, required: bool) -> None:
    """Remove `user`'s authenticator and recovery codes; refused where the policy requires them."""
    if required:
        raise InvalidInput("Your account needs two-factor sign-in: it cannot be turned off.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def check_code(*, user: User, code: str) -> Check:
    """Check a code from the app or a recovery code (used up by this check). Only the device the code's
    shape names is asked, so a mistyped app code does not count against the recovery codes."""
    code = _normalise(code)
    if _APP_CODE.fullmatch(code):
        model, kind = TOTPDevice, "app"
    elif _RECOVERY_CODE.fullmatch(code):
        model, kind = StaticDevice, "recovery"
    else:
        return Check(Outcome.WRONG)
    with transaction.atomic():
        # Locked: two requests racing with one code (or one recovery code) cannot both pass.
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return Check(Outcome.WRONG)
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return Check(Outcome.WAIT)
        if device.verify_token(code):
            return Check(Outcome.ACCEPTED, device, kind)
    return Check(Outcome.WRONG)


def _normalise(code: str) -> str:
    return "".join((code or "").split()).lower()


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
