"""Tests of the measures beyond returns: volume, volatility, GARCH, power."""
