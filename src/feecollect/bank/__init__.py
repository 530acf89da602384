"""Bank integrations: keys, request signing (SPEC §6) and the reference bank client."""
