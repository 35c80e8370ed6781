"""Tests of the chunked and Dask paths (issue 17)."""
