"""Emerging issues: a failure spotted while it is starting.

- `models`: a persisted group of similar negative feedback, with a stable id across detector runs.
- `detector`: groups the last 24 hours' negative feedback by touchpoint and wording (TF-IDF and average-
  linkage clustering, scikit-learn) and decides which groups are emerging against the usual rate.
- `services`: the detector run that persists groups, dismissing a group, and a root cause from a group.
- `selectors`: the groups managers see; `views`, `api`: the page and `GET /api/v1/emerging-issues/`.
"""
