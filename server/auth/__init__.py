"""Who is calling (tokens, passwords) and what they may do (roles, verbs, scope)."""
