"""Derek: an open data portal platform for governments."""

__version__ = "0.1.0"
