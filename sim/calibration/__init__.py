"""Calibration from an Omni-Channel export: the fitted scenario and the backtest against it."""
