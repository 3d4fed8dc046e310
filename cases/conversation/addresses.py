"""The addresses a case's email carries: its signed reply address and each message's own Message-ID.

A reply address is `reply+<case>-<mac>@MEND_REPLY_DOMAIN`. Mail servers may lowercase a local part,
so both halves use lowercase base32 (a-z, 2-7) and the address is read case-insensitively. The MAC is
Django's signature (salt "mend.reply-address", the project's SECRET_KEY) truncated to 80 bits: enough
that nobody can guess the address of a case they have not been written from.
"""

import base64
import re
import uuid

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

from cases.models import RecoveryCase

SALT = "mend.reply-address"
MAC_CHARS = 16  # 16 base32 characters = 80 bits of the signature
_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_LOCAL = re.compile(rf"^reply\+([a-z2-7]+)-([a-z2-7]{{{MAC_CHARS}}})$")


def reply_address(case: RecoveryCase) -> str:
    """The address the customer's answer goes to: `reply+<token>@MEND_REPLY_DOMAIN`, unique to `case`."""
    return f"reply+{_encode_id(case.pk)}-{_mac(case.pk)}@{settings.MEND_REPLY_DOMAIN}"


def case_for_reply_address(address: str) -> RecoveryCase | None:
    """The case whose signed reply address this is, or None (not ours, malformed, forged, no such case)."""
    local, _, domain = (address or "").strip().strip("<>").lower().rpartition("@")
    if domain != settings.MEND_REPLY_DOMAIN.lower():
        return None
    match = _LOCAL.match(local)
    if not match:
        return None
    case_id = _decode_id(match.group(1))
    if case_id is None or not constant_time_compare(match.group(2), _mac(case_id)):
        return None
    return RecoveryCase.objects.filter(pk=case_id).first()


def new_message_id(case: RecoveryCase) -> str:
    """A fresh, globally unique Message-ID for an email about `case`, angle brackets included."""
    return f"<mend.{case.reference}.{uuid.uuid4().hex}@{settings.MEND_REPLY_DOMAIN}>"


def _mac(case_id: int) -> str:
    signature = signing.Signer(salt=SALT, algorithm="sha256").signature(str(case_id))
    digest = signing.b64_decode(signature.encode())
    return base64.b32encode(digest).decode().lower()[:MAC_CHARS]


def _encode_id(number: int) -> str:
    digits = []
    while True:
        number, remainder = divmod(number, 32)
        digits.append(_ALPHABET[remainder])
        if not number:
            return "".join(reversed(digits))


def _decode_id(text: str) -> int | None:
    if len(text) > 13:  # 13 base32 digits already exceed a bigint: not one of ours
        return None
    number = 0
    for char in text:
        number = number * 32 + _ALPHABET.index(char)
    return number or None
