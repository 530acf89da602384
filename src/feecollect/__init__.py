"""feecollect: non-tax fee collection and bank reconciliation for government service centres."""
