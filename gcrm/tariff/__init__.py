"""Demand-side management: peak/flat/valley profiles and time-of-use tariff what-if (issue #20)."""
