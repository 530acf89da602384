"""Bank collection: signed payment callbacks turned into payments, notice states and ledger postings."""
