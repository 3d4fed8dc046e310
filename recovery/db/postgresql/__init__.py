"""Django's PostgreSQL backend, with a health check that costs no round trip (`base.DatabaseWrapper`).

Settings name it as the engine (`recovery.db.postgresql`) wherever `DATABASE_URL` says PostgreSQL."""
