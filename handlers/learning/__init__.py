"""Learning from use: labelled examples from confirmations and corrections, synonyms added in chat."""
