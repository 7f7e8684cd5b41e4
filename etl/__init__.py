"""ETL: read -> validate -> normalise CRS -> assign regions -> load (idempotent, atomic)."""
