"""Construction projects declared for one-form (一表制) fee collection."""
