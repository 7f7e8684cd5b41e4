"""The outages page."""
