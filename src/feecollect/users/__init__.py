"""Users, roles and bearer tokens (SPEC §11)."""
