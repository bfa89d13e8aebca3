"""Benchmarks. Each prints its figures last, as one JSON object on one line."""
