"""Pricing: quotes at the lowest lawful rate (and, later, the notices priced from them)."""
