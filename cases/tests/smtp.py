"""A real SMTP server for end-to-end tests: aiosmtpd on a local port, with Django sending to it."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd's handler: keeps each message it accepts, as bytes."""

    def __init__(self):
        self.messages: list[bytes] = []
        self.recipients: list[list[str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope.original_content or envelope.content)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@contextmanager
def local_smtp(settings, *, port: int) -> Iterator[Inbox]:
    """Serve SMTP on 127.0.0.1:`port` and point Django's mail at it (through pytest's `settings`)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.MEND_REPLY_DOMAIN = "reply.example.com"
    settings.MEND_ORG_NAME = "Acme Support"
    try:
        yield inbox
    finally:
        controller.stop()
