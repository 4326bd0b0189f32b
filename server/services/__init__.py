"""Use cases: each takes a session, an actor and plain data, authorises with a verb, and orchestrates."""
