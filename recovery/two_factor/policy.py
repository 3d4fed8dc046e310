"""Who must sign in with a second factor (settings.MEND_REQUIRE_2FA), and whether a request did."""

from django.conf import settings
from django.http import HttpRequest

from recovery.roles import is_manager


def required_for(user, *, admin: bool = False) -> bool:
    """Whether `user` may use Mend only after a second factor. The admin asks it of every staff
    member unless two-factor sign-in is off: it edits SLA policies, calendars and accounts. (Anyone
    else the admin turns away anyway, so visiting it does not make them enrol.)"""
    rule = settings.MEND_REQUIRE_2FA
    if rule == "off" or not getattr(user, "is_authenticated", False):
        return False
    return (admin and user.is_staff) or rule == "all" or is_manager(user)


def verified(request: HttpRequest) -> bool:
    """This session's sign-in passed a second factor (django-otp's OTPMiddleware checks the device)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def satisfied(request: HttpRequest, *, admin: bool = False) -> bool:
    return verified(request) or not required_for(request.user, admin=admin)
