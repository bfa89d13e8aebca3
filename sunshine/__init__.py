"""Sunshine Enrollment (阳光招生): compulsory-education enrollment for a city."""

__version__ = "0.1.0"
