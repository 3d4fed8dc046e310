"""The manager's metrics: one service that the dashboard page, the metrics API and the CSV export call.

`period` reads the period and scope from a query string, `definitions` names each metric with its help
text and, for every number counted in cases, the exact condition its drill-down list uses, `queries`
aggregates them in SQL, `export` writes CSV.
"""
