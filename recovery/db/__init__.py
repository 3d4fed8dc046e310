"""The database machinery that stays: Django's PostgreSQL backend with a cheaper health check
(`postgresql`), and many-row INSERTs and UPDATEs for the sweeps (`bulk`). Nothing here knows an app."""
