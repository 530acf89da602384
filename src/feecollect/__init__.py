"""feecollect: non-tax fee collection and bank reconciliation for government service centres.

The packages follow one yuan: ``schedules`` (the law) → ``billing`` (the quote at the lowest lawful
rate) → ``cases`` → ``notices`` (and ``projects`` for one-form construction fees) → ``bank`` and
``payments`` → ``ledger`` → ``einvoices`` → ``refunds`` → ``reconcile`` → ``invariants``.
"""
