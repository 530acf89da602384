"""Bank statements in: one reader per format, all yielding the same frozen statement lines."""
