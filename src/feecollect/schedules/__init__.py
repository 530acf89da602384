"""Fee schedules: the law as data (TOML files under ``fee_schedules/``), versioned on load."""
