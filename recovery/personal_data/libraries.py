"""The models of Django and of the libraries Mend installs: which can hold a customer's data."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from recovery.personal_data import ERASED, Subject, holders, holds, holds_none, redact_rows

STAFF = "staff accounts and their sign-ins: people who work cases, never the customers"
holds_none(User, why=STAFF)
holds_none(Group, why="role names")
holds_none(Permission, why="permission names")
holds_none(ContentType, why="model names")
holds_none(Token, why="API keys of staff and integrations")
holds_none(AccessAttempt, why=STAFF)
holds_none(AccessFailureLog, why=STAFF)
holds_none(AccessLog, why=STAFF)
holds_none(TOTPDevice, why=STAFF)
holds_none(StaticDevice, why=STAFF)
holds_none(StaticToken, why=STAFF)
holds_none(
    Session,
    why="a staff member's sign-in; flash messages travel in a cookie (Django's fallback storage) and "
    "only overflow here, until the next page reads them",
)


def _erase_admin_log(subject: Subject) -> None:
    """The admin names each row it changed by its `str()`: a customer's name, a case's title. Rows of
    the subject's objects keep who, when and what kind of change, and lose the names."""
    for holder in holders():
        if holder.rows is None:
            continue
        ids = [str(pk) for pk in holder.rows(subject).values_list("pk", flat=True)]
        content_type = ContentType.objects.get_for_model(holder.model)
        LogEntry.objects.filter(content_type=content_type, object_id__in=ids).update(object_repr=ERASED)
    redact_rows(LogEntry.objects.all(), subject=subject, text=("object_repr", "change_message"))


holds(
    LogEntry,
    personal=("object_repr", "change_message"),
    other=("object_id",),
    erase=_erase_admin_log,
)
