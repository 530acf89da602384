"""Daily bank reconciliation: statement lines matched to payments, notices and cases (issue 6)."""
