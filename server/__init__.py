"""Gridwork: field data collection for community grid management (一标三实)."""
