"""Why a message was not taken."""


class Refused(Exception):
    """The message is not taken, and nothing of it is stored. `temporary`: the same message may be
    taken later (the sender's hourly limit), so an MTA should defer it and IMAP leave it for the next
    poll."""

    def __init__(self, reason: str, *, temporary: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary
