"""Reading the shipped form definitions from field_schema/ (see catalog.py)."""
