"""The tariff page."""
