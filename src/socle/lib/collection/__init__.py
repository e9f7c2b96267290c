"""Collection: checking answers to questionnaires and pairing a person's answers over time, without Django."""
