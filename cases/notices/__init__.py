"""In-app notices: what happened that a person should know of, behind the bell in the nav.

`services.notify` is how any part of Mend tells someone something (and, when asked, emails it too
through the outbox); `selectors` reads a person's notices; `views` draws the bell and the list.
"""

from cases.notices.services import mark_all_read, mark_read, notify

__all__ = ["mark_all_read", "mark_read", "notify"]
