"""GCRM: a geographic CRM with OLAP dashboards for an electric power-supply company."""

__version__ = "0.1.0"
