"""Several replicas behind one address: what they share through Redis (dialogues, update ids,
the send rate, what is known of people), and what keeps a second replica from starting
without it."""
