"""Database plumbing: engine, migrations (applied on start) and the unit of work."""
