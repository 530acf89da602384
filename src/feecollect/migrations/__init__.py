"""The schema's history (Alembic): ``versions/`` holds one migration per change, applied on start."""
