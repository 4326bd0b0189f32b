"""Policies shipped as versioned data under field_schema/policies/ (the only policy code that reads files)."""
