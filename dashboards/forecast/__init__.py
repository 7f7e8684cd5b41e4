"""The forecast page."""
