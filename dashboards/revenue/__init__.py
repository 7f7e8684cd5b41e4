"""The revenue page."""
