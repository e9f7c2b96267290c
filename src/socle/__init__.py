"""Socle: shared social-impact measurement for a network of social-sector organisations."""

__version__ = "0.1.0"
