"""Operational CRM: find a customer, the customer card, service records with history."""
