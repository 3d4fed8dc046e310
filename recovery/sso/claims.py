"""Who may sign in through the identity provider, and with which of Mend's roles: decided from its claims
alone (no database), so the rule can be read and tested in one place."""

from dataclasses import dataclass

from django.conf import settings

from recovery.roles import Role

# The roles single sign-on hands out and takes back; intake clients use API tokens, never a browser.
MANAGED_ROLES = frozenset({Role.AGENT, Role.MANAGER})


@dataclass(frozen=True)
class Decision:
    email: str = ""
    roles: frozenset[Role] = frozenset()
    refusal: str = ""  # why not, fit to show the person; empty when admitted


def decide(claims: dict) -> Decision:
    email = str(claims.get("email") or "").strip().lower()
    if "@" not in email:
        return Decision(refusal="Your identity provider did not give Mend your email address.")
    if claims.get("email_verified") is False:
        return Decision(refusal="Your identity provider has not verified your email address.")
    domain = email.rsplit("@", 1)[1]
    allowed = settings.MEND_OIDC_ALLOWED_DOMAINS
    if "*" not in allowed and domain not in allowed:
        return Decision(refusal=f"Accounts at {domain} cannot sign in to Mend.")
    groups = claims.get(settings.MEND_OIDC_GROUPS_CLAIM) or []
    groups = [groups] if isinstance(groups, str) else groups
    mapping = settings.MEND_OIDC_ROLE_CLAIMS
    roles = {Role(mapping[group]) for group in groups if isinstance(group, str) and group in mapping}
    if settings.MEND_OIDC_DEFAULT_ROLE:
        roles.add(Role(settings.MEND_OIDC_DEFAULT_ROLE))
    if not roles:
        return Decision(refusal="Your account has no role in Mend. Ask your administrator for one.")
    return Decision(email=email, roles=frozenset(roles))
