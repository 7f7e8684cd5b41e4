"""The customers page."""
