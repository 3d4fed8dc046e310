"""Signing in safely: who may try how often.

Two limits, each answering 429 with Retry-After before any password is hashed:
- django-axes locks a (username, client address) pair after repeated failures (settings: AXES_*), so a
  guesser at one address cannot lock the real user out from another; `responses.locked_out` answers.
- `spraying` slows one address that fails across many usernames with doubling delays, never a lockout;
  `middleware.SprayingSlowdownMiddleware` answers.
Both read the client's address through `recovery.addresses.client_address`, the API rate limits' rule.
"""
