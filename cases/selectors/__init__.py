"""The reads that serve pages and the API, one module per screen or resource; the writes have theirs in
`cases.workflow` and `cases.services`. Import the module you need: this package re-exports nothing.

- `cases`: the case list, a case's detail and timeline, SLA policies, root causes (API and pages)
- `queue`: the agent's queue, in urgency order
- `search`: the `q` text search over cases and customers
- `case_screen`: everything the case screen draws, in few queries
- `customers`: a customer's page and the new-case form's customer lookup
"""
