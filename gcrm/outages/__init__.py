"""Outages: reliability indices (IEEE 1366, DL/T 836), events and planned-outage notices.

``indices`` is the IEEE 1366 kernel (SAIFI, SAIDI, CAIDI, ... and major event days over two
DataFrames), ``areas`` the kernel of notice areas (GeoJSON/WKT polygons, H3 cells), and
``queries`` the one module that reads the warehouse (scoped through
:func:`gcrm.security.scope.scope_sql`): the SAIDI of a district is
``queries.indices(con, year, "district")``.
"""
