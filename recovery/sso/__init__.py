"""Single sign-on with OpenID Connect, through mozilla-django-oidc; off unless MEND_OIDC_CLIENT_ID is set.

- `config`: the provider's endpoints, from the settings or the issuer's discovery document.
- `claims`: who may sign in and with which Mend roles, decided from the provider's claims.
- `backend`: finds or creates the user, and keeps their roles in step with the claims.
- `views`: the way out to the provider and back; the way back goes through two-factor sign-in.
"""
