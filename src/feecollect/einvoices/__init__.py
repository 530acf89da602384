"""Electronic fiscal bills (财政电子票据): issued after payment, signed, verifiable, reversible (SPEC §7)."""
