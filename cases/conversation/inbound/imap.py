"""IMAP polling, for self-hosting: the beat's `cases.tasks.poll_imap` takes what arrived in the mailbox.

A message is taken when it does not carry the `MendTaken` keyword; once the pipeline is done with it
(stored, ignored, duplicate or refused for good) it gets `MendTaken` and `\\Seen`, so the next poll skips
it. A message refused for now (the sender's hourly limit) or interrupted (the database away) keeps no
flag and is tried again at the next poll; if it was stored before the flag was lost, its Message-ID
makes it a duplicate then. Two polls at once are harmless for the same reason.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from imapclient import IMAPClient
from imapclient.imapclient import SEEN

from cases.conversation.inbound.errors import Refused
from cases.conversation.inbound.pipeline import receive
from recovery.logs import record

logger = logging.getLogger(__name__)

TAKEN = b"MendTaken"
BATCH = 50  # one poll's share, so a full mailbox cannot hold a worker past the task's limits


@dataclass(frozen=True)
class PollResult:
    taken: int
    refused: int
    deferred: int


def poll() -> PollResult:
    """Take every message of MEND_IMAP_MAILBOX not yet taken (up to BATCH)."""
    taken = refused = deferred = 0
    host, port, ssl = settings.MEND_IMAP_HOST, settings.MEND_IMAP_PORT, settings.MEND_IMAP_SSL
    with IMAPClient(host, port=port, ssl=ssl, timeout=30) as client:  # logs out on leaving
        client.login(settings.MEND_IMAP_USER, settings.MEND_IMAP_PASSWORD)
        client.select_folder(settings.MEND_IMAP_MAILBOX)
        uids = client.search(["UNKEYWORD", TAKEN])[:BATCH]
        for uid in uids:
            fetched = client.fetch([uid], ["RFC822.SIZE", "BODY.PEEK[]"]).get(uid)
            if fetched is None:  # expunged meanwhile
                continue
            try:
                receive(fetched[b"BODY[]"], door="imap")
                taken += 1
            except Refused as refusal:
                record(logger, "inbound.imap_refused", level=logging.WARNING, uid=uid, reason=refusal.reason)
                if refusal.temporary:
                    deferred += 1
                    continue
                refused += 1
            client.add_flags([uid], [TAKEN, SEEN])
    return PollResult(taken=taken, refused=refused, deferred=deferred)
