"""The accounts page."""
