"""Telling everyone a root cause hit: the preview, the one email per customer, and the proactive cases
of customers who were hit but never complained. See `cases.outreach.services`."""
