"""The forecasting domain."""
