"""Scenarios: the validated description of a center, read from YAML.

The schema (by area), loading with ``--set`` overrides, one-line error messages, sanity
warnings, units of time and rate, and the generated key reference.
"""
