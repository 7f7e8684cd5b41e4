"""Shared pieces of the Streamlit app: the app shell, cached data access, maps.

Pages import from here and from :mod:`gcrm`; none of them holds SQL.
"""
