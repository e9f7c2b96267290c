"""``socle bench``: the speed and memory targets, measured on a throw-away database (see docs/benchmarks.md)."""
