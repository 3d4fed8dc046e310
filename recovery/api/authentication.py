from django.db.models import F
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from recovery.roles import preload_group_names


class TokenWithRolesAuthentication(TokenAuthentication):
    """DRF's token authentication, reading the user's groups (Mend's roles) in the same query.

    Every API request checks roles, and intake answers at volume, so the role check must not cost a
    second query. A plain LEFT JOIN (one row per group) is the cheap way to do it: three EXISTS
    subqueries, one per role, made the ORM spend more time compiling the query than the round trip it
    saved. The API's default authentication (settings.REST_FRAMEWORK).
    """

    def authenticate_credentials(self, key):
        token, user, group_names = _read(key)
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        preload_group_names(user, group_names)
        return user, token


def _with_groups(key):
    return Token.objects.select_related("user").annotate(group_name=F("user__groups__name")).filter(key=key)


def _read(key):
    rows = list(_with_groups(key))
    if not rows:
        return None, None, []
    return rows[0], rows[0].user, [row.group_name for row in rows if row.group_name is not None]
