"""Key accounts: account managers and portfolios, customer groups and relationships, alerts
and visit routes (issue #19)."""
