"""Webhooks out: other systems subscribe to what happens to cases and receive signed POSTs.

- `models`: subscriptions, one delivery (outbox row) per event and subscriber, and each attempt.
- `events`: which timeline kinds are which webhook event types, and the rows written with them.
- `services`: creating, editing and deleting subscriptions; resending a delivery.
- `delivery`: claiming a delivery row, POSTing it, recording the attempt, backing off.
- `signing`: the Standard Webhooks signature; `ssrf`: which addresses a target may resolve to.
- `api`, `views`: the REST and workspace faces; `tasks`: the Celery side.
"""
