"""A person's own API tokens, seen and revoked from the workspace (`/account/api-tokens/`).

Tokens are DRF's (`issue_token` makes them; `recovery.api.authentication` reads the table on every
request, with no cache in between), so a revoked token is refused by the very next request.
"""
