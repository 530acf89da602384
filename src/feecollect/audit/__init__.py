"""The audit log: every state change, appended and chained by SHA-256 (SPEC §9)."""
