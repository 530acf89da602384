"""Tools beside the service, never imported by it: the demo data, the reference bank client (how an
agency bank signs and sends its callbacks) and the bank simulator built on it."""
