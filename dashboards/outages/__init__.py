"""The outages page: ``page`` (render), ``context`` (one run), ``data`` (cached wrappers),
``views``/``mapview``/``notice`` (sections), ``maps`` (SVG map scenes)."""
