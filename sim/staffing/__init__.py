"""Staffing: goals, the analytic baseline, the simulation search, the curve and shift cover."""
