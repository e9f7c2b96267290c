"""Framework-free parts of the impact pages: which figures may be shown to the public, and their SVG drawings."""
