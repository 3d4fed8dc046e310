from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from recovery import accounts
from recovery.sso import claims as sso_claims
from recovery.sso import config

# Sessions opened by single sign-on name this backend, so a signed-in page never waits on the provider.
SESSION_BACKEND = "recovery.roles.RolePermissionBackend"


def _setting(name: str):
    return property(lambda self: config.setting(name, None))


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, with Mend's rules: `claims.decide` admits the person and names
    their roles, a user is found by email (or created), and their roles follow the claims at each sign-in.

    Django builds every backend for each permission check, so nothing is read at construction (the
    endpoints may need the issuer's discovery document), and this backend answers no permission question
    (`roles.RolePermissionBackend` answers them all, without a query).
    """

    OIDC_OP_TOKEN_ENDPOINT = _setting("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _setting("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _setting("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = _setting("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _setting("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _setting("OIDC_RP_SIGN_ALGO")
    OIDC_RP_IDP_SIGN_KEY = _setting("OIDC_RP_IDP_SIGN_KEY")

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    get_settings = staticmethod(config.setting)

    def authenticate(self, request, **kwargs):
        # Only the provider's callback (it passes the nonce it stored) signs in here, never a password form.
        if "nonce" not in kwargs or not config.enabled():
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # The library checks the signature and the nonce; OpenID Connect also wants the token to be ours.
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience or []
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued to another client.")
        issuer = settings.MEND_OIDC_ISSUER
        if issuer and str(payload.get("iss", "")).rstrip("/") != issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def verify_claims(self, claims):
        decision = sso_claims.decide(claims)
        if decision.refusal:
            self.request.mend_sso_refusal = decision.refusal  # shown on the sign-in page
        return not decision.refusal

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(email__iexact=sso_claims.decide(claims).email)

    @transaction.atomic
    def create_user(self, claims):
        decision = sso_claims.decide(claims)
        if self.UserModel.objects.filter(username__iexact=decision.email).exists():
            self.request.mend_sso_refusal = (
                "An account with your email address as its username exists already."
            )
            raise SuspiciousOperation("username taken")
        user = self.UserModel.objects.create_user(username=decision.email, email=decision.email)
        return self.update_user(user, claims)

    @transaction.atomic
    def update_user(self, user, claims):
        decision = sso_claims.decide(claims)
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        user.save(update_fields=["first_name", "last_name"])
        for role in sso_claims.MANAGED_ROLES - decision.roles:
            accounts.revoke_role(user=user, role=role)
        for role in decision.roles:
            accounts.grant_role(user=user, role=role)
        return user

    # No permissions from here: see the class docstring.
    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
