from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from cases.roles import Role, preload_group_names


class TokenWithRolesAuthentication(TokenAuthentication):
    """DRF's token authentication, reading the user's Mend roles in the same query.

    Every API request checks roles, and intake answers at volume: one query fewer per request is a
    measurable share of it. The API's default authentication (settings.REST_FRAMEWORK).
    """

    def authenticate_credentials(self, key):
        roles = {
            f"in_{role.value}": Exists(Group.objects.filter(user=OuterRef("user_id"), name=role))
            for role in Role
        }
        token = Token.objects.select_related("user").annotate(**roles).filter(key=key).first()
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        preload_group_names(token.user, [role for role in Role if getattr(token, f"in_{role.value}")])
        return token.user, token
