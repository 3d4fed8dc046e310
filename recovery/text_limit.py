"""One limit on what a request carries, API and workspace alike: `MEND_MAX_BODY_BYTES` (64 KiB).

- The API refuses a body over it with 413 (`recovery.api.parsers`).
- A workspace form's text field refuses text whose UTF-8 is over it, with the error next to the field
  and the typed text kept (`within_limit`): what an agent can save in the workspace is what a client
  can send through the API, not forty times more.
- Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` is the hard cap behind it, derived from the same setting
  (settings.py): a form body over it is refused with 400 before it is parsed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat


def within_limit(value: str) -> None:
    """A form field validator: `value` fits in one request body of the API."""
    limit = settings.MEND_MAX_BODY_BYTES
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise ValidationError(
            "This text is %(size)s; at most %(limit)s fits. Shorten it and save again.",
            code="too_long",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
