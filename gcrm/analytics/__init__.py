"""Analytics: pure functions over DataFrames, tested against known answers."""
