"""The tradearea page."""
