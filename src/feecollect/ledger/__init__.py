"""The double-entry ledger in fen (SPEC §9): postings are appended, never updated or deleted."""
