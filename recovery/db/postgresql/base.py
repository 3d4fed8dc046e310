"""Django's PostgreSQL backend, checking an idle connection's health without a round trip.

`CONN_HEALTH_CHECKS` has Django ask a persistent connection `SELECT 1` before the first query of each
request, so that a connection PostgreSQL closed (a restart, `pg_terminate_backend`, an idle timeout) is
replaced rather than failing that request. Asking is a round trip of its own, a sixth of intake's.

A connection the server has ended always has something to read: the server's FATAL message, or the
end of the stream. A healthy idle connection has nothing, since Mend never LISTENs. So the socket is
looked at first, without waiting, and `SELECT 1` is asked only when there is something on it: the
same answer as Django's check, where that check would have been needed.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection.closed:
            return False
        if _nothing_to_read(self.connection.fileno()):
            return True
        return super().is_usable()


def _nothing_to_read(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)  # a hang-up or an error is always reported, as readable
