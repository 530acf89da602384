"""Four eyes (SPEC §16): a decision that moves money or closes a finding is proposed by one finance
user and carried out only when a second one approves it."""
