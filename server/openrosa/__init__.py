"""ODK Collect's side of the server: OpenRosa 1.0 endpoints over the same services (docs/openrosa.md)."""
