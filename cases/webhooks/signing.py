"""Standard Webhooks signatures (https://www.standardwebhooks.com/): a few lines, so no library.

The secret is "whsec_" + base64 of its key bytes; the signature of a message is
"v1," + base64(HMAC-SHA256(key, f"{webhook_id}.{timestamp}.{body}")). Receivers verify it with any
Standard Webhooks library (`standardwebhooks` on PyPI) and dedupe by `webhook-id`.
"""

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, *, webhook_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(secret: str, *, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, webhook_id=webhook_id, timestamp=timestamp, body=body),
    }
