"""Minhu 民呼: the platform behind a city's 12345 接诉即办 citizen hotline."""

__version__ = "0.1.0"
