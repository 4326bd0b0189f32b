"""Persistence: SQLAlchemy models, sessions and every SQL query of the project."""
