"""Operational CRM: find a customer, the customer card, service records with history,
load-profile segments, risk lists, duplicates and merges (docs/customers.md)."""
