"""Market forecasting: monthly forecasts of cube measures by area and class, coherent over the
region and class hierarchies, with backtest accuracy (issue #23)."""
