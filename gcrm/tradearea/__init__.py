"""tradearea."""
