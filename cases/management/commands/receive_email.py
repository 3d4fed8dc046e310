"""`manage.py receive_email < message.eml`: the MTA pipe (Postfix `pipe`, Exim `pipe` transport).

Exit 0: stored, or deliberately ignored (a duplicate, an auto-reply, a bounce). Otherwise one line on
stderr and a sysexits code the MTA understands: 65 (EX_DATAERR) for a message refused for good, which
the MTA bounces; 75 (EX_TEMPFAIL) for one it should try again later (the sender's hourly limit, or the
database or the file storage out of reach: nothing is stored then, and the MTA keeps the message queued).
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from cases.conversation.inbound.errors import Refused
from cases.conversation.inbound.pipeline import receive

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Take one email (RFC 5322) from standard input: onto its case, or in as new feedback."

    def handle(self, *args, **options):
        # One byte more than the limit is enough to know it is over: never read a huge message whole.
        raw = sys.stdin.buffer.read(settings.MEND_INBOUND_MAX_MESSAGE_BYTES + 1)
        try:
            outcome = receive(raw, door="pipe")
        except Refused as refused:
            self.stderr.write(f"refused: {refused.reason}")
            sys.exit(EX_TEMPFAIL if refused.temporary else EX_DATAERR)
        except (DatabaseError, OSError) as error:
            self.stderr.write(f"deferred: {type(error).__name__}, try again later")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"{outcome.action}: {outcome.detail}")
